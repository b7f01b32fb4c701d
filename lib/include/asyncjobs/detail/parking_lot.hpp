// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_PARKING_LOT_HPP
#define ASYNCJOBS_DETAIL_PARKING_LOT_HPP

#include <atomic>
#include <chrono>
#include <cstdint>

namespace asyncjobs::detail {

// Blocking waits on a future park on the state's own status word (a Linux futex), so a
// shared state carries no mutex or condition variable of its own: completing a future
// nobody waits on costs one atomic exchange, and one a thread waits on one system call.
// A condition variable cost three more per wake-up: the woken waiter re-locks its mutex
// as contended, so its unlock is a system call, and a notify under the lock made it block
// on that lock once more.

/// Blocks while `word` holds `expected`, until unpark_all() on it; may return early.
void park(const std::atomic<std::uint32_t>& word, std::uint32_t expected) noexcept;
/// park() for at most `timeout` (capped by the caller; may return early).
void park_for(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
              std::chrono::nanoseconds timeout) noexcept;
/// Wakes every thread parked on `word`.
void unpark_all(const std::atomic<std::uint32_t>& word) noexcept;

} // namespace asyncjobs::detail

#endif
