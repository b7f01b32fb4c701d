// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_ASIO_HPP
#define ASYNCJOBS_ASIO_HPP

/// Boost.Asio integration: await a future from async code like any Asio operation, and run
/// continuations on Asio executors. Not part of <asyncjobs/asyncjobs.hpp> (Asio's headers
/// roughly double the compile time of a translation unit); include it where it is used.
///
///   co_await asyncjobs::async_get(pool.submit(work), asio::use_awaitable);  // T, or rethrows
///   future.then(io.get_executor(), fn);  // fn runs on the io_context (or a strand, a thread_pool)
///
/// Lifetimes: the pool and the io_context may be created and destroyed in either order.
/// - Pool destroyed (or shut down with cancel_futures) first: pending async_get operations
///   complete on their executor with the pool's error (shutdown_error), as get() would throw.
/// - io_context (or another execution context) destroyed first: its pending async_get
///   handlers and then() continuations are destroyed with it, unrun (as Asio does with
///   every handler it holds); the tasks finish or are cancelled as usual, nothing touches
///   the dead context. A then() continuation dropped this way fails its future with
///   shutdown_error. A stopped io_context keeps the completions queued until it runs again
///   or is destroyed.

#include <asyncjobs/detail/config.hpp>
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/process_pool_executor.hpp>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace asyncjobs {

namespace detail {

namespace asio = boost::asio;

/// Something that must let go of an execution context when it shuts down (is destroyed):
/// a pending async_get, or a then() scheduler's outstanding work.
class asio_context_entry {
public:
    asio_context_entry* prev = nullptr;
    asio_context_entry* next = nullptr;
    bool linked = false;

    /// Called under the registry's lock when the context shuts down (the entry is already
    /// unlinked): returns what must be destroyed outside the lock (handlers can run user
    /// destructors), or null.
    virtual std::shared_ptr<void> on_shutdown_locked() noexcept = 0;

protected:
    asio_context_entry() = default;
    ~asio_context_entry() = default;
};

/// What outlives an execution context for the operations that used it: whether it is gone,
/// and the entries that still refer to it. Completions are posted under its lock, so a
/// context is never posted to while (or after) it shuts down.
class asio_context_registry {
public:
    std::mutex mutex;
    bool shut_down = false;

    void link_locked(asio_context_entry& e) noexcept
    {
        e.prev = nullptr;
        e.next = head_;
        if (head_)
            head_->prev = &e;
        head_ = &e;
        e.linked = true;
    }
    void unlink_locked(asio_context_entry& e) noexcept
    {
        if (!e.linked)
            return;
        if (e.prev)
            e.prev->next = e.next;
        else
            head_ = e.next;
        if (e.next)
            e.next->prev = e.prev;
        e.prev = e.next = nullptr;
        e.linked = false;
    }

    void shutdown() noexcept
    {
        std::vector<std::shared_ptr<void>> doomed;
        {
            std::lock_guard lock(mutex);
            shut_down = true;
            while (head_) {
                auto* e = head_;
                unlink_locked(*e);
                if (auto keep = e->on_shutdown_locked()) {
                    try {
                        doomed.push_back(std::move(keep));
                    } catch (...) {
                        // Out of memory: destroy it here, under the lock.
                    }
                }
            }
        }
        // `doomed` goes out of scope here, outside the lock: the dropped handlers' destructors
        // may complete other futures whose operations lock this registry.
    }

private:
    asio_context_entry* head_ = nullptr;
};

/// Tells the registry of an execution context when that context shuts down.
class asio_context_service final : public asio::execution_context::service {
public:
    static inline asio::execution_context::id id;

    explicit asio_context_service(asio::execution_context& context)
        : asio::execution_context::service(context), registry(std::make_shared<asio_context_registry>())
    {
    }
    ~asio_context_service() override { registry->shutdown(); }

    std::shared_ptr<asio_context_registry> registry;

private:
    void shutdown() override { registry->shutdown(); }
};

template <class Executor>
std::shared_ptr<asio_context_registry> registry_of(const Executor& ex)
{
    if constexpr (asio::execution::is_executor<Executor>::value) {
        asio::execution_context& context = asio::query(ex, asio::execution::context);
        return asio::use_service<asio_context_service>(context).registry;
    } else {
        asio::execution_context& context = ex.context();
        return asio::use_service<asio_context_service>(context).registry;
    }
}

/// The exception an async_get completes with when its cancellation slot fires.
inline std::exception_ptr operation_aborted_exception()
{
    return std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted));
}

class async_get_op_base : public callback_node,
                          public asio_context_entry,
                          public std::enable_shared_from_this<async_get_op_base> {
public:
    virtual void cancel(asio::cancellation_type_t type) noexcept = 0;

protected:
    async_get_op_base() = default;
    ~async_get_op_base() = default;
};

/// Lives in the handler's cancellation slot; fires the operation's cancellation.
class async_get_cancel_handler {
public:
    explicit async_get_cancel_handler(std::shared_ptr<async_get_op_base> op) noexcept : op_(std::move(op)) {}
    void operator()(asio::cancellation_type_t type) { op_->cancel(type); }

private:
    std::shared_ptr<async_get_op_base> op_;
};

/// The handler with its result, run on the handler's executor. Clears the cancellation
/// slot there first: the slot belongs to that executor's thread, and the operation is over.
template <class T, class Handler>
class async_get_completion {
public:
    using allocator_type = asio::associated_allocator_t<Handler>;

    async_get_completion(Handler handler, asio::cancellation_slot slot, std::exception_ptr error,
                         std::optional<stored_t<T>> value)
        : handler_(std::move(handler)), slot_(slot), error_(std::move(error)), value_(std::move(value))
    {
    }

    allocator_type get_allocator() const noexcept { return asio::get_associated_allocator(handler_); }

    void operator()()
    {
        if (slot_.is_connected())
            slot_.clear();
        if constexpr (std::is_void_v<T>)
            std::move(handler_)(std::move(error_));
        else if (value_)
            std::move(handler_)(std::move(error_), std::move(*value_));
        else
            std::move(handler_)(std::move(error_), T{});
    }

private:
    Handler handler_;
    asio::cancellation_slot slot_;
    std::exception_ptr error_;
    std::optional<stored_t<T>> value_;
};

/// One async_get: waits on the future's state (a completion callback, no thread blocks),
/// then posts the handler to its associated executor. Whoever unlinks it from the
/// registry (completion, cancellation, the context's shutdown) owns the handler.
template <class T, class Handler>
class async_get_op final : public async_get_op_base {
public:
    using executor_type = asio::associated_executor_t<Handler, asio::system_executor>;

    async_get_op(Handler handler, typed_state_ptr<T> state, bool shared, process_pool_executor* kill_pool)
        : work_(asio::make_work_guard(asio::get_associated_executor(handler, asio::system_executor()))),
          slot_(asio::get_associated_cancellation_slot(handler)),
          handler_(std::move(handler)),
          state_(std::move(state)),
          shared_(shared),
          kill_pool_(kill_pool)
    {
    }

    void start()
    {
        registry_ = registry_of(work_->get_executor());
        {
            std::lock_guard lock(registry_->mutex);
            if (registry_->shut_down)
                return;  // the context is going away: the handler is dropped with this op
            registry_->link_locked(*this);
        }
        auto self = shared_from_this();
        if (slot_.is_connected())
            slot_.template emplace<async_get_cancel_handler>(self);
        self_ = std::move(self);
        state_->add_callback(this);  // may fire at once (a ready future): it posts, never runs inline
    }

    void fire() noexcept override
    {
        auto self = std::move(self_);
        std::lock_guard lock(registry_->mutex);
        if (!linked)
            return;
        registry_->unlink_locked(*this);
        std::exception_ptr error = state_->exception();
        std::optional<stored_t<T>> value;
        if (!error) {
            try {
                if constexpr (std::is_void_v<T>)
                    value.emplace();
                else if (shared_)
                    value.emplace(state_->peek());
                else
                    value.emplace(state_->take());
            } catch (...) {
                error = std::current_exception();
            }
        }
        post_locked(std::move(error), std::move(value));
    }

    void cancel(asio::cancellation_type_t type) noexcept override
    {
        if ((type & (asio::cancellation_type::terminal | asio::cancellation_type::partial |
                     asio::cancellation_type::total)) == asio::cancellation_type::none)
            return;
        {
            std::lock_guard lock(registry_->mutex);
            if (!linked)
                return;
            registry_->unlink_locked(*this);
            post_locked(operation_aborted_exception(), std::nullopt);
        }
        // Outside the lock: cancelling completes the state, which fires fire() (a no-op now).
        try {
            if (kill_pool_) {
                auto f = future_access::make<T>(state_);
                kill_pool_->cancel_and_kill(f);
            } else {
                state_->cancel();
            }
        } catch (...) {
            // A forked pool copy, a pool already gone: the operation has completed anyway.
        }
    }

    std::shared_ptr<void> on_shutdown_locked() noexcept override
    {
        // The context is going away: its handler is dropped unrun. The registry destroys it
        // outside its lock (the handler's destructor may complete other futures).
        struct dropped {
            std::optional<Handler> handler;
            std::optional<asio::executor_work_guard<executor_type>> work;
            ~dropped()
            {
                handler.reset();
                work.reset();
            }
        };
        try {
            auto d = std::make_shared<dropped>();
            if (handler_)
                d->handler.emplace(std::move(*handler_));
            if (work_)
                d->work.emplace(std::move(*work_));
            handler_.reset();
            work_.reset();
            return d;
        } catch (...) {
            handler_.reset();
            work_.reset();
            return nullptr;
        }
    }

private:
    void post_locked(std::exception_ptr error, std::optional<stored_t<T>> value) noexcept
    {
        try {
            auto ex = work_->get_executor();
            asio::post(ex, async_get_completion<T, Handler>(std::move(*handler_), slot_, std::move(error),
                                                             std::move(value)));
        } catch (...) {
            // Out of memory while posting: the handler is destroyed unrun.
        }
        handler_.reset();
        work_.reset();  // the posted completion is work of its own now
    }

    std::optional<asio::executor_work_guard<executor_type>> work_;
    asio::cancellation_slot slot_;
    std::optional<Handler> handler_;
    typed_state_ptr<T> state_;
    bool shared_;
    process_pool_executor* kill_pool_;
    std::shared_ptr<asio_context_registry> registry_;
    std::shared_ptr<async_get_op_base> self_;
};

template <class T>
struct async_get_signature_of {
    using type = void(std::exception_ptr, T);
};
template <>
struct async_get_signature_of<void> {
    using type = void(std::exception_ptr);
};
template <class T>
using async_get_signature = typename async_get_signature_of<T>::type;

template <class T>
struct initiate_async_get {
    template <class Handler>
    void operator()(Handler&& handler, typed_state_ptr<T> state, bool shared, process_pool_executor* kill_pool) const
    {
        using op_type = async_get_op<T, std::decay_t<Handler>>;
        auto alloc = asio::get_associated_allocator(handler);
        auto op = std::allocate_shared<op_type>(alloc, std::forward<Handler>(handler), std::move(state), shared,
                                                kill_pool);
        op->start();
    }
};

template <class T>
constexpr void check_async_get_value()
{
    static_assert(std::is_void_v<T> || std::is_default_constructible_v<T>,
                  "asyncjobs::async_get: the completion passes T{} beside an exception, so T must be "
                  "default-constructible; return std::optional<T> from the task instead");
}

template <class T>
typed_state_ptr<T> checked_state(const typed_state_ptr<T>& s)
{
    if (!s)
        throw invalid_future();
    return s;
}

/// Runs then() continuations on an Asio executor. Until its first continuation is posted it
/// holds outstanding work on the executor, so that io_context::run() waits for it.
template <class Executor>
class asio_scheduler final : public scheduler, public asio_context_entry {
public:
    explicit asio_scheduler(const Executor& ex)
        : executor_(ex), work_(std::in_place, asio::make_work_guard(ex)), registry_(registry_of(ex))
    {
        std::lock_guard lock(registry_->mutex);
        if (registry_->shut_down)
            work_.reset();
        else
            registry_->link_locked(*this);
    }
    ~asio_scheduler() override
    {
        std::lock_guard lock(registry_->mutex);
        registry_->unlink_locked(*this);
        work_.reset();
    }

    void submit(state_ptr) override
    {
        throw std::logic_error("asyncjobs: an Asio executor runs continuations only; submit work to a pool");
    }

    void schedule(state_ptr continuation) noexcept override
    {
        {
            std::lock_guard lock(registry_->mutex);
            if (!registry_->shut_down) {
                try {
                    asio::post(executor_, queued_work(std::move(continuation)));
                } catch (...) {
                    // Out of memory: queued_work's destructor failed the continuation.
                }
                work_.reset();
                return;
            }
        }
        abandon_soon(std::move(continuation), queued_work::shutdown_exception());
    }

    std::size_t concurrency() const noexcept override { return 1; }

    std::shared_ptr<void> on_shutdown_locked() noexcept override
    {
        work_.reset();  // the context is still alive here: let go of its work count now
        return nullptr;
    }

private:
    Executor executor_;
    std::optional<asio::executor_work_guard<Executor>> work_;
    std::shared_ptr<asio_context_registry> registry_;
};

template <class E>
inline constexpr bool is_asio_executor_v = asio::execution::is_executor<E>::value || asio::is_executor<E>::value;

template <class E>
concept asio_execution_context =
    std::is_base_of_v<asio::execution_context, E> && requires(E& c) { c.get_executor(); };

template <class E>
struct foreign_executor<E, std::enable_if_t<is_asio_executor_v<E>>> {
    static scheduler_ptr scheduler(const E& ex) { return scheduler_ptr(new asio_scheduler<E>(ex)); }
};

template <class E>
struct foreign_executor<E, std::enable_if_t<!is_asio_executor_v<E> && asio_execution_context<E>>> {
    static scheduler_ptr scheduler(E& context)
    {
        using executor_type = std::decay_t<decltype(context.get_executor())>;
        return scheduler_ptr(new asio_scheduler<executor_type>(context.get_executor()));
    }
};

} // namespace detail

/// Asks async_get to kill the worker of a running process task when the operation is
/// cancelled (process_pool_executor::cancel_and_kill), instead of letting it finish.
/// `pool` must be the pool that runs the future's task and outlive the operation.
struct kill_on_cancel {
    process_pool_executor& pool;
};

/// Waits for `f` as an Asio asynchronous operation: completes with `(exception_ptr, T)`
/// (`(exception_ptr)` for future<void>), the value moved out of the future, or the exception
/// its work ended with (cancelled_error, shutdown_error, the task's own). Works with every
/// completion token: a callback, asio::use_awaitable (co_await returns T or rethrows the
/// task's exception with its type), asio::deferred, asio::use_future,
/// asio::experimental::as_tuple(...). T must be default-constructible (it is passed as T{}
/// beside an exception).
///
/// The handler runs on its associated executor (bind_executor, the coroutine's executor;
/// asio::system_executor when none), posted there, never on a pool thread and never inside
/// async_get itself. No thread blocks. While pending, the operation counts as outstanding
/// work of that executor (io_context::run() waits for it) and allocates its state with the
/// handler's associated allocator.
///
/// Cancellation (terminal, partial or total, from a slot bound to the token: a cancelled
/// co_spawn, awaitable_operators `||`, bind_cancellation_slot): the handler completes at
/// once, on its executor, with an exception_ptr holding
/// boost::system::system_error(asio::error::operation_aborted) (so co_await throws it, as a
/// cancelled timer does) and T{}. The future is cancelled too: work that has not started
/// never runs; a running thread task that takes a std::stop_token gets a stop request; a
/// running process task finishes (its result is dropped), unless kill_on_cancel is given.
///
/// The future is consumed. Throws invalid_future at once if it has no state.
template <class T, class CompletionToken>
auto async_get(future<T> f, CompletionToken&& token)
{
    detail::check_async_get_value<T>();
    auto state = detail::checked_state(detail::future_access::state(f));
    return boost::asio::async_initiate<CompletionToken, detail::async_get_signature<T>>(
        detail::initiate_async_get<T>{}, token, std::move(state), false,
        static_cast<process_pool_executor*>(nullptr));
}

/// async_get that kills the running process task on cancellation (see kill_on_cancel).
template <class T, class CompletionToken>
auto async_get(future<T> f, kill_on_cancel kill, CompletionToken&& token)
{
    detail::check_async_get_value<T>();
    auto state = detail::checked_state(detail::future_access::state(f));
    return boost::asio::async_initiate<CompletionToken, detail::async_get_signature<T>>(
        detail::initiate_async_get<T>{}, token, std::move(state), false, &kill.pool);
}

/// async_get for a shared_future: completes with a copy of the value; the future stays
/// valid for its other holders. Cancelling the operation cancels the shared work too.
template <class T, class CompletionToken>
auto async_get(const shared_future<T>& f, CompletionToken&& token)
{
    detail::check_async_get_value<T>();
    auto state = detail::checked_state(detail::future_access::state(f));
    return boost::asio::async_initiate<CompletionToken, detail::async_get_signature<T>>(
        detail::initiate_async_get<T>{}, token, std::move(state), true,
        static_cast<process_pool_executor*>(nullptr));
}

} // namespace asyncjobs

#endif
