// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_THEN_HPP
#define ASYNCJOBS_DETAIL_THEN_HPP

// The machinery of future::then and shared_future::then: which executor a continuation
// runs on (own_scheduler: the one that produced the future, unless then(ex, fn) names
// another), what the callable receives (the future or its value), and the unwrapping of a
// continuation that returns a future.

#include <asyncjobs/detail/future_access.hpp>
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/detail/task.hpp>
#include <asyncjobs/errors.hpp>

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace asyncjobs::detail {

/// A continuation whose callable returns a future: it completes with that inner future's result.
template <class U, class Fn>
class unwrapping_task_state final : public state<U> {
public:
    explicit unwrapping_task_state(Fn fn) : fn_(std::in_place, std::move(fn)) {}

    void run() noexcept override
    {
        if (!this->try_start()) {
            fn_.reset();
            return;
        }
        try {
            auto inner = std::invoke(std::move(*fn_));
            fn_.reset();
            auto inner_state = future_access::state(inner);
            if (!inner_state)
                throw invalid_future();
            boost::intrusive_ptr<unwrapping_task_state> self(this);
            inner_state->on_complete([self, inner = std::move(inner)]() mutable noexcept { self->forward(inner); });
        } catch (...) {
            fn_.reset();
            this->set_exception(std::current_exception());
        }
    }

private:
    void release_work() noexcept override { fn_.reset(); }

    template <class Inner>
    void forward(Inner& inner) noexcept
    {
        auto& s = *future_access::state(inner);
        if (s.exception()) {
            this->set_exception(s.exception());
        } else if constexpr (std::is_void_v<U>) {
            this->set_value();
        } else if constexpr (std::is_same_v<Inner, future<U>>) {
            this->set_value(s.take());  // a future's value moves on
        } else {
            this->set_value(s.peek());  // a shared_future's stays readable by its other holders
        }
    }

    std::optional<Fn> fn_;
};

/// What a continuation of `Parent` receives: the ready future itself whenever `Fn` can
/// be called with it (so generic lambdas, `[](auto f)`, keep getting the future), else the
/// value (nothing for a void future; a shared_future's value as a const reference).
enum class continuation_kind { takes_future, takes_value, unusable };

template <class Parent, class Fn>
consteval continuation_kind continuation_kind_of()
{
    using T = typename Parent::value_type;
    if constexpr (std::is_invocable_v<Fn, Parent>)
        return continuation_kind::takes_future;
    else if constexpr (std::is_void_v<T>)
        return std::is_invocable_v<Fn> ? continuation_kind::takes_value : continuation_kind::unusable;
    else if constexpr (std::is_same_v<Parent, future<T>>)
        return std::is_invocable_v<Fn, T&&> ? continuation_kind::takes_value : continuation_kind::unusable;
    else
        return std::is_invocable_v<Fn, const T&> ? continuation_kind::takes_value : continuation_kind::unusable;
}

/// The continuation's body: `fn(parent)`, or `fn(parent.get())`, whose get() rethrows the
/// parent's exception (so a value continuation is skipped and the exception propagates).
template <class Parent, class Fn>
auto continuation_body(Parent parent, Fn fn)
{
    constexpr auto kind = continuation_kind_of<Parent, Fn>();
    static_assert(kind != continuation_kind::unusable,
                  "asyncjobs: then(fn): fn must take either the ready future (asyncjobs::future<T>, or "
                  "shared_future<T> for a shared_future's then; `auto` works too) or its value (T, T&& or "
                  "const T&; a shared_future gives const T&; nothing for a void future). Fix: "
                  ".then([](asyncjobs::future<T> f) { return use(f.get()); }) or .then([](T v) { return use(v); })");
    if constexpr (kind == continuation_kind::takes_future) {
        return [parent = std::move(parent), fn = std::move(fn)]() mutable -> decltype(auto) {
            return std::invoke(std::move(fn), std::move(parent));
        };
    } else if constexpr (kind == continuation_kind::takes_value && std::is_void_v<typename Parent::value_type>) {
        return [parent = std::move(parent), fn = std::move(fn)]() mutable -> decltype(auto) {
            parent.get();
            return std::invoke(std::move(fn));
        };
    } else if constexpr (kind == continuation_kind::takes_value) {
        return [parent = std::move(parent), fn = std::move(fn)]() mutable -> decltype(auto) {
            return std::invoke(std::move(fn), parent.get());
        };
    } else {
        return [] {};  // unusable: the static_assert above has said why; no further errors
    }
}

/// Attaches `fn` to run on `sched` once `parent` is ready; `fn` receives the ready future
/// or its value (see continuation_kind_of).
template <class Parent, class F>
auto then_impl(Parent parent, scheduler_ptr sched, F&& fn)
{
    using fn_type = std::decay_t<F>;
    state_ptr parent_state(future_access::state(parent).get());
    if (!parent_state)  // callers check already; this also tells the optimizer it is not null
        throw invalid_future();
    auto call = continuation_body(std::move(parent), fn_type(std::forward<F>(fn)));
    using raw_result = std::remove_cvref_t<std::invoke_result_t<decltype(call)&>>;
    auto body = [call = std::move(call)]() mutable -> raw_result { return call(); };
    if constexpr (is_future_v<raw_result>) {
        using U = typename raw_result::value_type;
        typed_state_ptr<U> continuation(new unwrapping_task_state<U, decltype(body)>(std::move(body)));
        continuation->set_continuation_scheduler(sched);
        continuation->scheduled_work = true;
        parent_state->on_complete([continuation, sched]() noexcept { sched->schedule(continuation); });
        return future_access::make<U>(std::move(continuation));
    } else {
        typed_state_ptr<raw_result> continuation(new task_state<raw_result, decltype(body)>(std::move(body)));
        continuation->set_continuation_scheduler(sched);
        continuation->scheduled_work = true;
        parent_state->on_complete([continuation, sched]() noexcept { sched->schedule(continuation); });
        return future_access::make<raw_result>(std::move(continuation));
    }
}

template <class Future>
scheduler_ptr own_scheduler(const Future& f)
{
    const auto& s = future_access::state(f)->continuation_scheduler();
    return s ? s : inline_scheduler();
}

} // namespace asyncjobs::detail

#endif
