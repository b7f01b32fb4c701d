// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_REPLY_BUFFER_HPP
#define ASYNCJOBS_DETAIL_REPLY_BUFFER_HPP

#include <asyncjobs/detail/frame.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace asyncjobs::detail {

class shared_region;

/// Where a worker encodes its replies: straight into its shared region while the parent
/// is done with the last frame there (a large reply then needs no copy at all before the
/// parent decodes it), otherwise into memory of its own. The codec appends to it like to
/// a std::string.
class reply_buffer {
public:
    reply_buffer() = default;
    reply_buffer(const reply_buffer&) = delete;
    reply_buffer& operator=(const reply_buffer&) = delete;

    /// Starts a reply, in `region` if it is available (null: in own memory).
    void start(shared_region* region) noexcept;
    /// True while the bytes are in the shared region.
    bool in_region() const noexcept { return region_ != nullptr; }

    void append(const char* bytes, std::size_t n)
    {
        if (capacity_ - size_ < n)
            grow(size_ + n);
        std::memcpy(data_ + size_, bytes, n);
        size_ += n;
    }
    void push_back(char c) { append(&c, 1); }
    std::size_t size() const noexcept { return size_; }
    /// Drops the bytes after `n` (an abandoned frame).
    void truncate(std::size_t n) noexcept { size_ = n < size_ ? n : size_; }
    std::span<const std::byte> bytes() const noexcept { return {reinterpret_cast<const std::byte*>(data_), size_}; }

    /// Reserves a frame header; the payload is appended after it. Returns where it starts.
    std::size_t begin_frame();
    /// Writes the header of the frame begun at `start` (see frame.hpp's finish_frame).
    void finish_frame(std::size_t start, frame_kind kind, std::uint64_t task_id);

    /// Forgets the bytes (and gives back a very large own buffer).
    void clear() noexcept;

private:
    void grow(std::size_t at_least);

    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
    shared_region* region_ = nullptr;
    std::unique_ptr<char[]> own_;
    std::size_t own_capacity_ = 0;
};

} // namespace asyncjobs::detail

#endif
