// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "factorize_core.hpp"

#include <algorithm>
#include <array>
#include <numeric>

namespace factorize {

namespace {

// -Wpedantic rejects __int128 unless it is marked as the extension it is.
__extension__ typedef unsigned __int128 u128;

u64 addmod(u64 a, u64 b, u64 m) noexcept
{
    // a, b < m: the sum may wrap past 2^64 when m is close to it.
    u64 s = a + b;
    return (s < a || s >= m) ? s - m : s;
}

u64 absdiff(u64 a, u64 b) noexcept { return a > b ? a - b : b - a; }

u64 powmod(u64 base, u64 exp, u64 m) noexcept
{
    u64 result = 1 % m;
    base %= m;
    while (exp) {
        if (exp & 1)
            result = mulmod(result, base, m);
        base = mulmod(base, base, m);
        exp >>= 1;
    }
    return result;
}

constexpr std::array<u64, 12> witness_primes{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};

/// One factor of the odd composite n, not necessarily prime (Brent's variant of rho).
u64 brent_rho(u64 n) noexcept
{
    constexpr u64 block = 128;
    for (u64 c = 1;; ++c) {
        auto f = [n, c](u64 v) noexcept { return addmod(mulmod(v, v, n), c % n, n); };
        u64 y = 2 % n, x = y, ys = y, q = 1, g = 1;
        for (u64 r = 1; g == 1; r *= 2) {
            x = y;
            for (u64 i = 0; i < r; ++i)
                y = f(y);
            for (u64 k = 0; k < r && g == 1; k += block) {
                ys = y;
                u64 steps = std::min(block, r - k);
                for (u64 i = 0; i < steps; ++i) {
                    y = f(y);
                    q = mulmod(q, absdiff(x, y), n);
                }
                g = std::gcd(q, n);
            }
        }
        if (g == n) {
            // The batch overshot (or q hit 0): retrace it one step at a time.
            do {
                ys = f(ys);
                g = std::gcd(absdiff(x, ys), n);
            } while (g == 1);
        }
        if (g != n)
            return g;
        // A cycle with no factor: try another polynomial.
    }
}

void rho_into(u64 n, std::vector<u64>& out)
{
    if (n == 1)
        return;
    if (is_prime(n)) {
        out.push_back(n);
        return;
    }
    u64 d = brent_rho(n);
    rho_into(d, out);
    rho_into(n / d, out);
}

} // namespace

std::optional<algorithm> parse_algorithm(std::string_view name) noexcept
{
    if (name == "trial")
        return algorithm::trial;
    if (name == "rho")
        return algorithm::rho;
    return std::nullopt;
}

const char* to_string(algorithm a) noexcept { return a == algorithm::trial ? "trial" : "rho"; }

u64 mulmod(u64 a, u64 b, u64 m) noexcept { return static_cast<u64>(static_cast<u128>(a) * b % m); }

std::vector<u64> factorize_trial(u64 n)
{
    std::vector<u64> factors;
    if (n < 2)
        return factors;
    u64 p = 2;
    for (;;) {
        if (n == 1)
            return factors;
        u64 q = n / p;  // one division gives both the quotient and the remainder
        if (n - q * p == 0) {
            factors.push_back(p);
            n = q;
        } else if (p > q) {  // p * p > n: what is left is prime
            factors.push_back(n);
            return factors;
        } else {
            p += p > 2 ? 2 : 1;
        }
    }
}

bool is_prime(u64 n) noexcept
{
    if (n < 2)
        return false;
    for (u64 p : witness_primes)
        if (n % p == 0)
            return n == p;
    if (n < 41 * 41)
        return true;
    u64 d = n - 1;
    int s = 0;
    while ((d & 1) == 0) {
        d >>= 1;
        ++s;
    }
    for (u64 a : witness_primes) {
        u64 x = powmod(a, d, n);
        if (x == 1 || x == n - 1)
            continue;
        bool composite = true;
        for (int i = 1; i < s; ++i) {
            x = mulmod(x, x, n);
            if (x == n - 1) {
                composite = false;
                break;
            }
        }
        if (composite)
            return false;
    }
    return true;
}

std::vector<u64> factorize_rho(u64 n)
{
    std::vector<u64> factors;
    if (n < 2)
        return factors;
    // Small primes by division first: cheap, and rho is poor at them.
    for (u64 p = 2; p < 1000 && p <= n / p; p += p > 2 ? 2 : 1) {
        while (n % p == 0) {
            factors.push_back(p);
            n /= p;
        }
    }
    rho_into(n, factors);
    std::sort(factors.begin(), factors.end());
    return factors;
}

std::vector<u64> factorize(u64 n, algorithm a) { return a == algorithm::trial ? factorize_trial(n) : factorize_rho(n); }

std::optional<std::string> verify(u64 n, const std::vector<u64>& factors)
{
    if (n < 2) {
        if (factors.empty())
            return std::nullopt;
        return std::to_string(n) + " has no prime factors, but " + std::to_string(factors.size()) + " were given";
    }
    if (factors.empty())
        return "no factors given";
    if (!std::is_sorted(factors.begin(), factors.end()))
        return "factors are not in ascending order";
    u64 product = 1;
    for (u64 f : factors) {
        if (!is_prime(f))
            return std::to_string(f) + " is not prime";
        if (__builtin_mul_overflow(product, f, &product))
            return "the product of the factors exceeds 2^64-1";
    }
    if (product != n)
        return "the product of the factors is " + std::to_string(product);
    return std::nullopt;
}

u64 factor_sum(const std::vector<u64>& factors) noexcept
{
    u64 sum = 0;
    for (u64 f : factors)
        sum += f;
    return sum;
}

} // namespace factorize
