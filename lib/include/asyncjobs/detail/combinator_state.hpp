// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_COMBINATOR_STATE_HPP
#define ASYNCJOBS_DETAIL_COMBINATOR_STATE_HPP

#include <asyncjobs/detail/completion_queue.hpp>
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/future.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

namespace asyncjobs::detail {

template <class Sequence>
void for_each_future(Sequence& futures, auto&& fn)
{
    if constexpr (requires { futures.size(); futures[0]; }) {
        for (auto& f : futures)
            fn(f);
    } else {
        std::apply([&](auto&... f) { (fn(f), ...); }, futures);
    }
}

/// The state of a when_all / when_any future: owns the input futures, counts them down
/// with one callback per input (a single allocation for all of them) and completes on the
/// thread that completes the deciding input. No thread of its own, unlike Boost's.
template <class Sequence, class Result, bool Any>
class combinator_state final : public state<Result> {
public:
    explicit combinator_state(Sequence futures) : futures_(std::move(futures)) {}

    /// Registers the callbacks; the state must already be owned by an intrusive_ptr.
    /// Inputs that are already ready cost one load: no callback node, no reference count.
    void arm()
    {
        std::vector<std::pair<state_base*, std::size_t>> pending;
        std::size_t count = 0;
        std::size_t first_ready = static_cast<std::size_t>(-1);
        state_base* first = nullptr;
        for_each_future(futures_, [&](auto& f) {
            auto* s = state_of(f);
            if (!s)
                throw invalid_future();
            if (!first)
                first = s;
            if (!s->ready())
                pending.emplace_back(s, count);
            else if (first_ready == static_cast<std::size_t>(-1))
                first_ready = count;
            ++count;
        });
        if (first)
            this->set_continuation_scheduler(first->continuation_scheduler());
        if constexpr (Any) {
            if (count == 0 || first_ready != static_cast<std::size_t>(-1)) {
                finish(count == 0 ? static_cast<std::size_t>(-1) : first_ready);
                return;
            }
        }
        if (pending.empty()) {
            finish(static_cast<std::size_t>(-1));
            return;
        }
        remaining_.store(pending.size() + 1, std::memory_order_relaxed);  // +1: arming guard
        nodes_ = std::make_unique<indexed_callback<combinator_state>[]>(pending.size());
        for (std::size_t k = 0; k < pending.size(); ++k) {
            nodes_[k].owner = this;
            nodes_[k].index = pending[k].second;
            intrusive_ptr_add_ref(this);
            pending[k].first->add_callback(&nodes_[k]);
        }
        if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            finish(static_cast<std::size_t>(-1));
    }

    void on_ready(std::size_t index) noexcept
    {
        if constexpr (Any)
            finish(index);
        else if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            finish(index);
    }

private:
    void finish(std::size_t index) noexcept
    {
        if (!this->try_start())
            return;  // cancelled, or when_any already decided
        if constexpr (Any)
            this->set_value(Result{index, std::move(futures_)});
        else
            this->set_value(std::move(futures_));
    }

    Sequence futures_;
    std::atomic<std::size_t> remaining_{0};
    std::unique_ptr<indexed_callback<combinator_state>[]> nodes_;
};

template <class Result, bool Any, class Sequence>
future<Result> make_combinator(Sequence futures)
{
    boost::intrusive_ptr<combinator_state<Sequence, Result, Any>> s(
        new combinator_state<Sequence, Result, Any>(std::move(futures)));
    s->arm();
    return future_access::make<Result>(std::move(s));
}

} // namespace asyncjobs::detail

#endif
