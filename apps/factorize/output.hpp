// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// What the app prints: results in input order as text or JSON on stdout, a summary and a
// progress bar on stderr.
#ifndef FACTORIZE_OUTPUT_HPP
#define FACTORIZE_OUTPUT_HPP

#include "drivers.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace factorize {

/// One line a number: "n: p1 p2 ...", "0:" and "1:" (no prime factors), "n: error: why".
std::string format_text(const std::vector<u64>& numbers, const std::vector<number_result>& results);

/// What the JSON document says about the run besides the results.
struct run_description {
    std::string executor;
    std::string mode;
    std::string algorithm;
    std::size_t workers = 0;
    double seconds = 0;
};

/// {"executor":..., "mode":..., "algorithm":..., "workers":..., "count":..., "failed":...,
///  "seconds":..., "results":[{"n":12,"factors":[2,2,3]}, {"n":7,"error":"..."}, ...]}
/// Numbers are JSON integers (exact up to 2^64-1; JavaScript readers lose digits past 2^53).
std::string format_json(const std::vector<u64>& numbers, const std::vector<number_result>& results,
                        const run_description& run);

/// "factorize: 1000 numbers in 0.123 s (8130 numbers/s), 2 failed; threads x2, map, trial"
std::string format_summary(const std::vector<number_result>& results, const run_description& run);

/// A progress bar on stderr, redrawn by a thread of its own every 100 ms, first shown after
/// half a second (short runs never show one). add() may be called from any thread.
class progress_bar {
public:
    progress_bar(std::size_t total, bool enabled, std::FILE* out = stderr);
    progress_bar(const progress_bar&) = delete;
    progress_bar& operator=(const progress_bar&) = delete;
    ~progress_bar();

    void add(std::size_t done) noexcept { done_.fetch_add(done, std::memory_order_relaxed); }
    /// Stops redrawing and erases the bar.
    void finish();

private:
    void draw();

    std::size_t total_;
    std::FILE* out_;
    std::atomic<std::size_t> done_{0};
    std::chrono::steady_clock::time_point start_;
    bool shown_ = false;
    std::jthread thread_;
};

} // namespace factorize

#endif
