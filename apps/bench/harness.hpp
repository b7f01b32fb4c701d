// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// What the benchmarks in apps/bench share: the clock, robust statistics, the table's
// number formats, a tiny JSON writer and reader (for the Python peers' output, our own
// flat format), and running a peer as a child process. Header-only, no asyncjobs types.
#ifndef ASYNCJOBS_BENCH_HARNESS_HPP
#define ASYNCJOBS_BENCH_HARNESS_HPP

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace asyncjobs_bench {

using bench_clock = std::chrono::steady_clock;

inline double ns_since(bench_clock::time_point start)
{
    return std::chrono::duration<double, std::nano>(bench_clock::now() - start).count();
}

inline void check(bool ok, const char* what)
{
    if (!ok)
        throw std::runtime_error(std::string("benchmark self-check failed: ") + what);
}

// ---------------------------------------------------------------------------------------
// Statistics

/// Median of the values that are not NaN; NaN when there are none.
inline double median(std::vector<double> v)
{
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
    if (v.empty())
        return std::nan("");
    std::sort(v.begin(), v.end());
    auto n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

inline double mean(const std::vector<double>& v)
{
    double sum = 0;
    for (double x : v)
        sum += x;
    return v.empty() ? std::nan("") : sum / static_cast<double>(v.size());
}

// ---------------------------------------------------------------------------------------
// Table cells

/// `v` with `big_digits` decimals from `big` up, `medium_digits` from `medium` up, else
/// `small_digits`: three significant figures or so whatever its size.
inline std::string decimals_by_size(double v, double big, int big_digits, double medium, int medium_digits,
                                    int small_digits)
{
    char buf[64];
    int digits = v >= big ? big_digits : v >= medium ? medium_digits : small_digits;
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

inline std::string format_value(double v, const std::string& unit)
{
    if (std::isnan(v))
        return "-";
    return decimals_by_size(v, 100, 0, 10, 1, 2) + " " + unit;
}

inline std::string format_ratio(double r)
{
    if (std::isnan(r))
        return "-";
    return decimals_by_size(r, 10, 0, 0.1, 2, 3) + "x";
}

/// "1,000,000"
inline std::string with_commas(std::size_t n)
{
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Peers run as child processes

/// Runs `command` with /bin/sh, returns its stdout and sets `status` to pclose()'s result
/// (-1 if it could not start).
inline std::string run_capture(const std::string& command, int& status)
{
    std::fflush(nullptr);
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) {
        status = -1;
        return {};
    }
    std::string out;
    char buf[4096];
    for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
        out.append(buf, got);
    status = pclose(pipe);
    return out;
}

/// "g++ 12.2" / "clang++ 14.0"
inline std::string compiler_text()
{
    char buf[64];
#if defined(__clang__)
    std::snprintf(buf, sizeof buf, "clang++ %d.%d", __clang_major__, __clang_minor__);
#else
    std::snprintf(buf, sizeof buf, "g++ %d.%d", __GNUC__, __GNUC_MINOR__);
#endif
    return buf;
}

} // namespace asyncjobs_bench

#endif
