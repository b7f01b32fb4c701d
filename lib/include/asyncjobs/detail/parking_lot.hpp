// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_PARKING_LOT_HPP
#define ASYNCJOBS_DETAIL_PARKING_LOT_HPP

#include <condition_variable>
#include <mutex>

namespace asyncjobs::detail {

// Blocking waits on a future park in one of a fixed set of mutex/condvar buckets
// chosen by the address waited on, so a shared state carries no mutex or condition
// variable of its own: completing a future nobody waits on costs one atomic exchange.
struct parking_bucket {
    std::mutex mutex;
    std::condition_variable cv;
};

parking_bucket& parking_bucket_for(const void* address) noexcept;

} // namespace asyncjobs::detail

#endif
