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

/// Arithmetic modulo an odd n in Montgomery form (x stands for x * 2^64 mod n): a product
/// costs two multiplications and no division, where `% n` on __int128 costs a divq of
/// 40-90 cycles. Most of factorize's time for large numbers is spent here.
class montgomery {
public:
    explicit montgomery(u64 n) noexcept : n_(n), inv_(inverse(n)), one_((0 - n) % n)
    {
        r2_ = static_cast<u64>(static_cast<u128>(one_) * one_ % n);
    }
    u64 n() const noexcept { return n_; }
    u64 one() const noexcept { return one_; }
    u64 to(u64 a) const noexcept { return mul(a % n_, r2_); }
    u64 mul(u64 a, u64 b) const noexcept { return reduce(static_cast<u128>(a) * b); }
    u64 add(u64 a, u64 b) const noexcept { return addmod(a, b, n_); }
    u64 pow(u64 base, u64 exp) const noexcept
    {
        u64 result = one_;
        while (exp) {
            if (exp & 1)
                result = mul(result, base);
            base = mul(base, base);
            exp >>= 1;
        }
        return result;
    }

    /// n^-1 mod 2^64 by Newton's iteration (each step doubles the correct low bits).
    static constexpr u64 inverse(u64 n) noexcept
    {
        u64 x = n;  // right to 3 bits for odd n
        for (int i = 0; i < 5; ++i)
            x *= 2 - n * x;
        return x;
    }

private:
    // (t - m*n) / 2^64 where m = t * n^-1 mod 2^64 zeroes the low word: the result is
    // t / 2^64 mod n, in [0, n) for t < n * 2^64.
    u64 reduce(u128 t) const noexcept
    {
        u64 lo = static_cast<u64>(t), hi = static_cast<u64>(t >> 64);
        u64 m = lo * inv_;
        u64 mh = static_cast<u64>((static_cast<u128>(m) * n_) >> 64);
        return hi >= mh ? hi - mh : hi - mh + n_;
    }

    u64 n_, inv_, one_, r2_ = 0;
};

/// Strong probable-prime test of the odd n > 2 to base a (a not a multiple of n).
bool strong_probable_prime(const montgomery& m, u64 a, u64 d, int s) noexcept
{
    u64 minus_one = m.n() - m.one();
    u64 x = m.pow(m.to(a), d);
    if (x == m.one() || x == minus_one)
        return true;
    for (int i = 1; i < s; ++i) {
        x = m.mul(x, x);
        if (x == minus_one)
            return true;
    }
    return false;
}

// Sets of Miller-Rabin bases that are deterministic below 2^32 (Jaeschke) and for every
// 64-bit number (Jim Sinclair's seven bases).
constexpr std::array<u64, 3> bases_32{2, 7, 61};
constexpr std::array<u64, 7> bases_64{2, 325, 9375, 28178, 450775, 9780504, 1795265022};

/// Miller-Rabin for an odd n with no prime factor below 41.
bool odd_is_prime(u64 n) noexcept
{
    montgomery m(n);
    u64 d = n - 1;
    int s = __builtin_ctzll(d);
    d >>= s;
    auto all_pass = [&](const auto& bases) {
        for (u64 a : bases) {
            u64 r = a % n;
            if (r != 0 && !strong_probable_prime(m, r, d, s))
                return false;
        }
        return true;
    };
    return n < (u64(1) << 32) ? all_pass(bases_32) : all_pass(bases_64);
}

u64 binary_gcd(u64 a, u64 b) noexcept
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    int shift = __builtin_ctzll(a | b);
    a >>= __builtin_ctzll(a);
    do {
        b >>= __builtin_ctzll(b);
        if (a > b)
            std::swap(a, b);
        b -= a;
    } while (b);
    return a << shift;
}

/// One factor of the odd composite n, not necessarily prime: Pollard's rho with Brent's
/// cycle detection, the differences multiplied together so that one gcd serves 128 steps,
/// all in Montgomery form (x -> x^2 + c there is another polynomial of the same kind).
u64 brent_rho(u64 n) noexcept
{
    constexpr u64 block = 128;
    montgomery m(n);
    for (u64 c = m.one();; c = m.add(c, m.one())) {
        auto f = [&m, c](u64 v) noexcept { return m.add(m.mul(v, v), c); };
        u64 y = m.add(m.one(), m.one()), x = y, ys = y, q = m.one(), g = 1;
        for (u64 r = 1; g == 1; r *= 2) {
            x = y;
            for (u64 i = 0; i < r; ++i)
                y = f(y);
            for (u64 k = 0; k < r && g == 1; k += block) {
                ys = y;
                u64 steps = std::min(block, r - k);
                for (u64 i = 0; i < steps; ++i) {
                    y = f(y);
                    q = m.mul(q, absdiff(x, y));
                }
                g = binary_gcd(q, n);
            }
        }
        if (g == n) {
            // The batch overshot (or q hit 0): retrace it one step at a time.
            do {
                ys = f(ys);
                g = binary_gcd(absdiff(x, ys), n);
            } while (g == 1);
        }
        if (g != n)
            return g;
        // A cycle with no factor: try another polynomial.
    }
}

/// The odd primes below 2^12 with their inverses mod 2^64: p divides n exactly when
/// n * p^-1 mod 2^64 <= (2^64-1) / p, and then that product is n / p. A multiplication
/// and a comparison instead of a division per prime.
constexpr u64 trial_bound = 4096;
struct trial_prime {
    u64 p, square, inverse, limit;
};
constexpr std::size_t odd_primes_below_bound = 563;  // pi(4096) - 1
constexpr auto trial_primes = [] {
    std::array<bool, trial_bound> composite{};
    std::array<trial_prime, odd_primes_below_bound> t{};
    std::size_t k = 0;
    for (u64 p = 3; p < trial_bound; p += 2) {
        if (composite[p])
            continue;
        t[k++] = {p, p * p, montgomery::inverse(p), ~u64(0) / p};
        for (u64 j = p * p; j < trial_bound; j += 2 * p)
            composite[j] = true;
    }
    return t;
}();
static_assert(trial_primes.back().p == 4093, "every odd prime below trial_bound is in the table");

/// Factors of n with no prime factor below trial_bound, appended (not sorted).
std::size_t rho_into(u64 n, u64* out) noexcept
{
    if (n == 1)
        return 0;
    if (n < trial_bound * trial_bound || odd_is_prime(n)) {
        *out = n;
        return 1;
    }
    u64 d = brent_rho(n);
    std::size_t k = rho_into(d, out);
    return k + rho_into(n / d, out + k);
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
    for (u64 p : {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37})
        if (n % p == 0)
            return n == p;
    if (n < 41 * 41)
        return true;
    return odd_is_prime(n);
}

std::size_t factor_rho_into(u64 n, u64* out) noexcept
{
    if (n < 2)
        return 0;
    std::size_t k = 0;
    int twos = __builtin_ctzll(n);
    n >>= twos;
    for (int i = 0; i < twos; ++i)
        out[k++] = 2;
    // Small primes by exact division first: cheap, and rho is poor at them. Once p^2 > n,
    // what is left is 1 or a prime, and numbers below 2^24 never get further than this.
    for (const auto& t : trial_primes) {
        if (t.square > n)
            break;
        for (u64 q = n * t.inverse; q <= t.limit; q = n * t.inverse) {
            out[k++] = t.p;
            n = q;
        }
    }
    if (n == 1)
        return k;
    std::size_t first_large = k;
    k += rho_into(n, out + k);
    std::sort(out + first_large, out + k);  // rho finds them in any order; all are >= trial_bound or prime
    return k;
}

std::vector<u64> factorize_rho(u64 n)
{
    u64 buffer[max_factors];
    return std::vector<u64>(buffer, buffer + factor_rho_into(n, buffer));
}

std::vector<u64> factorize(u64 n, algorithm a) { return a == algorithm::trial ? factorize_trial(n) : factorize_rho(n); }

std::size_t factor_into(u64 n, algorithm a, u64* out)
{
    if (a == algorithm::rho)
        return factor_rho_into(n, out);
    auto f = factorize_trial(n);
    std::copy(f.begin(), f.end(), out);
    return f.size();
}

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
