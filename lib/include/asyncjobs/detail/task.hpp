// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_TASK_HPP
#define ASYNCJOBS_DETAIL_TASK_HPP

#include <asyncjobs/detail/state.hpp>

#include <functional>
#include <optional>
#include <stop_token>
#include <tuple>
#include <type_traits>
#include <utility>

namespace asyncjobs::detail {

/// Calls a stored callable once and keeps what it returned or threw.
template <class T>
class invoking_state : public state<T> {
protected:
    /// Calls `call()` once; `release()` destroys the callable (and what it captured)
    /// before the result is published, so whoever sees the future ready sees them gone.
    template <class Call, class Release>
    void invoke_and_store(Call&& call, Release&& release) noexcept
    {
        try {
            if constexpr (std::is_void_v<T>) {
                call();
                release();
                this->set_value();
            } else {
                T result = call();
                release();
                this->set_value(std::move(result));
            }
        } catch (...) {
            release();
            this->set_exception(std::current_exception());
        }
    }
};

/// A submitted task or a continuation: `Fn` is a nullary callable producing T.
template <class T, class Fn>
class task_state final : public invoking_state<T> {
public:
    explicit task_state(Fn fn) : fn_(std::in_place, std::move(fn)) {}

    void run() noexcept override
    {
        if (this->try_start()) {
            this->invoke_and_store([this]() -> T { return std::invoke(std::move(*fn_)); }, [this] { fn_.reset(); });
        } else {
            fn_.reset();
        }
    }

private:
    void release_work() noexcept override { fn_.reset(); }

    std::optional<Fn> fn_;
};

/// A task whose callable takes a std::stop_token first: cancel() on it while it runs
/// requests stop instead of doing nothing.
template <class T, class Fn>
class stoppable_task_state final : public invoking_state<T> {
public:
    explicit stoppable_task_state(Fn fn) : fn_(std::in_place, std::move(fn)) {}

    void run() noexcept override
    {
        if (this->try_start()) {
            this->invoke_and_store([this]() -> T { return std::invoke(std::move(*fn_), stop_.get_token()); },
                                   [this] { fn_.reset(); });
        } else {
            fn_.reset();
        }
    }

private:
    void request_stop() noexcept override { stop_.request_stop(); }
    void release_work() noexcept override { fn_.reset(); }

    std::optional<Fn> fn_;
    std::stop_source stop_;
};

template <class F, class... Args>
inline constexpr bool takes_stop_token_v = std::is_invocable_v<std::decay_t<F>, std::stop_token, std::decay_t<Args>...>;

template <class F, class... Args>
struct task_result {
    using type = std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>;
};

template <class F, class... Args>
    requires takes_stop_token_v<F, Args...>
struct task_result<F, Args...> {
    using type = std::invoke_result_t<std::decay_t<F>, std::stop_token, std::decay_t<Args>...>;
};

template <class F, class... Args>
using task_result_t = typename task_result<F, Args...>::type;

/// Builds the state for `f(args...)`; the arguments are decay-copied now, as std::thread does.
template <class F, class... Args>
auto make_task_state(F&& f, Args&&... args)
{
    using result = std::remove_cvref_t<task_result_t<F, Args...>>;
    if constexpr (takes_stop_token_v<F, Args...>) {
        auto bound = [f = std::forward<F>(f), ... args = std::forward<Args>(args)](std::stop_token token) mutable -> result {
            return std::invoke(std::move(f), std::move(token), std::move(args)...);
        };
        return boost::intrusive_ptr<state<result>>(new stoppable_task_state<result, decltype(bound)>(std::move(bound)));
    } else if constexpr (sizeof...(Args) == 0) {
        using fn_type = std::decay_t<F>;
        return boost::intrusive_ptr<state<result>>(new task_state<result, fn_type>(fn_type(std::forward<F>(f))));
    } else {
        auto bound = [f = std::forward<F>(f), ... args = std::forward<Args>(args)]() mutable -> result {
            return std::invoke(std::move(f), std::move(args)...);
        };
        return boost::intrusive_ptr<state<result>>(new task_state<result, decltype(bound)>(std::move(bound)));
    }
}

} // namespace asyncjobs::detail

#endif
