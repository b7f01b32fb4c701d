// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_FUTURE_HPP
#define ASYNCJOBS_FUTURE_HPP

#include <asyncjobs/detail/config.hpp>
#include <asyncjobs/detail/deadline.hpp>
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/detail/task.hpp>
#include <asyncjobs/errors.hpp>

#include <boost/thread/future.hpp>

#include <chrono>
#include <exception>
#include <future>
#include <optional>
#include <type_traits>
#include <utility>

namespace asyncjobs {

class executor;
template <class T>
class future;
template <class T>
class shared_future;

namespace detail {

scheduler_ptr scheduler_of(executor& ex);

/// Turns an executor that is not an asyncjobs executor into the scheduler of then(ex, fn):
/// <asyncjobs/asio.hpp> specializes it for Asio executors and execution contexts.
template <class Executor, class = void>
struct foreign_executor {
};

template <class T>
struct is_future : std::false_type {
};
template <class T>
struct is_future<future<T>> : std::true_type {
};
template <class T>
struct is_future<shared_future<T>> : std::true_type {
};
template <class T>
inline constexpr bool is_future_v = is_future<std::remove_cvref_t<T>>::value;

/// Reaches the shared state behind a future; the combinators and executors use it.
struct future_access {
    template <class Future>
    static const auto& state(const Future& f) noexcept
    {
        return f.state_;
    }
    template <class T>
    static future<T> make(typed_state_ptr<T> s) noexcept
    {
        return future<T>(std::move(s));
    }
};

template <class Future>
state_base* state_of(const Future& f) noexcept
{
    return future_access::state(f).get();
}
template <class Future>
state_base* state_of(Future* f) noexcept
{
    return future_access::state(*f).get();
}

/// Before blocking on `s` without a deadline: deadlock_error instead of a wait that cannot end.
inline void check_blocking_wait(const state_base& s)
{
    if (s.ready())
        return;
    if (const auto& sched = s.continuation_scheduler())
        sched->check_wait(s);
}

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
    bool running() const { return checked().status() == task_status::running; }
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

/// Attaches `fn` to run on `sched` once `parent` is ready; `fn` receives the ready future.
template <class Parent, class F>
auto then_impl(Parent parent, scheduler_ptr sched, F&& fn)
{
    using fn_type = std::decay_t<F>;
    using raw_result = std::remove_cvref_t<std::invoke_result_t<fn_type, Parent>>;
    state_ptr parent_state(future_access::state(parent).get());
    if (!parent_state)  // callers check already; this also tells the optimizer it is not null
        throw invalid_future();
    auto body = [parent = std::move(parent), fn = fn_type(std::forward<F>(fn))]() mutable -> raw_result {
        return std::invoke(std::move(fn), std::move(parent));
    };
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

} // namespace detail

/// The result of work submitted to an executor: Python's concurrent.futures.Future with
/// C++ ownership. Move-only like std::future; get() takes the value out once (share()
/// gives a future many can read). then() consumes it. Converts to boost::future<T>.
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
    /// Consumes *this. The continuation never gets a thread of its own: it runs on the
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
    operator boost::future<T>() &&
    {
        auto s = take_state();
        boost::promise<T> promise;
        boost::future<T> result = promise.get_future();
        s->on_complete([s, promise = std::move(promise)]() mutable noexcept {
            try {
                if constexpr (std::is_void_v<T>) {
                    s->take();
                    promise.set_value();
                } else {
                    promise.set_value(s->take());
                }
            } catch (...) {
                // Explicitly a boost::exception_ptr (which wraps the std one and rethrows it
                // as is): the template set_exception(E) would throw the exception_ptr object.
                promise.set_exception(boost::exception_ptr(std::current_exception()));
            }
        });
        return result;
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

    /// Runs `fn(ready shared_future)` on the producing executor; see future::then.
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
    operator boost::shared_future<T>() const
    {
        auto s = this->state_;
        this->checked();
        boost::promise<T> promise;
        boost::shared_future<T> result = promise.get_future().share();
        s->on_complete([s, promise = std::move(promise)]() mutable noexcept {
            try {
                if constexpr (std::is_void_v<T>) {
                    s->peek();
                    promise.set_value();
                } else {
                    promise.set_value(s->peek());
                }
            } catch (...) {
                // Explicitly a boost::exception_ptr (which wraps the std one and rethrows it
                // as is): the template set_exception(E) would throw the exception_ptr object.
                promise.set_exception(boost::exception_ptr(std::current_exception()));
            }
        });
        return result;
    }

private:
    explicit shared_future(detail::typed_state_ptr<T> s) noexcept : detail::future_base<T>(std::move(s)) {}

    friend struct detail::future_access;
    template <class U>
    friend class future;
};

} // namespace asyncjobs

#endif
