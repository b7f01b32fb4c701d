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

inline std::string format_value(double v, const std::string& unit)
{
    if (std::isnan(v))
        return "-";
    char buf[64];
    if (v >= 100)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (v >= 10)
        std::snprintf(buf, sizeof buf, "%.1f", v);
    else
        std::snprintf(buf, sizeof buf, "%.2f", v);
    return std::string(buf) + " " + unit;
}

inline std::string format_ratio(double r)
{
    if (std::isnan(r))
        return "-";
    char buf[32];
    if (r >= 10)
        std::snprintf(buf, sizeof buf, "%.0fx", r);
    else if (r >= 0.1)
        std::snprintf(buf, sizeof buf, "%.2fx", r);
    else
        std::snprintf(buf, sizeof buf, "%.3fx", r);
    return buf;
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
// JSON

inline std::string json_escape(const std::string& s)
{
    std::string out;
    for (char ch : s) {
        switch (ch) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        default:
            if (static_cast<unsigned char>(ch) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", ch);
                out += buf;
            } else {
                out += ch;
            }
        }
    }
    return out;
}

inline std::string json_number_text(double v)
{
    if (!std::isfinite(v))
        return "null";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

inline std::string json_array(const std::vector<double>& v)
{
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        out += (i ? ", " : "") + json_number_text(v[i]);
    return out + "]";
}

/// The number after "key": in the peer's JSON (our own flat format), if any.
inline std::optional<double> json_number(const std::string& json, const std::string& key)
{
    auto pos = json.find("\"" + key + "\"");
    if (pos == std::string::npos)
        return std::nullopt;
    pos = json.find(':', pos);
    if (pos == std::string::npos)
        return std::nullopt;
    const char* begin = json.c_str() + pos + 1;
    char* end = nullptr;
    double v = std::strtod(begin, &end);
    if (end == begin)
        return std::nullopt;
    return v;
}

/// The string after "key": in the peer's JSON (no escapes in it), if any.
inline std::optional<std::string> json_string(const std::string& json, const std::string& key)
{
    auto v = json.find("\"" + key + "\"");
    if (v == std::string::npos)
        return std::nullopt;
    auto colon = json.find(':', v);
    auto q1 = colon == std::string::npos ? colon : json.find('"', colon + 1);
    auto q2 = q1 == std::string::npos ? q1 : json.find('"', q1 + 1);
    if (q2 == std::string::npos)
        return std::nullopt;
    return json.substr(q1 + 1, q2 - q1 - 1);
}

// ---------------------------------------------------------------------------------------
// Peers run as child processes

inline std::optional<std::string> find_on_path(const std::string& exe)
{
    if (exe.find('/') != std::string::npos)
        return access(exe.c_str(), X_OK) == 0 ? std::optional<std::string>(exe) : std::nullopt;
    const char* path = std::getenv("PATH");
    if (!path)
        return std::nullopt;
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + exe;
        if (access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return std::nullopt;
}

inline std::string shell_quote(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

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
