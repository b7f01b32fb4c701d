// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_AS_COMPLETED_HPP
#define ASYNCJOBS_AS_COMPLETED_HPP

#include <asyncjobs/detail/completion_queue.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/timeout.hpp>

#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <type_traits>
#include <utility>
#include <vector>

namespace asyncjobs {

/// The futures of a range in the order they complete; see as_completed().
template <class Future>
class as_completed_range {
public:
    class iterator {
    public:
        using value_type = std::remove_cv_t<Future>;
        using reference = Future&;
        using difference_type = std::ptrdiff_t;
        using iterator_concept = std::input_iterator_tag;

        iterator() noexcept = default;
        Future& operator*() const { return *owner_->current_; }
        Future* operator->() const { return owner_->current_; }
        iterator& operator++()
        {
            owner_->next();
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return it.finished(); }

    private:
        bool finished() const noexcept { return !owner_ || owner_->current_ == nullptr; }
        friend class as_completed_range;
        explicit iterator(as_completed_range* owner) noexcept : owner_(owner) {}
        as_completed_range* owner_ = nullptr;
    };

    /// `owned`: the range the futures live in, when as_completed() was given an rvalue.
    as_completed_range(std::vector<Future*> futures, std::optional<std::chrono::steady_clock::time_point> deadline,
                       std::shared_ptr<const void> owned = nullptr)
        : owned_(std::move(owned)), futures_(std::move(futures)), deadline_(deadline), queue_(detail::watch_all(futures_))
    {
    }

    /// Blocks until the first future completes (throws timeout_error past the deadline).
    iterator begin()
    {
        if (!started_) {
            started_ = true;
            next();
        }
        return iterator(this);
    }
    std::default_sentinel_t end() const noexcept { return {}; }

private:
    friend class iterator;

    void next()
    {
        current_ = nullptr;
        if (yielded_ == futures_.size())
            return;
        std::size_t want = yielded_ + 1;
        if (!queue_->wait_until([want](std::size_t ready, std::size_t) { return ready >= want; }, deadline_))
            throw timeout_error("asyncjobs: as_completed() timed out with " + std::to_string(futures_.size() - yielded_) +
                                " of " + std::to_string(futures_.size()) + " futures not done; they keep running");
        current_ = futures_[queue_->nth(yielded_++)];
    }

    std::shared_ptr<const void> owned_;
    std::vector<Future*> futures_;
    std::optional<std::chrono::steady_clock::time_point> deadline_;
    boost::intrusive_ptr<detail::completion_queue> queue_;
    Future* current_ = nullptr;
    std::size_t yielded_ = 0;
    bool started_ = false;
};

/// Yields references to the futures of `futures` (a range of futures, shared_futures or
/// pointers to them) as they complete: those already done first, in input order. A future
/// that appears twice is yielded once. With a timeout (one deadline from the call), reading
/// past the deadline throws timeout_error. Iterating never consumes the futures.
/// A const range yields const references (enough for a shared_future's get()). An rvalue
/// range (`as_completed(std::vector{a, b})`, `as_completed(std::move(futures))`) is moved
/// into the result, so the references point into the result and live as long as it does.
template <std::ranges::range Range>
auto as_completed(Range&& futures, std::optional<timeout_duration> timeout = std::nullopt)
{
    using future_type = detail::range_future_t<Range>;
    auto deadline = detail::deadline_after(timeout);
    auto kept = detail::keep_range(std::forward<Range>(futures));
    return as_completed_range<future_type>(detail::distinct_futures(*kept.range), deadline, std::move(kept.owned));
}

} // namespace asyncjobs

#endif
