// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_WAIT_HPP
#define ASYNCJOBS_WAIT_HPP

#include <asyncjobs/detail/completion_queue.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/timeout.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <ranges>
#include <utility>
#include <vector>

namespace asyncjobs {

/// When wait() returns (Python's FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED).
enum class return_when {
    first_completed,  ///< any future is done or cancelled
    first_exception,  ///< any future ended with an exception (not cancelled), or all are done
    all_completed,    ///< all futures are done or cancelled
};

/// The futures that were done when wait() returned and those that were not, each in input order.
template <class Future>
struct wait_result {
    std::vector<Future*> done;
    std::vector<Future*> not_done;
    /// The range the futures live in when wait() was given an rvalue range (else null):
    /// done and not_done point into it.
    std::shared_ptr<const void> owned_range{};
};

/// Blocks until the condition `when` holds for `futures` (a range of futures,
/// shared_futures or pointers to them) or the timeout passes, and splits them into done
/// and not done. A timeout is not an error: check not_done. A zero timeout just polls.
/// Duplicates are reported once. The futures are not consumed. A const range gives
/// pointers to const futures; an rvalue range is moved into the result (owned_range), so
/// its pointers stay valid as long as the result lives.
template <std::ranges::range Range>
auto wait(Range&& futures, return_when when = return_when::all_completed,
          std::optional<timeout_duration> timeout = std::nullopt)
{
    using future_type = detail::range_future_t<Range>;
    auto deadline = detail::deadline_after(timeout);
    auto kept = detail::keep_range(std::forward<Range>(futures));
    auto distinct = detail::distinct_futures(*kept.range);

    bool must_block = !(timeout && timeout->count() <= 0);
    if (must_block) {
        std::size_t total = distinct.size();
        auto queue = detail::watch_all(distinct);
        queue->wait_until(
            [when, total](std::size_t ready, std::size_t exceptions) {
                switch (when) {
                case return_when::first_completed:
                    return ready >= 1 || total == 0;
                case return_when::first_exception:
                    return exceptions >= 1 || ready == total;
                default:
                    return ready == total;
                }
            },
            deadline);
    }

    wait_result<future_type> result;
    result.owned_range = std::move(kept.owned);
    for (auto* f : distinct)
        (detail::state_of(*f)->ready() ? result.done : result.not_done).push_back(f);
    return result;
}

} // namespace asyncjobs

#endif
