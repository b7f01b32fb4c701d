// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_COMPLETION_QUEUE_HPP
#define ASYNCJOBS_DETAIL_COMPLETION_QUEUE_HPP

#include <asyncjobs/detail/deadline.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/timeout.hpp>
#include <asyncjobs/future.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <ranges>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace asyncjobs::detail {

/// One of an array of callbacks that report "input `index` is ready" to a reference-counted
/// owner; each registered node holds one reference to the owner until it fires. One
/// allocation for all the nodes, whatever the number of futures.
template <class Owner>
class indexed_callback final : public callback_node {
public:
    Owner* owner = nullptr;
    std::size_t index = 0;

    void fire() noexcept override
    {
        Owner* o = owner;
        o->on_ready(index);
        intrusive_ptr_release(o);
    }
};

/// Ranges given to as_completed() and wait() hold futures or pointers to futures.
template <class Element>
auto& deref_future(Element& e) noexcept
{
    if constexpr (std::is_pointer_v<Element>)
        return *e;
    else
        return e;
}

/// The future type a range holds, const when the range gives const futures (a const
/// range of shared_futures): as_completed() and wait() then yield const references.
template <class Range>
using range_future_t = std::remove_reference_t<decltype(deref_future(std::declval<std::ranges::range_reference_t<Range>>()))>;

/// as_completed() and wait() on an rvalue range (a temporary vector, a view): the range is
/// moved to the heap and kept alive by what they return, which points into it.
template <class Range>
struct range_keeper {
    std::shared_ptr<const void> owned;
    std::remove_reference_t<Range>* range = nullptr;
};
template <class Range>
auto keep_range(Range&& futures)
{
    using plain = std::remove_reference_t<Range>;
    if constexpr (std::is_lvalue_reference_v<Range>) {
        return range_keeper<Range>{nullptr, std::addressof(futures)};
    } else {
        auto owned = std::make_shared<std::remove_cv_t<plain>>(std::move(futures));
        auto* range = owned.get();
        return range_keeper<Range>{std::move(owned), range};
    }
}

/// The distinct futures of a range (a state that appears twice is kept once), in input order.
template <class Range>
std::vector<range_future_t<Range>*> distinct_futures(Range& futures)
{
    std::vector<range_future_t<Range>*> out;
    std::unordered_set<const state_base*> seen;
    for (auto&& element : futures) {
        auto& f = deref_future(element);
        auto* s = state_of(f);
        if (!s)
            throw invalid_future();
        if (seen.insert(s).second)
            out.push_back(&f);
    }
    return out;
}

/// Collects the indices of futures in the order they complete, for threads that block on
/// them (as_completed, wait).
class completion_queue : public boost::intrusive_ref_counter<completion_queue, boost::thread_safe_counter> {
public:
    /// Watches `states`; the queue must already be owned by an intrusive_ptr.
    void watch(const std::vector<state_base*>& states)
    {
        states_ = states;
        order_.reserve(states.size());
        nodes_ = std::make_unique<indexed_callback<completion_queue>[]>(states.size());
        for (std::size_t i = 0; i < states.size(); ++i) {
            // A future whose completion has run its course counts at once, in input order.
            // One still firing its callbacks is watched like the others, so that futures
            // complete in this queue in the order their callbacks fire.
            if (states[i]->callbacks_fired()) {
                on_ready(i);
                continue;
            }
            nodes_[i].owner = this;
            nodes_[i].index = i;
            intrusive_ptr_add_ref(this);
            states[i]->add_callback(&nodes_[i]);
        }
    }

    void on_ready(std::size_t index) noexcept
    {
        {
            std::lock_guard lock(mutex_);
            order_.push_back(index);
            auto* s = states_[index];
            if (s->status() == task_status::finished && s->exception())
                ++exceptions_;
        }
        cv_.notify_all();
    }

    /// Blocks until `done(ready_count, exception_count)` holds; false at the deadline.
    template <class Done>
    bool wait_until(Done done, const std::optional<std::chrono::steady_clock::time_point>& deadline)
    {
        std::unique_lock lock(mutex_);
        auto ok = [&] { return done(order_.size(), exceptions_); };
        if (!deadline) {
            cv_.wait(lock, ok);
            return true;
        }
        return cv_.wait_until(lock, *deadline, ok);
    }

    /// The index of the n-th future to complete; call once wait_until() says it is there.
    std::size_t nth(std::size_t n)
    {
        std::lock_guard lock(mutex_);
        return order_[n];
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<state_base*> states_;
    std::vector<std::size_t> order_;
    std::size_t exceptions_ = 0;
    std::unique_ptr<indexed_callback<completion_queue>[]> nodes_;
};

template <class Future>
boost::intrusive_ptr<completion_queue> watch_all(const std::vector<Future*>& futures)
{
    std::vector<state_base*> states;
    states.reserve(futures.size());
    for (auto* f : futures)
        states.push_back(state_of(*f));
    boost::intrusive_ptr<completion_queue> queue(new completion_queue);
    queue->watch(states);
    return queue;
}

inline std::optional<std::chrono::steady_clock::time_point> deadline_after(
    const std::optional<timeout_duration>& timeout)
{
    if (!timeout)
        return std::nullopt;
    return deadline_from_now(timeout->get());
}

} // namespace asyncjobs::detail

#endif
