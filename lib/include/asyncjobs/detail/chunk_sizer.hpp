// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_CHUNK_SIZER_HPP
#define ASYNCJOBS_DETAIL_CHUNK_SIZER_HPP

// Where map()'s automatic chunk size is chosen: from the measured cost of a call, capped by
// how far the reader has got (map_auto_chunk_limit) and by what a sized input has left.

#include <asyncjobs/map_options.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace asyncjobs::detail {

/// Measured cost of one call of the mapped function, shared by the engine and its tasks.
struct map_timing {
    std::atomic<std::uint64_t> ns_per_item{0};
};

/// Chooses the size of the next chunk from measured call times.
class chunk_sizer {
public:
    chunk_sizer(std::size_t fixed, std::size_t workers, std::chrono::nanoseconds target) noexcept
        : fixed_(fixed), workers_(std::max<std::size_t>(1, workers)), target_ns_(static_cast<std::uint64_t>(target.count()))
    {
    }

    /// `limit`: map_auto_chunk_limit() for what the reader has consumed so far.
    std::size_t next(const map_timing& timing, std::optional<std::size_t> remaining, std::size_t limit) noexcept
    {
        if (fixed_)
            return fixed_;
        auto per_item = timing.ns_per_item.load(std::memory_order_relaxed);
        std::size_t size = per_item ? static_cast<std::size_t>(std::max<std::uint64_t>(1, target_ns_ / per_item)) : 1;
        // Grow by at most 4x a step, so one noisy measurement cannot make a huge chunk.
        size = std::clamp<std::size_t>(size, 1, std::min({map_max_auto_chunk, last_ * 4, std::max<std::size_t>(1, limit)}));
        // Near the end of a known-length input, smaller chunks keep every worker busy.
        if (remaining)
            size = std::min(size, std::max<std::size_t>(1, *remaining / (2 * workers_)));
        last_ = size;
        return size;
    }

private:
    std::size_t fixed_;
    std::size_t workers_;
    std::uint64_t target_ns_;
    std::size_t last_ = 1;
};

} // namespace asyncjobs::detail

#endif
