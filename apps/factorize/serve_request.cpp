// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "serve_request.hpp"

#include <boost/json.hpp>

#include <string>

namespace factorize {

namespace {

/// The token as the client wrote it, as near as the parsed value allows: JSON has no
/// unsigned limit, so a huge integer arrives as a double (and prints as one).
std::string token_of(const boost::json::value& v)
{
    if (v.is_string())
        return std::string(v.get_string());
    return boost::json::serialize(v);
}

u64 number_at(const boost::json::value& v, std::size_t index)
{
    std::string where = "numbers[" + std::to_string(index) + "]";
    if (v.is_uint64())
        return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0)
        return static_cast<u64>(v.get_int64());
    if (v.is_double() && v.get_double() >= 18446744073709551616.0)
        throw input_error(where + ": " + token_of(v) +
                          " is larger than 2^64-1 (18446744073709551615); send it as a string to keep its digits");
    return parse_number(token_of(v), where);  // negative numbers, fractions, words: the CLI's message
}

} // namespace

factorize_request parse_factorize_request(std::string_view body, std::size_t max_numbers)
{
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(body, ec);
    if (ec)
        throw input_error("request body: not JSON (" + ec.message() + "); send {\"numbers\": [12, 35]}");
    if (!doc.is_object())
        throw input_error("request body: not a JSON object; send {\"numbers\": [12, 35]}");
    const auto& object = doc.get_object();
    for (const auto& [key, value] : object)
        if (key != "numbers" && key != "algorithm")
            throw input_error("request body: unknown member \"" + std::string(key) + "\" (expected numbers, algorithm)");
    factorize_request request;
    if (auto* name = object.if_contains("algorithm")) {
        if (!name->is_string())
            throw input_error("algorithm: " + token_of(*name) + " is not one of \"trial\", \"rho\"");
        auto a = parse_algorithm(std::string_view(name->get_string()));
        if (!a)
            throw input_error("algorithm: \"" + token_of(*name) + "\" is not one of trial, rho");
        request.algo = *a;
    }
    const auto* numbers = object.if_contains("numbers");
    if (!numbers || !numbers->is_array())
        throw input_error("request body: \"numbers\" must be an array of numbers, e.g. {\"numbers\": [12, 35]}");
    const auto& array = numbers->get_array();
    if (array.empty())
        throw input_error("no numbers to factorize: \"numbers\" is empty");
    if (array.size() > max_numbers)
        throw too_many_numbers("request holds " + std::to_string(array.size()) + " numbers; this server takes at most " +
                               std::to_string(max_numbers) + " a request (--max-numbers)");
    request.numbers.reserve(array.size());
    for (std::size_t i = 0; i < array.size(); ++i)
        request.numbers.push_back(number_at(array[i], i));
    return request;
}

std::string error_json(std::string_view message)
{
    boost::json::object doc;
    doc["error"] = message;
    return boost::json::serialize(doc) + "\n";
}

} // namespace factorize
