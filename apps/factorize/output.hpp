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
#include <memory>
#include <string>
#include <string_view>
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

/// {"executor":..., "mode":..., "algorithm":..., "workers":..., "results":[{"n":12,"factors":[2,2,3]},
///  {"n":7,"error":"..."}, ...], "count":..., "failed":..., "seconds":...}: the members in the
/// order result_writer streams them, so that --serve and the command line print the same.
/// Numbers are JSON integers (exact up to 2^64-1; JavaScript readers lose digits past 2^53).
std::string format_json(const std::vector<u64>& numbers, const std::vector<number_result>& results,
                        const run_description& run);

/// "factorize: 1000 numbers in 0.123 s (8130 numbers/s), 2 failed; threads x2, map, trial"
std::string format_summary(std::size_t count, std::size_t failed, const run_description& run);

/// The results of a streaming run, written in input order to a file descriptor through a
/// 64 KiB buffer with hand-formatted integers: the text lines of format_text or, with
/// json, the document of format_json written a result at a time (the run's details first,
/// then "results", then "count", "failed" and "seconds", known only at the end).
/// Nothing is written until flush() or a full buffer: the caller flushes when it is
/// about to wait (for input or for a result), so a reader sees every ready result then.
class result_writer {
public:
    result_writer(int fd, bool json, const run_description& run);
    void add(u64 n, const u64* factors, std::size_t count);
    void add_error(u64 n, const std::string& why);
    /// `count` results already formatted as text lines (format_batch's); text output only.
    /// Lines that do not fit in the buffer are written at once, with what it holds, in one
    /// writev (no copy through the buffer).
    void add_lines(std::string_view lines, std::size_t count);
    /// Closes the JSON document (with "error": input_error when given) and flushes.
    void finish(double seconds, const std::string& input_error = {});
    void flush();
    std::size_t count() const noexcept { return count_; }
    std::size_t failed() const noexcept { return failed_; }

private:
    void put(std::string_view text);

    static constexpr std::size_t flush_at = 64 * 1024;
    static constexpr std::size_t capacity = flush_at + 32 + 21 * max_factors;  // room for one more line
    int fd_;
    bool json_;
    std::unique_ptr<char[]> buffer_;
    std::size_t used_ = 0;
    std::size_t count_ = 0, failed_ = 0;
};

/// A progress bar on stderr, redrawn by a thread of its own every 100 ms, first shown after
/// half a second (short runs never show one). add() may be called from any thread. With a
/// total of 0 (a stream of unknown length) it shows the count and the rate instead. Its line
/// fits the terminal: the width comes from TIOCGWINSZ on `out`, else $COLUMNS, else 80.
/// (The bar itself gets what the numbers leave, at most 40 columns.)
class progress_bar {
public:
    progress_bar(std::size_t total, bool enabled, std::FILE* out = stderr);
    progress_bar(const progress_bar&) = delete;
    progress_bar& operator=(const progress_bar&) = delete;
    ~progress_bar();

    void add(std::size_t done) noexcept { done_.fetch_add(done, std::memory_order_relaxed); }
    /// Stops redrawing and erases the bar.
    void finish();

    /// The width the bar's line is kept within (one less than the terminal's columns,
    /// since writing the last column makes some terminals wrap).
    static std::size_t line_width(std::FILE* out);

private:
    void draw();

    std::size_t total_;
    std::FILE* out_;
    std::atomic<std::size_t> done_{0};
    std::chrono::steady_clock::time_point start_;
    bool shown_ = false;
    std::size_t width_ = 79;
    std::jthread thread_;
};

} // namespace factorize

#endif
