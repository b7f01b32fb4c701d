// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/reply_buffer.hpp>
#include <asyncjobs/detail/shared_region.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace asyncjobs::detail {

void reply_buffer::start(shared_region* region) noexcept
{
    size_ = 0;
    region_ = nullptr;
    if (region && region->available()) {
        if (std::byte* at = region->reserve(0)) {
            region_ = region;
            data_ = reinterpret_cast<char*>(at);
            capacity_ = region->reserved();
            return;
        }
    }
    data_ = own_.get();
    capacity_ = own_capacity_;
}

void reply_buffer::grow(std::size_t at_least)
{
    if (region_) {
        // The mapping is fixed: growing the region keeps every byte where it is.
        std::size_t wanted = std::max(at_least, capacity_ + capacity_ / 2);
        if (region_->reserve(std::min(wanted, region_->max_frame())) && region_->reserved() >= at_least) {
            capacity_ = region_->reserved();
            return;
        }
        // Too large for the region, or no memory for it to grow: go on in own memory.
        region_ = nullptr;
    }
    if (own_capacity_ < at_least) {
        std::size_t grown = std::max({at_least, own_capacity_ * 2, std::size_t{1} << 16});
        std::unique_ptr<char[]> bigger(new char[grown]);
        if (size_)
            std::memcpy(bigger.get(), data_, size_);
        own_ = std::move(bigger);
        own_capacity_ = grown;
    } else if (data_ != own_.get() && size_) {
        std::memcpy(own_.get(), data_, size_);
    }
    data_ = own_.get();
    capacity_ = own_capacity_;
}

std::size_t reply_buffer::begin_frame()
{
    std::size_t start = size_;
    const char zeros[frame_header_size] = {};
    append(zeros, frame_header_size);
    return start;
}

void reply_buffer::finish_frame(std::size_t start, frame_kind kind, std::uint64_t task_id)
{
    std::size_t payload = size_ - start - frame_header_size;
    if (payload > UINT32_MAX)
        throw std::length_error("asyncjobs: a result over 4 GiB cannot be sent; split the work into several tasks");
    std::string header;
    append_frame_header(header, frame_header{kind, task_id, static_cast<std::uint32_t>(payload)});
    std::memcpy(data_ + start, header.data(), frame_header_size);
}

void reply_buffer::clear() noexcept
{
    size_ = 0;
    if (own_capacity_ > (std::size_t{64} << 20)) {
        if (data_ == own_.get())
            data_ = nullptr;
        own_.reset();
        own_capacity_ = 0;
    }
}

} // namespace asyncjobs::detail
