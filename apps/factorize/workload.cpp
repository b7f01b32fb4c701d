// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "workload.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>

namespace factorize {

namespace {

constexpr std::string_view whitespace = " \t\r\n\v\f";

std::string_view trim(std::string_view s) noexcept
{
    auto first = s.find_first_not_of(whitespace);
    if (first == std::string_view::npos)
        return {};
    auto last = s.find_last_not_of(whitespace);
    return s.substr(first, last - first + 1);
}

bool all_digits(std::string_view s) noexcept
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string quoted(std::string_view token)
{
    // Long garbage is cut so that the message stays readable.
    constexpr std::size_t longest = 60;
    std::string out = "\"";
    out.append(token.substr(0, longest));
    if (token.size() > longest)
        out += "...";
    out += '"';
    return out;
}

} // namespace

u64 parse_number(std::string_view token, std::string_view where)
{
    std::string prefix = std::string(where) + ": " + quoted(token);
    if (token.size() > 1 && token.front() == '-' && all_digits(token.substr(1)))
        throw input_error(prefix + " is negative: only numbers from 0 to 18446744073709551615 (2^64-1) are accepted");
    if (!all_digits(token))
        throw input_error(prefix + " is not a number (expected decimal digits, 0 to 18446744073709551615)");
    u64 value = 0;
    for (char c : token) {
        auto digit = static_cast<u64>(c - '0');
        if (value > (std::numeric_limits<u64>::max() - digit) / 10)
            throw input_error(prefix + " is larger than 2^64-1 (18446744073709551615)");
        value = value * 10 + digit;
    }
    return value;
}

std::vector<u64> read_numbers(std::istream& in, std::string_view source)
{
    std::vector<u64> numbers;
    std::string line;
    std::size_t line_number = 0;
    while (std::getline(in, line)) {
        ++line_number;
        std::string_view text = line;
        if (auto hash = text.find('#'); hash != std::string_view::npos)
            text = text.substr(0, hash);
        text = trim(text);
        if (text.empty())
            continue;
        std::string where = std::string(source) + " line " + std::to_string(line_number);
        if (text.find_first_of(whitespace) != std::string_view::npos)
            throw input_error(where + ": " + quoted(text) + " holds more than one token (expected one number a line)");
        numbers.push_back(parse_number(text, where));
    }
    if (in.bad())
        throw input_error("cannot read " + std::string(source) + ": " + std::strerror(errno));
    return numbers;
}

std::vector<u64> read_numbers_from(const std::string& path)
{
    if (path == "-")
        return read_numbers(std::cin, "stdin");
    std::ifstream file(path);
    if (!file)
        throw input_error("cannot read \"" + path + "\": " + std::strerror(errno));
    auto numbers = read_numbers(file, path);
    return numbers;
}

std::vector<u64> numbers_from_arguments(const std::vector<std::string>& tokens)
{
    std::vector<u64> numbers;
    bool stdin_read = false;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] == "-") {
            if (stdin_read)
                throw input_error("argument " + std::to_string(i + 1) + ": \"-\" (stdin) is given more than once");
            stdin_read = true;
            auto more = read_numbers(std::cin, "stdin");
            numbers.insert(numbers.end(), more.begin(), more.end());
            continue;
        }
        numbers.push_back(parse_number(tokens[i], "argument " + std::to_string(i + 1)));
    }
    return numbers;
}

void require_numbers(const std::vector<u64>& numbers, std::string_view context)
{
    if (numbers.empty())
        throw input_error("no numbers to factorize" + std::string(context));
}

std::vector<u64> random_workload(const random_spec& spec)
{
    if (spec.min > spec.max)
        throw input_error("--min " + std::to_string(spec.min) + " is larger than --max " + std::to_string(spec.max));
    splitmix64 rng(spec.seed);
    u64 span = spec.max - spec.min + 1;  // 0 when the range is all 2^64 values
    std::vector<u64> numbers;
    numbers.reserve(spec.count);
    for (std::size_t i = 0; i < spec.count; ++i) {
        u64 x = rng.next();
        numbers.push_back(span ? spec.min + x % span : x);
    }
    return numbers;
}

} // namespace factorize
