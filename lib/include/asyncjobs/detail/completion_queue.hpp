// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_COMPLETION_QUEUE_HPP
#define ASYNCJOBS_DETAIL_COMPLETION_QUEUE_HPP

#include <asyncjobs/detail/deadline.hpp>
#include <asyncjobs/detail/parking_lot.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/timeout.hpp>
#include <asyncjobs/future.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
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
///
/// The reader parks on a futex word of its own (parking_lot.hpp), not on a condition
/// variable: a result that arrives while the reader is busy costs its producer no system
/// call at all, one that arrives while it is parked costs one wake, and the woken reader
/// takes no lock to read it. Every result already in is read without parking again, so
/// results that arrive together are drained by one wake-up.
class completion_queue : public boost::intrusive_ref_counter<completion_queue, boost::thread_safe_counter> {
public:
    /// Watches `states`; the queue must already be owned by an intrusive_ptr.
    void watch(const std::vector<state_base*>& states)
    {
        states_ = states;
        // Sized once: producers write slots the reader is not reading yet, never moving them.
        order_.resize(states.size());
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
            // Slots are filled in the order results arrive; the count published last says
            // which slots the reader may read.
            std::lock_guard lock(append_mutex_);
            std::size_t n = ready_.load(std::memory_order_relaxed);
            order_[n] = index;
            auto* s = states_[index];
            if (s->status() == task_status::finished && s->exception())
                exceptions_.store(exceptions_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
            ready_.store(n + 1, std::memory_order_release);
        }
        // A new value (so a reader about to park sees the change and does not) without the
        // parked bit; a wake only when a reader had set it.
        std::uint32_t old = word_.load(std::memory_order_relaxed);
        while (!word_.compare_exchange_weak(old, (old + 2) & ~parked_bit, std::memory_order_acq_rel,
                                            std::memory_order_relaxed)) {
        }
        if (old & parked_bit)
            unpark_all(word_);
    }

    /// Blocks until `done(ready_count, exception_count)` holds; false at the deadline.
    template <class Done>
    bool wait_until(Done done, const std::optional<std::chrono::steady_clock::time_point>& deadline)
    {
        for (;;) {
            if (holds(done))
                return true;
            std::uint32_t word = word_.load(std::memory_order_acquire);
            if (!(word & parked_bit)) {
                if (!word_.compare_exchange_strong(word, word | parked_bit, std::memory_order_acq_rel,
                                                   std::memory_order_acquire))
                    continue;  // a result came in meanwhile: look again
                word |= parked_bit;
            }
            // The bit is set: a result from now on changes the word and wakes this reader,
            // so one that came in before is seen here.
            if (holds(done))
                return true;
            if (!deadline) {
                park(word_, word);
                continue;
            }
            auto left = *deadline - std::chrono::steady_clock::now();
            if (left <= decltype(left)::zero())
                return holds(done);
            // An hour at most at a time, as future::wait_until: no overflow converting a far
            // deadline, and the clock is read again after each wake-up.
            park_for(word_, word,
                     left > std::chrono::hours(1) ? std::chrono::nanoseconds(std::chrono::hours(1))
                                                  : std::chrono::ceil<std::chrono::nanoseconds>(left));
        }
    }

    /// The index of the n-th future to complete; call once wait_until() says it is there.
    std::size_t nth(std::size_t n) const noexcept { return order_[n]; }

private:
    static constexpr std::uint32_t parked_bit = 1;

    template <class Done>
    bool holds(Done& done) const
    {
        // The count last: a slot it covers was written before it was published.
        std::size_t exceptions = exceptions_.load(std::memory_order_relaxed);
        std::size_t ready = ready_.load(std::memory_order_acquire);
        return done(ready, exceptions);
    }

    std::mutex append_mutex_;
    std::atomic<std::size_t> ready_{0};
    std::atomic<std::size_t> exceptions_{0};
    std::atomic<std::uint32_t> word_{0};  // bit 0: a reader is parked; the rest counts results
    std::vector<state_base*> states_;
    std::vector<std::size_t> order_;
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
