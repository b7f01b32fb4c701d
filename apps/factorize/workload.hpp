// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Parsing numbers (errors name the token and its place) and the deterministic random
// workload. Reading them from arguments, files and stdin is number_stream's.
#ifndef FACTORIZE_WORKLOAD_HPP
#define FACTORIZE_WORKLOAD_HPP

#include "factorize_core.hpp"

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace factorize {

/// Bad input: what() is a complete message naming the token and where it was.
class input_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The value of a decimal token (an optional '+', then digits, leading zeros allowed) from
/// 0 to 2^64-1; nullopt for anything else. parse_number says what is wrong with it.
std::optional<u64> parse_decimal(std::string_view token) noexcept;

/// Parses a decimal number from 0 to 2^64-1 (digits, leading zeros and one leading '+'
/// allowed: the forms GNU factor accepts).
/// Throws input_error("<where>: \"<token>\" is not a number" / "is negative" /
/// "is larger than 2^64-1 (18446744073709551615)").
u64 parse_number(std::string_view token, std::string_view where);

/// parse_number, or a mantissa and a power of ten as the README writes them: "5e12",
/// "1E9", "25e-1" is refused (not an integer). For --min, --max and the like.
/// Throws input_error as parse_number does, or if the value is not a 64-bit integer.
u64 parse_scaled_number(std::string_view token, std::string_view where);

/// Sebastiano Vigna's splitmix64: the generator of --random, written out so that the
/// workload is the same on every platform and in the Python peer (apps/bench/factorize_peer.py).
class splitmix64 {
public:
    explicit splitmix64(u64 seed) noexcept : state_(seed) {}
    u64 next() noexcept
    {
        u64 z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    u64 state_;
};

/// --random N --min A --max B --seed S.
struct random_spec {
    std::size_t count = 0;
    u64 min = 1'000'000'000ULL;
    u64 max = 10'000'000'000ULL;
    u64 seed = 1;
};

/// count numbers, each min + splitmix64() % (max - min + 1) (the raw value when the range
/// is all of 0..2^64-1). Deterministic everywhere; the Python peer computes the same.
/// Throws input_error if min > max.
std::vector<u64> random_workload(const random_spec& spec);

} // namespace factorize

#endif
