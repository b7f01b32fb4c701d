// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Where the numbers come from: command-line tokens, files or stdin (one number a line,
// blank lines and # comments allowed), or a deterministic random workload. Everything is
// validated before anything is factorized or printed; errors name the token and its place.
#ifndef FACTORIZE_WORKLOAD_HPP
#define FACTORIZE_WORKLOAD_HPP

#include "factorize_core.hpp"

#include <cstddef>
#include <istream>
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

/// Parses a decimal number from 0 to 2^64-1 (digits only, leading zeros allowed).
/// Throws input_error("<where>: \"<token>\" is not a number" / "is negative" /
/// "is larger than 2^64-1 (18446744073709551615)").
u64 parse_number(std::string_view token, std::string_view where);

/// Reads one number a line; blank lines and everything from a '#' on are ignored. `source`
/// names the stream in messages ("numbers.txt", "stdin"). Throws input_error on a bad line.
/// An input with no numbers is not an error here (see require_numbers).
std::vector<u64> read_numbers(std::istream& in, std::string_view source);

/// read_numbers() of a file, or of stdin for "-". Throws input_error if it cannot be read.
std::vector<u64> read_numbers_from(const std::string& path);

/// Command-line tokens: each a number, or "-" for the numbers on stdin (read once).
std::vector<u64> numbers_from_arguments(const std::vector<std::string>& tokens);

/// Throws input_error("no numbers to factorize" + context) when `numbers` is empty.
void require_numbers(const std::vector<u64>& numbers, std::string_view context);

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
