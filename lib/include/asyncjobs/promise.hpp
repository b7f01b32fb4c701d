// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_PROMISE_HPP
#define ASYNCJOBS_PROMISE_HPP

#include <asyncjobs/detail/config.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/future.hpp>

#include <exception>
#include <type_traits>
#include <utility>

namespace asyncjobs {

/// A promise was destroyed (or moved-over) before it was given a value or an exception:
/// its future fails with this instead of never becoming ready.
class broken_promise : public error {
public:
    broken_promise()
        : error("asyncjobs: the promise of this future was destroyed without a value or an exception; "
                "call set_value() or set_exception() on every path before the promise goes away")
    {
    }
    using error::error;
};

/// set_value()/set_exception() on a promise that already has a result, or get_future()
/// called twice.
class promise_error : public error {
public:
    using error::error;
};

/// The producer side of a future<T> whose result comes from outside any executor (an
/// Asio operation, a callback API), so that it can join when_all / as_completed / wait
/// with pool futures. Move-only, like std::promise. Continuations attached with then(fn)
/// run on the thread that sets the result (then(executor, fn) to run them elsewhere).
///
/// If the future is cancelled first, set_value()/set_exception() drop the result and
/// return normally (the consumer no longer wants it); cancelled() says so.
/// set_value()/set_exception() must not be called concurrently on one promise.
template <class T>
class promise {
public:
    promise() : state_(new detail::state<T>()) {}
    promise(promise&& other) noexcept
        : state_(std::move(other.state_)), retrieved_(other.retrieved_), satisfied_(other.satisfied_)
    {
    }
    promise& operator=(promise&& other) noexcept
    {
        if (this != &other) {
            abandon();
            state_ = std::move(other.state_);
            retrieved_ = other.retrieved_;
            satisfied_ = other.satisfied_;
        }
        return *this;
    }
    promise(const promise&) = delete;
    promise& operator=(const promise&) = delete;
    ~promise() { abandon(); }

    /// The future of this promise; once only (promise_error the second time).
    future<T> get_future()
    {
        checked();
        if (retrieved_)
            throw promise_error("asyncjobs: get_future() was already called on this promise; "
                                "call share() on the future to read the result in several places");
        retrieved_ = true;
        return detail::future_access::make<T>(state_);
    }

    /// Makes the future ready with a value (T constructed from `args`).
    template <class... Args>
    void set_value(Args&&... args)
    {
        if (claim())
            state_->set_value(std::forward<Args>(args)...);
    }

    /// Makes the future fail with `e` (get() rethrows it).
    void set_exception(std::exception_ptr e)
    {
        if (!e)
            throw std::invalid_argument("asyncjobs: promise::set_exception() needs a non-null exception_ptr");
        if (claim())
            state_->set_exception(std::move(e));
    }

    /// The consumer cancelled the future before a result was set.
    bool cancelled() const { return checked().status() == detail::task_status::cancelled; }

private:
    detail::state<T>& checked() const
    {
        if (!state_)
            throw promise_error("asyncjobs: this promise was moved from");
        return *state_;
    }

    /// True when the caller may publish a result; false when the future was cancelled.
    bool claim()
    {
        checked();
        if (satisfied_)
            throw promise_error("asyncjobs: this promise already has a result; set it once only");
        satisfied_ = true;
        return state_->try_start();
    }

    void abandon() noexcept
    {
        if (state_ && !satisfied_) {
            satisfied_ = true;
            if (state_->try_start())
                state_->set_exception(std::make_exception_ptr(broken_promise()));
        }
        state_.reset();
    }

    detail::typed_state_ptr<T> state_;
    bool retrieved_ = false;
    bool satisfied_ = false;
};

/// A future that is already ready with `value`.
template <class T>
future<std::decay_t<T>> make_ready_future(T&& value)
{
    promise<std::decay_t<T>> p;
    auto f = p.get_future();
    p.set_value(std::forward<T>(value));
    return f;
}

/// A future<void> that is already ready.
inline future<void> make_ready_future()
{
    promise<void> p;
    auto f = p.get_future();
    p.set_value();
    return f;
}

/// A future that has already failed with `e` (must not be null).
template <class T>
future<T> make_exceptional_future(std::exception_ptr e)
{
    promise<T> p;
    auto f = p.get_future();
    p.set_exception(std::move(e));
    return f;
}

/// A future that has already failed with a copy of `e`.
template <class T, class E>
    requires(!std::is_same_v<std::decay_t<E>, std::exception_ptr>)
future<T> make_exceptional_future(E&& e)
{
    return make_exceptional_future<T>(std::make_exception_ptr(std::forward<E>(e)));
}

} // namespace asyncjobs

#endif
