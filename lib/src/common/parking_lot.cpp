// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/parking_lot.hpp>

#include <cstdint>

namespace asyncjobs::detail {

namespace {
constexpr std::size_t bucket_count = 128;

// Aligned apart so waiters on different buckets do not share a cache line.
struct alignas(64) padded_bucket : parking_bucket {
};

padded_bucket buckets[bucket_count];
} // namespace

parking_bucket& parking_bucket_for(const void* address) noexcept
{
    auto bits = reinterpret_cast<std::uintptr_t>(address);
    bits ^= bits >> 17;
    bits *= 0x9E3779B97F4A7C15ull;
    return buckets[(bits >> 32) % bucket_count];
}

} // namespace asyncjobs::detail
