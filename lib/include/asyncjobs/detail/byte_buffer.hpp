// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_BYTE_BUFFER_HPP
#define ASYNCJOBS_DETAIL_BYTE_BUFFER_HPP

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>

namespace asyncjobs::detail {

/// The receive buffer of a pipe: unread bytes [begin, end) and free space after them.
/// Unlike std::vector it never zero-fills what a read() is about to overwrite, which
/// showed up as a memset of every large frame.
class byte_buffer {
public:
    explicit byte_buffer(std::size_t capacity = 1 << 16) : data_(new std::byte[capacity]), capacity_(capacity) {}

    std::span<const std::byte> unread() const noexcept { return {data_.get() + begin_, end_ - begin_}; }
    void consume(std::size_t n) noexcept
    {
        begin_ += n;
        if (begin_ == end_)
            begin_ = end_ = 0;
    }

    /// Free space for the next read, at least `at_least` bytes of it (moves the unread
    /// bytes to the front and grows as needed).
    std::span<std::byte> free_space(std::size_t at_least = 1)
    {
        if (capacity_ - end_ < at_least && begin_ > 0) {
            std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (capacity_ - end_ < at_least) {
            std::size_t grown = std::max(capacity_ * 2, end_ + at_least);
            std::unique_ptr<std::byte[]> bigger(new std::byte[grown]);
            std::memcpy(bigger.get(), data_.get() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
            data_ = std::move(bigger);
            capacity_ = grown;
        }
        return {data_.get() + end_, capacity_ - end_};
    }
    void commit(std::size_t n) noexcept { end_ += n; }

    /// Gives memory back after a large frame, once nothing is left unread.
    void shrink(std::size_t keep = 1 << 16)
    {
        if (capacity_ > (std::size_t{64} << 20) && begin_ == end_) {
            data_.reset(new std::byte[keep]);
            capacity_ = keep;
            begin_ = end_ = 0;
        }
    }

private:
    std::unique_ptr<std::byte[]> data_;
    std::size_t capacity_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

} // namespace asyncjobs::detail

#endif
