// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "workload.hpp"

#include <algorithm>
#include <limits>

namespace factorize {

namespace {

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

std::optional<u64> parse_decimal(std::string_view token) noexcept
{
    if (token.size() > 1 && token.front() == '+')
        token.remove_prefix(1);  // as GNU factor accepts it
    if (token.empty() || token.size() > 20)
        return token.size() > 20 && all_digits(token) && token.find_first_not_of('0') >= token.size() - 20
                   ? parse_decimal(token.substr(token.size() - 20))
                   : std::nullopt;
    u64 value = 0;
    if (token.size() < 20) {  // 19 digits never overflow: the common case, without checks
        for (char c : token) {
            auto digit = static_cast<unsigned>(c - '0');
            if (digit > 9)
                return std::nullopt;
            value = value * 10 + digit;
        }
        return value;
    }
    for (char c : token) {
        auto digit = static_cast<unsigned>(c - '0');
        if (digit > 9)
            return std::nullopt;
        if (__builtin_mul_overflow(value, u64(10), &value) || __builtin_add_overflow(value, u64(digit), &value))
            return std::nullopt;
    }
    return value;
}

u64 parse_number(std::string_view token, std::string_view where)
{
    if (auto value = parse_decimal(token))
        return *value;
    // What is wrong, in words (only now: building the message costs more than the parse).
    std::string prefix = std::string(where) + ": " + quoted(token);
    std::string_view digits = token;
    if (digits.size() > 1 && digits.front() == '+')
        digits.remove_prefix(1);
    if (token.size() > 1 && token.front() == '-' && all_digits(token.substr(1)))
        throw input_error(prefix + " is negative: only numbers from 0 to 18446744073709551615 (2^64-1) are accepted");
    if (!all_digits(digits))
        throw input_error(prefix + " is not a number (expected decimal digits, 0 to 18446744073709551615)");
    u64 value = 0;
    for (char c : digits) {
        auto digit = static_cast<u64>(c - '0');
        if (value > (std::numeric_limits<u64>::max() - digit) / 10)
            throw input_error(prefix + " is larger than 2^64-1 (18446744073709551615)");
        value = value * 10 + digit;
    }
    return value;
}

u64 parse_scaled_number(std::string_view token, std::string_view where)
{
    auto e = token.find_first_of("eE");
    if (e == std::string_view::npos)
        return parse_number(token, where);
    std::string prefix = std::string(where) + ": " + quoted(token);
    std::string_view mantissa = token.substr(0, e), exponent = token.substr(e + 1);
    if (!all_digits(mantissa) || !all_digits(exponent))
        throw input_error(prefix + " is not a number (expected decimal digits, or digits, e and a power of ten as in 5e12)");
    u64 value = parse_number(mantissa, where);
    if (exponent.size() > 3)
        throw input_error(prefix + " is larger than 2^64-1 (18446744073709551615)");
    for (int i = std::stoi(std::string(exponent)); i > 0 && value != 0; --i) {
        if (value > std::numeric_limits<u64>::max() / 10)
            throw input_error(prefix + " is larger than 2^64-1 (18446744073709551615)");
        value *= 10;
    }
    return value;
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
