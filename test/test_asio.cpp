// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// <asyncjobs/asio.hpp> on a thread pool: async_get with every completion token, the
// handler's executor, exceptions through co_await, cancellation, then() on Asio executors,
// promise<T>, and every destruction order of the pool and the io_context. Every io_context
// runs with run_for(long_wait): a lost completion fails a test instead of hanging it.
#define BOOST_TEST_MODULE asyncjobs asio
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <asyncjobs/asio.hpp>
#include <asyncjobs/promise.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <variant>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using asyncjobs::thread_pool_executor;

namespace {

struct custom_error : std::runtime_error {
    explicit custom_error(int c) : std::runtime_error("custom " + std::to_string(c)), code(c) {}
    int code;
};

/// Runs `io` until it has no work left, for long_wait at most; true if it ran out of work.
bool run_out(asio::io_context& io)
{
    io.run_for(test::long_wait);
    return io.stopped();
}

} // namespace

BOOST_AUTO_TEST_SUITE(tokens)

BOOST_AUTO_TEST_CASE(callback_gets_value_on_io_thread)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    std::optional<int> got;
    std::thread::id handler_thread;
    asyncjobs::async_get(pool.submit([] { return 42; }),
                         asio::bind_executor(io, [&](std::exception_ptr e, int v) {
                             BOOST_TEST(!e);
                             got = v;
                             handler_thread = std::this_thread::get_id();
                         }));
    BOOST_TEST(!got.has_value());  // never completes inside async_get, even if the task was quick
    BOOST_TEST(run_out(io));
    BOOST_TEST((got == 42));
    BOOST_TEST((handler_thread == std::this_thread::get_id()));
}

BOOST_AUTO_TEST_CASE(ready_future_still_posts)
{
    asio::io_context io;
    bool ran = false;
    asyncjobs::async_get(asyncjobs::make_ready_future(7), asio::bind_executor(io, [&](std::exception_ptr e, int v) {
                             BOOST_TEST(!e);
                             BOOST_TEST(v == 7);
                             ran = true;
                         }));
    BOOST_TEST(!ran);
    BOOST_TEST(run_out(io));
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(use_awaitable_returns_value_and_void)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    std::string got;
    bool void_done = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            got = co_await asyncjobs::async_get(pool.submit([] { return std::string("hello"); }), asio::use_awaitable);
            co_await asyncjobs::async_get(pool.submit([] {}), asio::use_awaitable);
            void_done = true;
        },
        asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(got == "hello");
    BOOST_TEST(void_done);
}

BOOST_AUTO_TEST_CASE(deferred_runs_when_invoked)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    std::atomic<bool> task_ran{false};
    auto op = asyncjobs::async_get(pool.submit([&] {
        task_ran = true;
        return 5;
    }),
                                   asio::deferred);
    int got = 0;
    std::move(op)(asio::bind_executor(io, [&](std::exception_ptr e, int v) {
        BOOST_TEST(!e);
        got = v;
    }));
    BOOST_TEST(run_out(io));
    BOOST_TEST(got == 5);
}

BOOST_AUTO_TEST_CASE(use_future_gets_value_and_exception)
{
    thread_pool_executor pool(2);
    auto ok = asyncjobs::async_get(pool.submit([] { return 3; }), asio::use_future);
    BOOST_TEST_REQUIRE((ok.wait_for(test::long_wait) == std::future_status::ready));
    BOOST_TEST(ok.get() == 3);
    auto bad = asyncjobs::async_get(pool.submit([]() -> int { throw custom_error(9); }), asio::use_future);
    BOOST_TEST_REQUIRE((bad.wait_for(test::long_wait) == std::future_status::ready));
    BOOST_CHECK_THROW(bad.get(), custom_error);
}

BOOST_AUTO_TEST_CASE(as_tuple_gives_the_exception_as_a_value)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    bool checked = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto [e, v] = co_await asyncjobs::async_get(pool.submit([]() -> int { throw custom_error(4); }),
                                                        asio::experimental::as_tuple(asio::use_awaitable));
            BOOST_TEST(static_cast<bool>(e));
            BOOST_TEST(v == 0);
            try {
                std::rethrow_exception(e);
            } catch (const custom_error& c) {
                BOOST_TEST(c.code == 4);
                checked = true;
            }
            auto [e2, v2] = co_await asyncjobs::async_get(pool.submit([] { return 8; }),
                                                          asio::experimental::as_tuple(asio::use_awaitable));
            BOOST_TEST(!e2);
            BOOST_TEST(v2 == 8);
        },
        asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(checked);
}

BOOST_AUTO_TEST_CASE(shared_future_gives_copies)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    auto shared = pool.submit([] { return std::string("shared"); }).share();
    int completions = 0;
    for (int i = 0; i < 3; ++i)
        asyncjobs::async_get(shared, asio::bind_executor(io, [&](std::exception_ptr e, std::string v) {
                                 BOOST_TEST(!e);
                                 BOOST_TEST(v == "shared");
                                 ++completions;
                             }));
    BOOST_TEST(run_out(io));
    BOOST_TEST(completions == 3);
    BOOST_TEST(shared.get() == "shared");
}

BOOST_AUTO_TEST_CASE(invalid_future_throws_at_once)
{
    asyncjobs::future<int> empty;
    BOOST_CHECK_THROW(asyncjobs::async_get(std::move(empty), [](std::exception_ptr, int) {}),
                      asyncjobs::invalid_future);
}

BOOST_AUTO_TEST_SUITE_END()
