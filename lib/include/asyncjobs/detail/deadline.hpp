// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_DEADLINE_HPP
#define ASYNCJOBS_DETAIL_DEADLINE_HPP

#include <chrono>

namespace asyncjobs::detail {

/// now + timeout on the steady clock, saturating instead of overflowing, so that a timeout
/// like std::chrono::hours::max() means "wait forever" rather than "already expired".
template <class Rep, class Period>
std::chrono::steady_clock::time_point deadline_from_now(const std::chrono::duration<Rep, Period>& timeout)
{
    using clock = std::chrono::steady_clock;
    auto now = clock::now();
    if (timeout <= timeout.zero())
        return now;
    using seconds = std::chrono::duration<double>;
    if (seconds(timeout) >= seconds(clock::time_point::max() - now) * 0.5)
        return clock::time_point::max();
    return now + std::chrono::duration_cast<clock::duration>(timeout);
}

} // namespace asyncjobs::detail

#endif
