// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The arithmetic of the factorize sample app: the study's trial division, Pollard's rho
// (Brent) with a deterministic Miller-Rabin test, and the checks --verify runs. Correct for
// every 64-bit unsigned value: 0 and 1 have no prime factors (an empty list).
#ifndef FACTORIZE_FACTORIZE_CORE_HPP
#define FACTORIZE_FACTORIZE_CORE_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace factorize {

using u64 = std::uint64_t;

enum class algorithm : std::uint8_t { trial, rho };

/// "trial" or "rho"; nullopt for anything else.
std::optional<algorithm> parse_algorithm(std::string_view name) noexcept;
const char* to_string(algorithm a) noexcept;

/// The study's factorize_naive: trial division by 2, then by odd numbers, stopping once the
/// divisor passes the square root of what is left. Ascending prime factors with
/// multiplicity; empty for 0 and 1. The loop tests `p > n / p` rather than `p * p >= n`
/// (the same test while p does not divide n) so it never overflows near 2^64.
std::vector<u64> factorize_trial(u64 n);

/// Pollard's rho with Brent's cycle detection in Montgomery arithmetic, after trial
/// division by the primes below 4096; each factor is proven prime by a Miller-Rabin test
/// with a deterministic set of bases. Ascending prime factors; empty for 0 and 1.
std::vector<u64> factorize_rho(u64 n);

/// At most this many prime factors (with multiplicity) for any 64-bit number.
inline constexpr std::size_t max_factors = 64;

/// factorize_rho without allocating: writes the factors to out[0..max_factors) in ascending
/// order and returns how many. What the streaming paths call, once per number.
std::size_t factor_rho_into(u64 n, u64* out) noexcept;

/// factor_rho_into, or factorize_trial copied to out.
std::size_t factor_into(u64 n, algorithm a, u64* out);

/// factorize_trial or factorize_rho.
std::vector<u64> factorize(u64 n, algorithm a);

/// Deterministic for every 64-bit value (Miller-Rabin with bases proven sufficient below 2^64).
bool is_prime(u64 n) noexcept;

/// (a * b) mod m without overflow, through unsigned __int128. Requires m > 0.
u64 mulmod(u64 a, u64 b, u64 m) noexcept;

/// What --verify checks: the factors are in ascending order, each is prime and their product
/// is n (without overflowing); 0 and 1 must have no factors. nullopt when all holds,
/// otherwise what is wrong.
std::optional<std::string> verify(u64 n, const std::vector<u64>& factors);

/// The sum of the factors, wrapping modulo 2^64: the bench's checksum adds this over every
/// number of the workload (duplicates included), the same way the Python peer does.
u64 factor_sum(const std::vector<u64>& factors) noexcept;

} // namespace factorize

#endif
