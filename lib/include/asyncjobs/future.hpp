// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_FUTURE_HPP
#define ASYNCJOBS_FUTURE_HPP

// future<T> and shared_future<T>: the result of submitted work, its observers (wait, done,
// cancel, ...) and then(). The machinery behind then() is in detail/then.hpp.

#include <asyncjobs/detail/config.hpp>
#include <asyncjobs/detail/deadline.hpp>
#include <asyncjobs/detail/future_access.hpp>
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/detail/then.hpp>
#include <asyncjobs/errors.hpp>

#include <chrono>
#include <exception>
#include <future>
#include <type_traits>
#include <utility>

namespace asyncjobs {
namespace detail {

/// Common observers of future<T> and shared_future<T>.
template <class T>
class future_base {
public:
    using value_type = T;

    bool valid() const noexcept { return static_cast<bool>(state_); }

    /// Blocks until the result is there. Throws deadlock_error instead when the calling
    /// thread is the only one that could run the work (see get()).
    void wait() const
    {
        auto& s = checked();
        check_blocking_wait(s);
        s.wait();
    }

    template <class Rep, class Period>
    std::future_status wait_for(const std::chrono::duration<Rep, Period>& timeout) const
    {
        return wait_until(deadline_from_now(timeout));
    }

    template <class Clock, class Duration>
    std::future_status wait_until(const std::chrono::time_point<Clock, Duration>& deadline) const
    {
        return checked().wait_until(deadline) ? std::future_status::ready : std::future_status::timeout;
    }

    /// Finished, failed or cancelled.
    bool done() const { return checked().ready(); }
    /// Started on a worker and not yet finished.
    bool running() const { return checked().current_status() == task_status::running; }
    bool cancelled() const { return checked().status() == task_status::cancelled; }

    /// Cancels work that has not started and returns true (also if it was already cancelled).
    /// Work that is running is not interrupted and cancel() returns false, but a thread task
    /// that takes a std::stop_token gets a stop request.
    bool cancel() { return checked().cancel(); }

    /// Waits, then returns the exception the work ended with (cancelled_error if it was
    /// cancelled), or a null pointer if it produced a value. Never throws it.
    std::exception_ptr exception() const
    {
        auto& s = checked();
        check_blocking_wait(s);
        s.wait();
        return s.exception();
    }

protected:
    future_base() noexcept = default;
    explicit future_base(typed_state_ptr<T> s) noexcept : state_(std::move(s)) {}

    state<T>& checked() const
    {
        if (!state_)
            throw invalid_future();
        return *state_;
    }

    typed_state_ptr<T> state_;

    friend struct detail::future_access;
};

} // namespace detail

/// The result of work submitted to an executor: Python's concurrent.futures.Future with
/// C++ ownership. Move-only like std::future; get() takes the value out once (share()
/// gives a future many can read). then() consumes it. Converts to boost::future<T> (with <asyncjobs/boost_thread.hpp>).
template <class T>
class future : public detail::future_base<T> {
public:
    future() noexcept = default;
    future(future&&) noexcept = default;
    future& operator=(future&&) noexcept = default;

    /// Waits, then returns the value (moving it out) or throws what the work threw
    /// (cancelled_error if it was cancelled). The future stays valid for done(),
    /// exception(), wait() and as_completed(); a second get() throws invalid_future
    /// unless the work failed (then it throws the same exception again).
    ///
    /// Blocking in a task or continuation on work of the same pool: the work needs a free
    /// thread of that pool. When the calling thread is the only one (max_workers 1, or a
    /// process pool's completion_threads 1) and the work has not started, get() and wait()
    /// throw deadlock_error instead of hanging: chain with then() instead of calling get()
    /// inside a continuation, or give the pool more threads. With several threads, tasks
    /// that all block on work queued behind them still deadlock (as in Python); then
    /// shutdown(false, true) cancels the queued work and each blocked get() throws
    /// cancelled_error.
    T get()
    {
        auto& s = this->checked();
        detail::check_blocking_wait(s);
        s.wait();
        if constexpr (std::is_void_v<T>)
            s.take();
        else
            return s.take();
    }

    /// Runs `fn(ready future)` on the executor that produced this future, once this one is
    /// ready; returns the future of its result (unwrapped if `fn` returns a future).
    /// Consumes *this.
    ///
    /// `fn` may instead take the value (folly's thenValue): `.then([](int v) { ... })`,
    /// or no argument for a future<void>. It is then called only when this future has a
    /// value; an exception (cancelled_error too) skips it and the returned future fails
    /// with that exception. The rule: whenever `fn` can be called with the future it gets
    /// the future, so a generic lambda (`[](auto f)`, `[](auto&& f)`) always receives the
    /// future; otherwise, if it can be called with the value (T&&), it gets the value. A
    /// callable that takes neither fails with a static_assert saying so. The continuation never gets a thread of its own: it runs on the
    /// threads of this future's executor (a process pool's completion threads), so calling
    /// get() in it on another continuation of the same one-thread pool cannot work and
    /// throws deadlock_error (see get()); return that future from `fn` instead (unwrapped).
    template <class F>
    auto then(F&& fn)
    {
        future parent(take_state());
        auto sched = detail::own_scheduler(parent);
        return detail::then_impl(std::move(parent), std::move(sched), std::forward<F>(fn));
    }

    /// Like then(fn), but runs `fn` on `ex`.
    template <class F>
    auto then(executor& ex, F&& fn)
    {
        future parent(take_state());
        return detail::then_impl(std::move(parent), detail::scheduler_of(ex), std::forward<F>(fn));
    }

    /// Like then(fn), but runs `fn` on an Asio executor (an io_context or its executor, a
    /// strand, an asio::thread_pool): include <asyncjobs/asio.hpp>, which says how this
    /// interacts with the executor's lifetime.
    template <class Executor, class F>
        requires requires(Executor&& ex) { detail::foreign_executor<std::remove_cvref_t<Executor>>::scheduler(ex); }
    auto then(Executor&& ex, F&& fn)
    {
        auto sched = detail::foreign_executor<std::remove_cvref_t<Executor>>::scheduler(ex);
        future parent(take_state());
        return detail::then_impl(std::move(parent), std::move(sched), std::forward<F>(fn));
    }

    /// A copyable future over the same result; *this becomes invalid.
    shared_future<T> share() noexcept { return shared_future<T>(std::move(this->state_)); }

    /// A boost::future<T> that becomes ready with this future's result; *this becomes invalid.
    /// Needs #include <asyncjobs/boost_thread.hpp> (and BOOST_THREAD_VERSION 4 or 5).
    template <class Target>
        requires detail::is_boost_future_of<Target, T, false>
    operator Target() &&
    {
        if constexpr (detail::boost_thread_bridge_included<Target>) {
            return detail::boost_thread_bridge<Target>::from(take_state());
        } else {
            static_assert(detail::boost_thread_bridge_included<Target>,
                "converting to boost::future needs #include <asyncjobs/boost_thread.hpp>");
        }
    }

private:
    explicit future(detail::typed_state_ptr<T> s) noexcept : detail::future_base<T>(std::move(s)) {}

    detail::typed_state_ptr<T> take_state()
    {
        this->checked();
        return std::move(this->state_);
    }

    friend struct detail::future_access;
    template <class U>
    friend class shared_future;
};

/// A copyable view of a result that many can read: get() returns a reference to the value.
template <class T>
class shared_future : public detail::future_base<T> {
public:
    shared_future() noexcept = default;
    shared_future(future<T>&& f) noexcept : shared_future(f.share()) {}

    /// Waits, then returns the value or throws what the work threw; may be called again.
    std::add_lvalue_reference_t<const T> get() const
    {
        auto& s = this->checked();
        detail::check_blocking_wait(s);
        s.wait();
        if constexpr (std::is_void_v<T>)
            s.peek();
        else
            return s.peek();
    }

    /// Runs `fn(ready shared_future)` on the producing executor; see future::then. A value
    /// continuation receives `const T&` (the value stays readable by the other holders).
    template <class F>
    auto then(F&& fn) const
    {
        this->checked();
        return detail::then_impl(*this, detail::own_scheduler(*this), std::forward<F>(fn));
    }

    template <class F>
    auto then(executor& ex, F&& fn) const
    {
        this->checked();
        return detail::then_impl(*this, detail::scheduler_of(ex), std::forward<F>(fn));
    }

    /// Runs `fn(ready shared_future)` on an Asio executor; see future::then.
    template <class Executor, class F>
        requires requires(Executor&& ex) { detail::foreign_executor<std::remove_cvref_t<Executor>>::scheduler(ex); }
    auto then(Executor&& ex, F&& fn) const
    {
        this->checked();
        return detail::then_impl(*this, detail::foreign_executor<std::remove_cvref_t<Executor>>::scheduler(ex),
                                 std::forward<F>(fn));
    }

    /// A boost::shared_future<T> that becomes ready with a copy of this result.
    /// Needs #include <asyncjobs/boost_thread.hpp> (and BOOST_THREAD_VERSION 4 or 5).
    template <class Target>
        requires detail::is_boost_future_of<Target, T, true>
    operator Target() const
    {
        if constexpr (detail::boost_thread_bridge_included<Target>) {
            this->checked();
            return detail::boost_thread_bridge<Target>::from(this->state_);
        } else {
            static_assert(detail::boost_thread_bridge_included<Target>,
                "converting to boost::shared_future needs #include <asyncjobs/boost_thread.hpp>");
        }
    }

private:
    explicit shared_future(detail::typed_state_ptr<T> s) noexcept : detail::future_base<T>(std::move(s)) {}

    friend struct detail::future_access;
    template <class U>
    friend class future;
};

} // namespace asyncjobs

#endif
