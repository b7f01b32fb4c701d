// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_SRC_FRAME_BUFFER_POOL_HPP
#define ASYNCJOBS_SRC_FRAME_BUFFER_POOL_HPP

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace asyncjobs::detail {

/// Large call frames are encoded into buffers that are used again. A fresh 10 MB buffer
/// costs a page fault per 4 KiB (the allocator maps it afresh and unmaps it after use), and
/// on a virtual machine those faults cost more than copying the data: measured here, a
/// 10 MB echo spent most of its time faulting in buffers like this one.
class frame_buffer_pool {
public:
    /// Buffers smaller than this are not worth keeping; larger than `largest` are not kept.
    static constexpr std::size_t smallest = std::size_t{256} << 10;
    static constexpr std::size_t largest = std::size_t{16} << 20;

    explicit frame_buffer_pool(std::size_t keep) : keep_(keep) {}

    /// An empty string, with the capacity of a kept buffer when there is one.
    std::string take()
    {
        if (!count_.load(std::memory_order_relaxed))
            return {};
        std::lock_guard lock(mutex_);
        if (buffers_.empty())
            return {};
        std::string buffer = std::move(buffers_.back());
        buffers_.pop_back();
        count_.store(buffers_.size(), std::memory_order_relaxed);
        return buffer;
    }

    /// Keeps `buffer` for a later take() if it is large enough to be worth it.
    void give_back(std::string&& buffer)
    {
        if (buffer.capacity() < smallest || buffer.capacity() > largest)
            return;
        buffer.clear();
        std::lock_guard lock(mutex_);
        if (buffers_.size() < keep_) {
            buffers_.push_back(std::move(buffer));
            count_.store(buffers_.size(), std::memory_order_relaxed);
        }
    }

private:
    const std::size_t keep_;
    std::atomic<std::size_t> count_{0};
    std::mutex mutex_;
    std::vector<std::string> buffers_;
};

} // namespace asyncjobs::detail

#endif
