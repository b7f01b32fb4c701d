// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/parking_lot.hpp>

#include <climits>
#include <ctime>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace asyncjobs::detail {

namespace {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "a futex is a plain 32-bit word");

// Private futexes: a state lives in its own process's memory (a fork() child never waits
// on its parent's states: state_base::throw_if_forked).
long futex(const std::atomic<std::uint32_t>& word, int op, std::uint32_t value, const timespec* timeout) noexcept
{
    return ::syscall(SYS_futex, const_cast<std::atomic<std::uint32_t>*>(&word), op | FUTEX_PRIVATE_FLAG, value,
                     timeout, nullptr, 0);
}

} // namespace

void park(const std::atomic<std::uint32_t>& word, std::uint32_t expected) noexcept
{
    futex(word, FUTEX_WAIT, expected, nullptr);  // EAGAIN (changed) and EINTR: the caller looks again
}

void park_for(const std::atomic<std::uint32_t>& word, std::uint32_t expected, std::chrono::nanoseconds timeout) noexcept
{
    if (timeout.count() <= 0)
        return;
    timespec relative{static_cast<time_t>(timeout.count() / 1'000'000'000),
                      static_cast<long>(timeout.count() % 1'000'000'000)};
    futex(word, FUTEX_WAIT, expected, &relative);
}

void unpark_all(const std::atomic<std::uint32_t>& word) noexcept { futex(word, FUTEX_WAKE, INT_MAX, nullptr); }

} // namespace asyncjobs::detail
