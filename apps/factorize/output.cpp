// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "output.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <condition_variable>
#include <mutex>

namespace factorize {

namespace {

void append_number(std::string& out, u64 n)
{
    char buffer[24];
    auto end = std::to_chars(buffer, buffer + sizeof buffer, n).ptr;
    out.append(buffer, end);
}

std::size_t failures(const std::vector<number_result>& results) noexcept
{
    std::size_t failed = 0;
    for (const auto& r : results)
        failed += r.ok() ? 0 : 1;
    return failed;
}

} // namespace

std::string format_text(const std::vector<u64>& numbers, const std::vector<number_result>& results)
{
    std::string out;
    out.reserve(numbers.size() * 24);
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        append_number(out, numbers[i]);
        out += ':';
        if (!results[i].ok()) {
            out += " error: ";
            out += results[i].error;
        }
        for (u64 f : results[i].factors) {
            out += ' ';
            append_number(out, f);
        }
        out += '\n';
    }
    return out;
}

std::string format_json(const std::vector<u64>& numbers, const std::vector<number_result>& results,
                        const run_description& run)
{
    boost::json::object doc;
    doc["executor"] = run.executor;
    doc["mode"] = run.mode;
    doc["algorithm"] = run.algorithm;
    doc["workers"] = run.workers;
    doc["count"] = numbers.size();
    doc["failed"] = failures(results);
    doc["seconds"] = run.seconds;
    boost::json::array items;
    items.reserve(numbers.size());
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        boost::json::object item;
        item["n"] = numbers[i];
        if (results[i].ok()) {
            boost::json::array factors;
            for (u64 f : results[i].factors)
                factors.emplace_back(f);
            item["factors"] = std::move(factors);
        } else {
            item["error"] = results[i].error;
        }
        items.emplace_back(std::move(item));
    }
    doc["results"] = std::move(items);
    return boost::json::serialize(doc) + "\n";
}

std::string format_summary(const std::vector<number_result>& results, const run_description& run)
{
    char rate[64];
    double per_second = run.seconds > 0 ? static_cast<double>(results.size()) / run.seconds : 0;
    std::snprintf(rate, sizeof rate, "%.3f s (%.0f numbers/s)", run.seconds, per_second);
    std::string out = "factorize: " + std::to_string(results.size()) + (results.size() == 1 ? " number" : " numbers") +
                      " in " + rate;
    std::size_t failed = failures(results);
    out += failed ? ", " + std::to_string(failed) + " failed" : ", none failed";
    out += "; " + run.executor;
    if (run.executor != "serial")
        out += " x" + std::to_string(run.workers) + ", " + run.mode;
    out += ", " + run.algorithm + "\n";
    return out;
}

progress_bar::progress_bar(std::size_t total, bool enabled, std::FILE* out)
    : total_(total), out_(out), start_(std::chrono::steady_clock::now())
{
    if (!enabled || total == 0)
        return;
    thread_ = std::jthread([this](std::stop_token stop) {
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        if (cv.wait_for(lock, stop, std::chrono::milliseconds(500), [] { return false; }))
            return;
        while (!stop.stop_requested()) {
            draw();
            cv.wait_for(lock, stop, std::chrono::milliseconds(100), [] { return false; });
        }
    });
}

progress_bar::~progress_bar() { finish(); }

void progress_bar::finish()
{
    if (!thread_.joinable())
        return;
    thread_.request_stop();
    thread_.join();
    if (shown_) {
        std::fputs("\r\033[K", out_);  // erase the bar: the summary takes its place
        std::fflush(out_);
    }
}

void progress_bar::draw()
{
    constexpr int width = 40;
    std::size_t done = std::min(done_.load(std::memory_order_relaxed), total_);
    double fraction = static_cast<double>(done) / static_cast<double>(total_);
    int filled = static_cast<int>(fraction * width);
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(width - filled), '.');
    std::fprintf(out_, "\r[%s] %3.0f%% %zu/%zu  %.1f s", bar.c_str(), fraction * 100, done, total_, elapsed);
    std::fflush(out_);
    shown_ = true;
}

} // namespace factorize
