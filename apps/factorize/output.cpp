// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "output.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <stdexcept>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

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
    // The order result_writer streams them in: the results first, the totals after.
    doc["results"] = std::move(items);
    doc["count"] = numbers.size();
    doc["failed"] = failures(results);
    doc["seconds"] = run.seconds;
    return boost::json::serialize(doc) + "\n";
}

std::string format_summary(std::size_t count, std::size_t failed, const run_description& run)
{
    char rate[64];
    double per_second = run.seconds > 0 ? static_cast<double>(count) / run.seconds : 0;
    std::snprintf(rate, sizeof rate, "%.3f s (%.0f numbers/s)", run.seconds, per_second);
    std::string out = "factorize: " + std::to_string(count) + (count == 1 ? " number" : " numbers") + " in " + rate;
    out += failed ? ", " + std::to_string(failed) + " failed" : ", none failed";
    out += "; " + run.executor;
    if (run.executor != "serial")
        out += " x" + std::to_string(run.workers) + ", " + run.mode;
    out += ", " + run.algorithm + "\n";
    return out;
}

result_writer::result_writer(int fd, bool json, const run_description& run)
    : fd_(fd), json_(json), buffer_(std::make_unique<char[]>(capacity))
{
    if (json_) {
        boost::json::object head;
        head["executor"] = run.executor;
        head["mode"] = run.mode;
        head["algorithm"] = run.algorithm;
        head["workers"] = run.workers;
        std::string text = boost::json::serialize(head);
        text.pop_back();  // the closing brace: results follow
        put(text);
        put(",\"results\":[");
    }
}

void result_writer::put(std::string_view text)
{
    while (!text.empty()) {
        if (used_ == capacity)
            flush();
        std::size_t n = std::min(text.size(), capacity - used_);
        std::memcpy(buffer_.get() + used_, text.data(), n);
        used_ += n;
        text.remove_prefix(n);
    }
}

void result_writer::add(u64 n, const u64* factors, std::size_t count)
{
    // A line is at most 21 characters a number: make room once, then write in place.
    if (capacity - used_ < 32 + 21 * count)
        flush();
    char* p = buffer_.get() + used_;
    char* const end = buffer_.get() + capacity;
    if (json_) {
        if (count_)
            *p++ = ',';
        p = std::copy_n("{\"n\":", 5, p);
        p = std::to_chars(p, end, n).ptr;
        p = std::copy_n(",\"factors\":[", 12, p);
        for (std::size_t i = 0; i < count; ++i) {
            if (i)
                *p++ = ',';
            p = std::to_chars(p, end, factors[i]).ptr;
        }
        *p++ = ']';
        *p++ = '}';
    } else {
        p = std::to_chars(p, end, n).ptr;
        *p++ = ':';
        for (std::size_t i = 0; i < count; ++i) {
            *p++ = ' ';
            p = std::to_chars(p, end, factors[i]).ptr;
        }
        *p++ = '\n';
    }
    used_ = static_cast<std::size_t>(p - buffer_.get());
    ++count_;
    if (used_ >= flush_at)
        flush();
}

void result_writer::add_error(u64 n, const std::string& why)
{
    char digits[24];
    std::string_view number(digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, n).ptr - digits));
    if (json_) {
        put(count_ ? ",{\"n\":" : "{\"n\":");
        put(number);
        put(",\"error\":");
        put(boost::json::serialize(boost::json::value(why)));
        put("}");
    } else {
        put(number);
        put(": error: ");
        put(why);
        put("\n");
    }
    ++count_;
    ++failed_;
}

void result_writer::add_lines(std::string_view lines, std::size_t count)
{
    count_ += count;
    if (used_ + lines.size() <= flush_at) {
        put(lines);
        return;
    }
    // A block's lines (~100 KB for 4096 numbers) go out in one writev with what is
    // buffered: no copy through the buffer.
    iovec parts[2] = {{buffer_.get(), used_}, {const_cast<char*>(lines.data()), lines.size()}};
    std::size_t total = used_ + lines.size();
    while (total) {
        ssize_t n = ::writev(fd_, parts, 2);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw std::runtime_error(std::string("cannot write the results: ") + std::strerror(errno));
        auto done = static_cast<std::size_t>(n);
        total -= done;
        for (auto& part : parts) {
            std::size_t k = std::min(done, part.iov_len);
            part.iov_base = static_cast<char*>(part.iov_base) + k;
            part.iov_len -= k;
            done -= k;
        }
    }
    used_ = 0;
}

void result_writer::finish(double seconds, const std::string& input_error)
{
    if (json_) {
        boost::json::object tail;
        if (!input_error.empty())
            tail["error"] = input_error;
        tail["count"] = count_;
        tail["failed"] = failed_;
        tail["seconds"] = seconds;
        put("],");
        put(boost::json::serialize(tail).substr(1));  // without its opening brace
        put("\n");
    }
    flush();
}

void result_writer::flush()
{
    std::size_t done = 0;
    while (done < used_) {
        ssize_t n = ::write(fd_, buffer_.get() + done, used_ - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw std::runtime_error(std::string("cannot write the results: ") + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
    used_ = 0;
}

std::size_t progress_bar::line_width(std::FILE* out)
{
    std::size_t columns = 0;
    winsize size{};
    if (::ioctl(::fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        columns = size.ws_col;
    else if (const char* env = std::getenv("COLUMNS"); env && *env) {
        char* end = nullptr;
        unsigned long value = std::strtoul(env, &end, 10);
        if (*end == '\0' && value > 0 && value < 10000)
            columns = value;
    }
    if (columns == 0)
        columns = 80;
    return columns - 1;
}

progress_bar::progress_bar(std::size_t total, bool enabled, std::FILE* out)
    : total_(total), out_(out), start_(std::chrono::steady_clock::now())
{
    if (!enabled)
        return;
    width_ = line_width(out);
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
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::size_t done = done_.load(std::memory_order_relaxed);
    char numbers[128];
    double fraction = 0;
    if (total_) {
        done = std::min(done, total_);
        fraction = static_cast<double>(done) / static_cast<double>(total_);
        std::snprintf(numbers, sizeof numbers, " %3.0f%% %zu/%zu  %.1f s", fraction * 100, done, total_, elapsed);
    } else {
        double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
        std::snprintf(numbers, sizeof numbers, " %zu numbers  %.1f s  %.0f/s", done, elapsed, rate);
    }
    // The numbers first; the bar gets the columns they leave (none on a very narrow terminal),
    // and what still does not fit is cut, so the line never wraps.
    std::string line;
    std::size_t text = std::strlen(numbers);
    std::size_t room = width_ > text + 2 ? width_ - text - 2 : 0;
    std::size_t bar_width = std::min<std::size_t>(40, room);
    if (total_ && bar_width >= 10) {
        // Appended in place: g++ 12 -O3 warns (-Wrestrict) on chains of std::string +.
        auto filled = static_cast<std::size_t>(fraction * static_cast<double>(bar_width));
        line.push_back('[');
        line.append(filled, '#');
        line.append(bar_width - filled, '.');
        line.push_back(']');
    }
    line.append(numbers, text);
    if (line.size() > width_)
        line.resize(width_);
    std::fprintf(out_, "\r%s\033[K", line.c_str());
    std::fflush(out_);
    shown_ = true;
}

} // namespace factorize
