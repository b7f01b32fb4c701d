// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_BYTE_SINK_HPP
#define ASYNCJOBS_DETAIL_BYTE_SINK_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace asyncjobs::detail {

/// Where a call's arguments are encoded: appended to a std::string, or written to memory
/// of a fixed size (a worker's shared region). Past its limit it stores nothing more and
/// only counts, so that large arguments can be measured at submit without being copied,
/// then encoded once, straight into the region of the worker that gets them.
class byte_sink {
public:
    static constexpr std::size_t unlimited = SIZE_MAX;

    /// Appends to `out`, at most `limit` bytes (then only counts).
    explicit byte_sink(std::string& out, std::size_t limit = unlimited) noexcept : string_(&out), limit_(limit) {}
    /// Writes to the `capacity` bytes at `at` (then only counts).
    byte_sink(std::byte* at, std::size_t capacity) noexcept : memory_(reinterpret_cast<char*>(at)), limit_(capacity) {}

    void append(const char* bytes, std::size_t n)
    {
        if (!full_ && n <= limit_ - size_) {
            if (string_)
                string_->append(bytes, n);
            else if (n)
                std::memcpy(memory_ + size_, bytes, n);
        } else {
            full_ = true;
        }
        size_ += n;
    }
    void push_back(char c) { append(&c, 1); }

    /// Bytes encoded, stored or not.
    std::size_t size() const noexcept { return size_; }
    /// True if every byte encoded was stored.
    bool complete() const noexcept { return !full_; }

private:
    std::string* string_ = nullptr;
    char* memory_ = nullptr;
    std::size_t limit_ = unlimited;
    std::size_t size_ = 0;
    bool full_ = false;
};

} // namespace asyncjobs::detail

#endif
