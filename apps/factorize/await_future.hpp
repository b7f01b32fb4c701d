// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// co_await of an asyncjobs future from a coroutine on an Asio executor, without blocking
// the io_context's thread: the one place where the service meets the pool's futures.
#ifndef FACTORIZE_AWAIT_FUTURE_HPP
#define FACTORIZE_AWAIT_FUTURE_HPP

#include <asyncjobs/future.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

namespace factorize {

namespace detail {

/// One pending await: whichever comes first, the future's continuation (a pool thread) or
/// a cancellation (the io thread), claims it and completes the handler on its executor.
template <class T, class Handler>
struct pending_await {
    using executor_type = boost::asio::associated_executor_t<Handler>;

    explicit pending_await(Handler h)
        : executor(boost::asio::get_associated_executor(h))
        , work(boost::asio::make_work_guard(executor))
        , handler(std::move(h))
    {
    }

    /// Runs on the handler's executor.
    void complete(std::exception_ptr error, T value)
    {
        boost::asio::get_associated_cancellation_slot(*handler).clear();
        Handler h = std::move(*handler);
        handler.reset();
        work.reset();
        std::move(h)(std::move(error), std::move(value));
    }

    executor_type executor;
    boost::asio::executor_work_guard<executor_type> work;
    std::optional<Handler> handler;
    std::atomic<bool> claimed{false};
};

} // namespace detail

/// `co_await await_future(std::move(f))` gives f's value or rethrows its exception; the
/// coroutine resumes on its own executor, never on a pool thread, and no thread waits.
/// Cancelling the awaiting coroutine (an awaitable_operators `||` with a timer) completes
/// the await with asio::error::operation_aborted at once; the task itself is left alone.
/// T must be default-constructible (the value that goes with an exception).
///
/// This stands in for asyncjobs::async_get(f, asio::use_awaitable) of <asyncjobs/asio.hpp>:
/// swap the body for that call once it is there.
template <class T>
boost::asio::awaitable<T> await_future(asyncjobs::future<T> f)
{
    auto initiate = [](auto handler, asyncjobs::future<T> future) {
        using handler_type = decltype(handler);
        auto op = std::make_shared<detail::pending_await<T, handler_type>>(std::move(handler));
        auto slot = boost::asio::get_associated_cancellation_slot(*op->handler);
        if (slot.is_connected()) {
            slot.assign([op](boost::asio::cancellation_type) {
                // On the io thread, inside whoever emitted the cancellation: complete later.
                if (op->claimed.exchange(true))
                    return;
                boost::asio::post(op->executor, [op] {
                    op->complete(std::make_exception_ptr(boost::system::system_error(boost::asio::error::operation_aborted)),
                                 T{});
                });
            });
        }
        // A pool thread runs this; the handler's executor runs the rest.
        (void)std::move(future).then([op](asyncjobs::future<T> ready) {
            if (op->claimed.exchange(true))
                return;
            std::exception_ptr error;
            T value{};
            try {
                value = ready.get();
            } catch (...) {
                error = std::current_exception();
            }
            boost::asio::post(op->executor, [op, error, value = std::move(value)]() mutable {
                op->complete(std::move(error), std::move(value));
            });
        });
    };
    co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(std::exception_ptr, T)>(
        initiate, boost::asio::use_awaitable, std::move(f));
}

} // namespace factorize

#endif
