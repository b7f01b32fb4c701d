// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_TIMEOUT_HPP
#define ASYNCJOBS_TIMEOUT_HPP

#include <chrono>
#include <type_traits>

namespace asyncjobs {

/// The timeout that wait(), as_completed() and map_options take: any std::chrono::duration,
/// integral or floating, converted to the steady clock's resolution with saturation. A plain
/// steady_clock::duration parameter would make the caller's implicit conversion overflow (and
/// std::chrono::hours::max() would come out negative: a poll instead of "wait forever").
class timeout_duration {
public:
    using duration = std::chrono::steady_clock::duration;

    template <class Rep, class Period>
    constexpr timeout_duration(const std::chrono::duration<Rep, Period>& timeout) noexcept  // NOLINT: implicit by design
        : value_(saturate(timeout))
    {
    }

    /// The timeout in steady_clock ticks; duration::max() stands for "longer than any wait".
    constexpr duration get() const noexcept { return value_; }
    constexpr duration::rep count() const noexcept { return value_.count(); }
    constexpr operator duration() const noexcept { return value_; }

private:
    template <class Rep, class Period>
    static constexpr duration saturate(const std::chrono::duration<Rep, Period>& timeout) noexcept
    {
        // Compare in long double seconds: it holds every integral chrono value's magnitude,
        // so the comparison itself cannot overflow. NaN counts as "no wait".
        using seconds = std::chrono::duration<long double>;
        seconds in_seconds(timeout);
        if (!(in_seconds == in_seconds) || in_seconds <= seconds(duration::zero()))
            return in_seconds < seconds(duration::zero()) ? duration::min() : duration::zero();
        if (in_seconds >= seconds(duration::max()) * (1 - 1e-9L))  // margin: rounding must not overflow
            return duration::max();
        if constexpr (std::is_floating_point_v<Rep>)
            return std::chrono::duration_cast<duration>(in_seconds);
        else
            return std::chrono::duration_cast<duration>(timeout);
    }

    duration value_;
};

} // namespace asyncjobs

#endif
