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

BOOST_AUTO_TEST_SUITE(executors)

BOOST_AUTO_TEST_CASE(handler_runs_on_its_strand)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    auto strand = asio::make_strand(io);
    constexpr int n = 200;
    int inside = 0;  // touched only on the strand: TSan would see a race otherwise
    std::atomic<int> outside{0};
    for (int i = 0; i < n; ++i)
        asyncjobs::async_get(pool.submit([i] { return i; }),
                             asio::bind_executor(strand, [&](std::exception_ptr e, int) {
                                 BOOST_TEST(!e);
                                 if (strand.running_in_this_thread())
                                     ++inside;
                                 else
                                     ++outside;
                             }));
    // Two threads run the io_context: only the strand keeps the handlers apart.
    std::thread second([&] { io.run_for(test::long_wait); });
    io.run_for(test::long_wait);
    second.join();
    BOOST_TEST(inside == n);
    BOOST_TEST(outside.load() == 0);
}

BOOST_AUTO_TEST_CASE(coroutine_resumes_on_its_executor_not_a_pool_thread)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    auto io_thread = std::this_thread::get_id();
    int resumed_on_io = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 50; ++i) {
                std::thread::id task_thread =
                    co_await asyncjobs::async_get(pool.submit([] { return std::this_thread::get_id(); }),
                                                  asio::use_awaitable);
                BOOST_TEST((task_thread != io_thread));
                if (std::this_thread::get_id() == io_thread)
                    ++resumed_on_io;
            }
        },
        asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(resumed_on_io == 50);
}

BOOST_AUTO_TEST_CASE(pending_operation_is_outstanding_work)
{
    // io.run() must not return while an async_get is pending: it counts as work.
    thread_pool_executor pool(1);
    asio::io_context io;
    test::gate release;
    test::open_on_exit opener(release);
    bool done = false;
    asyncjobs::async_get(pool.submit([&] { return release.wait(); }),
                         asio::bind_executor(io, [&](std::exception_ptr e, bool ok) {
                             BOOST_TEST(!e);
                             BOOST_TEST(ok);
                             done = true;
                         }));
    std::thread opener_thread([&] {
        std::this_thread::sleep_for(50ms);
        release.open();
    });
    io.run_for(test::long_wait);
    opener_thread.join();
    BOOST_TEST(done);
}

BOOST_AUTO_TEST_CASE(then_runs_on_io_context_strand_and_thread_pool)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    auto io_thread = std::this_thread::get_id();
    auto on_io = pool.submit([] { return 1; }).then(io.get_executor(), [&](asyncjobs::future<int> f) {
        BOOST_TEST((std::this_thread::get_id() == io_thread));
        return f.get() + 1;
    });
    auto strand = asio::make_strand(io);
    auto on_strand = pool.submit([] { return 10; }).then(strand, [&](asyncjobs::future<int> f) {
        BOOST_TEST(strand.running_in_this_thread());
        return f.get() + 1;
    });
    auto on_context = pool.submit([] { return 20; }).then(io, [](asyncjobs::future<int> f) { return f.get() + 1; });
    BOOST_TEST(run_out(io));
    BOOST_TEST_REQUIRE(test::ready(on_io));
    BOOST_TEST(on_io.get() == 2);
    BOOST_TEST_REQUIRE(test::ready(on_strand));
    BOOST_TEST(on_strand.get() == 11);
    BOOST_TEST_REQUIRE(test::ready(on_context));
    BOOST_TEST(on_context.get() == 21);

    asio::thread_pool tp(1);
    std::atomic<bool> on_tp{false};
    auto shared = pool.submit([] { return 5; }).share();
    auto via_tp = shared.then(tp.get_executor(), [&](asyncjobs::shared_future<int> f) {
        on_tp = tp.get_executor().running_in_this_thread();
        return f.get() * 2;
    });
    BOOST_TEST_REQUIRE(test::ready(via_tp));
    BOOST_TEST(via_tp.get() == 10);
    BOOST_TEST(on_tp.load());
    tp.join();
}

BOOST_AUTO_TEST_CASE(then_on_io_context_can_be_awaited)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    int got = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto f = pool.submit([] { return 20; }).then(io.get_executor(), [](asyncjobs::future<int> x) {
                return x.get() + 1;
            });
            got = co_await asyncjobs::async_get(std::move(f), asio::use_awaitable);
        },
        asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(got == 21);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exceptions)

BOOST_AUTO_TEST_CASE(co_await_rethrows_with_the_type)
{
    thread_pool_executor pool(1);
    asio::io_context io;
    int caught = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            try {
                co_await asyncjobs::async_get(pool.submit([]() -> int { throw custom_error(3); }), asio::use_awaitable);
            } catch (const custom_error& e) {
                BOOST_TEST(e.code == 3);
                ++caught;
            }
            try {
                co_await asyncjobs::async_get(pool.submit([] { throw std::out_of_range("far"); }), asio::use_awaitable);
            } catch (const std::out_of_range&) {
                ++caught;
            }
            // Work cancelled before it ran: cancelled_error, as get() throws.
            test::blocker busy(pool);
            auto queued = pool.submit([] { return 1; });
            BOOST_TEST(queued.cancel());
            try {
                co_await asyncjobs::async_get(std::move(queued), asio::use_awaitable);
            } catch (const asyncjobs::cancelled_error&) {
                ++caught;
            }
        },
        asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(caught == 3);
}

BOOST_AUTO_TEST_CASE(exceptions_escape_co_spawn_completion)
{
    thread_pool_executor pool(1);
    asio::io_context io;
    std::exception_ptr seen;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<int> {
            co_return co_await asyncjobs::async_get(pool.submit([]() -> int { throw custom_error(1); }),
                                                    asio::use_awaitable);
        },
        [&](std::exception_ptr e, int) { seen = e; });
    BOOST_TEST(run_out(io));
    BOOST_CHECK_THROW(std::rethrow_exception(seen), custom_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cancellation)

bool is_operation_aborted(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& s) {
        return s.code() == asio::error::operation_aborted;
    } catch (...) {
        return false;
    }
}

BOOST_AUTO_TEST_CASE(slot_cancels_queued_work_with_operation_aborted)
{
    thread_pool_executor pool(1);
    asio::io_context io;
    test::blocker busy(pool);
    std::atomic<bool> ran{false};
    auto queued = pool.submit([&] {
        ran = true;
        return 1;
    });
    auto watcher = queued.share();  // to see the task's own fate
    asio::cancellation_signal signal;
    std::exception_ptr got;
    int value = -1;
    asyncjobs::async_get(watcher, asio::bind_cancellation_slot(signal.slot(), asio::bind_executor(io, [&](std::exception_ptr e, int v) {
                                                                    got = e;
                                                                    value = v;
                                                                })));
    asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); });
    BOOST_TEST(run_out(io));
    BOOST_TEST(is_operation_aborted(got));
    BOOST_TEST(value == 0);
    BOOST_TEST(watcher.cancelled());
    busy.release();
    pool.shutdown();
    BOOST_TEST(!ran.load());
}

BOOST_AUTO_TEST_CASE(slot_completes_at_once_while_the_task_runs_and_stops_it)
{
    thread_pool_executor pool(1);
    asio::io_context io;
    test::gate started;
    std::atomic<bool> stop_seen{false};
    auto running = pool.submit([&](std::stop_token st) {
        started.open();
        auto deadline = std::chrono::steady_clock::now() + test::long_wait;
        while (!st.stop_requested() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(1ms);
        stop_seen = st.stop_requested();
        return 1;
    });
    BOOST_TEST_REQUIRE(started.wait());
    asio::cancellation_signal signal;
    std::exception_ptr got;
    asyncjobs::async_get(std::move(running), asio::bind_cancellation_slot(signal.slot(), asio::bind_executor(io, [&](std::exception_ptr e, int) { got = e; })));
    asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); });
    BOOST_TEST(run_out(io));
    BOOST_TEST(is_operation_aborted(got));
    pool.shutdown();
    BOOST_TEST(stop_seen.load());
}

BOOST_AUTO_TEST_CASE(timer_or_task_timer_wins)
{
    using namespace asio::experimental::awaitable_operators;
    thread_pool_executor pool(1);
    asio::io_context io;
    test::blocker busy(pool);
    std::atomic<bool> ran{false};
    auto queued = pool.submit([&] {
        ran = true;
        return 1;
    });
    auto watcher = queued.share();
    std::size_t winner = 99;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer timer(io, 10ms);
            auto result = co_await (timer.async_wait(asio::use_awaitable) ||
                                    asyncjobs::async_get(watcher, asio::use_awaitable));
            winner = result.index();
        },
        asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(winner == 0u);
    BOOST_TEST(watcher.cancelled());
    busy.release();
    pool.shutdown();
    BOOST_TEST(!ran.load());
}

BOOST_AUTO_TEST_CASE(timer_or_task_task_wins)
{
    using namespace asio::experimental::awaitable_operators;
    thread_pool_executor pool(1);
    asio::io_context io;
    int value = 0;
    std::size_t winner = 99;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer timer(io, test::long_wait);
            auto result = co_await (timer.async_wait(asio::use_awaitable) ||
                                    asyncjobs::async_get(pool.submit([] { return 9; }), asio::use_awaitable));
            winner = result.index();
            if (winner == 1)
                value = std::get<1>(result);
        },
        asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(winner == 1u);
    BOOST_TEST(value == 9);
}

BOOST_AUTO_TEST_CASE(races_of_cancel_and_completion_complete_once)
{
    // The task and the cancellation land at about the same time, many times over: each
    // operation completes exactly once, with the value or operation_aborted.
    thread_pool_executor pool(2);
    asio::io_context io;
    constexpr int n = 2000;
    int completions = 0, values = 0, aborted = 0;
    std::vector<std::unique_ptr<asio::cancellation_signal>> signals;
    for (int i = 0; i < n; ++i) {
        signals.push_back(std::make_unique<asio::cancellation_signal>());
        asyncjobs::async_get(pool.submit([i] { return i; }),
                             asio::bind_cancellation_slot(signals.back()->slot(), asio::bind_executor(io, [&, i](std::exception_ptr e, int v) {
                                                              ++completions;
                                                              if (!e && v == i)
                                                                  ++values;
                                                              else if (is_operation_aborted(e))
                                                                  ++aborted;
                                                          })));
        asio::post(io, [&, i] { signals[static_cast<std::size_t>(i)]->emit(asio::cancellation_type::terminal); });
    }
    BOOST_TEST(run_out(io));
    BOOST_TEST(completions == n);
    BOOST_TEST(values + aborted == n);
    pool.shutdown();
}

BOOST_AUTO_TEST_CASE(cancelled_co_spawn_cancels_the_await)
{
    thread_pool_executor pool(1);
    asio::io_context io;
    test::blocker busy(pool);
    auto watcher = pool.submit([] { return 1; }).share();
    asio::cancellation_signal signal;
    std::exception_ptr outcome;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<int> { co_return co_await asyncjobs::async_get(watcher, asio::use_awaitable); },
        asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, int) { outcome = e; }));
    asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); });
    BOOST_TEST(run_out(io));
    BOOST_TEST(is_operation_aborted(outcome));
    BOOST_TEST(watcher.cancelled());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lifetimes)

/// A handler that records whether it ran and whether it was destroyed.
struct tracked_handler {
    std::shared_ptr<int> alive;  // use_count() says whether copies of the handler remain
    bool* ran;
    void operator()(std::exception_ptr, int) { *ran = true; }
};

BOOST_AUTO_TEST_CASE(io_context_destroyed_first_drops_the_handler)
{
    thread_pool_executor pool(1);
    test::gate release;
    test::open_on_exit opener(release);
    auto sentinel = std::make_shared<int>(0);
    bool ran = false;
    auto f = pool.submit([&] { return release.wait() ? 1 : 0; });
    auto watcher = f.share();
    {
        asio::io_context io;
        asyncjobs::async_get(watcher, asio::bind_executor(io, tracked_handler{sentinel, &ran}));
        BOOST_TEST(sentinel.use_count() > 1);
    }
    // The context is gone: its handler was destroyed with it, unrun.
    BOOST_TEST(sentinel.use_count() == 1);
    release.open();
    BOOST_TEST_REQUIRE(test::ready(watcher));  // the task completes; nothing touches the dead context
    BOOST_TEST(!ran);
}

BOOST_AUTO_TEST_CASE(io_context_destroyed_first_destroys_waiting_coroutines)
{
    thread_pool_executor pool(1);
    test::gate release;
    test::open_on_exit opener(release);
    auto sentinel = std::make_shared<int>(0);
    auto watcher = pool.submit([&] { return release.wait() ? 1 : 0; }).share();
    bool finished = false;
    {
        asio::io_context io;
        asio::co_spawn(
            io,
            [&, keep = sentinel]() -> asio::awaitable<void> {
                co_await asyncjobs::async_get(watcher, asio::use_awaitable);
                finished = true;
            },
            asio::detached);
        io.run_for(20ms);  // the coroutine starts and suspends in async_get
        BOOST_TEST(sentinel.use_count() > 1);
    }
    BOOST_TEST(sentinel.use_count() == 1);  // its frame went with the context
    release.open();
    BOOST_TEST_REQUIRE(test::ready(watcher));
    BOOST_TEST(!finished);
}

BOOST_AUTO_TEST_CASE(io_context_stopped_then_task_completes_then_destroyed)
{
    thread_pool_executor pool(1);
    auto sentinel = std::make_shared<int>(0);
    bool ran = false;
    test::gate release;
    test::open_on_exit opener(release);
    auto watcher = pool.submit([&] { return release.wait() ? 1 : 0; }).share();
    {
        asio::io_context io;
        asyncjobs::async_get(watcher, asio::bind_executor(io, tracked_handler{sentinel, &ran}));
        io.stop();
        release.open();
        BOOST_TEST_REQUIRE(test::ready(watcher));
        // The completion is queued in the stopped context, not run.
        BOOST_TEST(test::eventually([&] { return watcher.done(); }));
    }
    BOOST_TEST(!ran);
    BOOST_TEST(sentinel.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(then_on_a_destroyed_io_context_fails_with_shutdown_error)
{
    asyncjobs::promise<int> p;
    asyncjobs::future<int> continued;
    {
        asio::io_context io;
        continued = p.get_future().then(io.get_executor(), [](asyncjobs::future<int> f) { return f.get(); });
    }
    p.set_value(1);
    BOOST_TEST_REQUIRE(test::ready(continued));
    BOOST_CHECK_THROW(continued.get(), asyncjobs::shutdown_error);

    // Queued in the context when it goes: also shutdown_error, not a hang.
    asyncjobs::promise<int> q;
    asyncjobs::future<int> queued;
    {
        asio::io_context io;
        queued = q.get_future().then(io, [](asyncjobs::future<int> f) { return f.get(); });
        q.set_value(2);
    }
    BOOST_TEST_REQUIRE(test::ready(queued));
    BOOST_CHECK_THROW(queued.get(), asyncjobs::shutdown_error);
}

BOOST_AUTO_TEST_CASE(pool_destroyed_first_completes_the_operations)
{
    asio::io_context io;
    std::exception_ptr from_shutdown, from_cancel;
    int value = 0;
    int completions = 0;
    asyncjobs::promise<int> p;
    {
        thread_pool_executor pool(1);
        // A continuation for the pool that will be gone when its parent completes.
        asyncjobs::async_get(p.get_future().then(pool, [](asyncjobs::future<int> f) { return f.get(); }),
                             asio::bind_executor(io, [&](std::exception_ptr e, int) {
                                 from_shutdown = e;
                                 ++completions;
                             }));
        test::blocker busy(pool);
        asyncjobs::async_get(pool.submit([] { return 1; }), asio::bind_executor(io, [&](std::exception_ptr e, int) {
                                 from_cancel = e;
                                 ++completions;
                             }));
        pool.shutdown(false, true);  // cancels the queued task
        busy.release();
    }
    {
        thread_pool_executor pool(1);
        asyncjobs::async_get(pool.submit([] { return 3; }), asio::bind_executor(io, [&](std::exception_ptr e, int v) {
                                 BOOST_TEST(!e);
                                 value = v;
                                 ++completions;
                             }));
    }  // the destructor lets the running or queued task finish
    p.set_value(5);
    BOOST_TEST(run_out(io));
    BOOST_TEST_REQUIRE(completions == 3);
    BOOST_TEST_REQUIRE(static_cast<bool>(from_shutdown));
    BOOST_CHECK_THROW(std::rethrow_exception(from_shutdown), asyncjobs::shutdown_error);
    BOOST_TEST_REQUIRE(static_cast<bool>(from_cancel));
    BOOST_CHECK_THROW(std::rethrow_exception(from_cancel), asyncjobs::cancelled_error);
    BOOST_TEST(value == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(promises)

BOOST_AUTO_TEST_CASE(value_exception_and_broken)
{
    asyncjobs::promise<int> p;
    auto f = p.get_future();
    BOOST_CHECK_THROW((void)p.get_future(), asyncjobs::promise_error);
    BOOST_TEST(!f.done());
    p.set_value(4);
    BOOST_CHECK_THROW(p.set_value(5), asyncjobs::promise_error);
    BOOST_TEST(f.get() == 4);

    asyncjobs::promise<void> v;
    auto fv = v.get_future();
    v.set_exception(std::make_exception_ptr(custom_error(2)));
    BOOST_CHECK_THROW(fv.get(), custom_error);

    asyncjobs::future<std::string> orphan;
    {
        asyncjobs::promise<std::string> gone;
        orphan = gone.get_future();
    }
    BOOST_CHECK_THROW(orphan.get(), asyncjobs::broken_promise);

    BOOST_CHECK_THROW(p.set_exception(nullptr), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(cancelled_future_drops_the_result)
{
    asyncjobs::promise<int> p;
    auto f = p.get_future();
    BOOST_TEST(f.cancel());
    BOOST_TEST(p.cancelled());
    p.set_value(1);  // dropped, no error: the consumer no longer wants it
    BOOST_CHECK_THROW(f.get(), asyncjobs::cancelled_error);
}

BOOST_AUTO_TEST_CASE(ready_and_exceptional_futures)
{
    BOOST_TEST(asyncjobs::make_ready_future(std::string("x")).get() == "x");
    auto v = asyncjobs::make_ready_future();
    BOOST_TEST(v.done());
    v.get();
    BOOST_CHECK_THROW(asyncjobs::make_exceptional_future<int>(custom_error(1)).get(), custom_error);
    BOOST_CHECK_THROW(asyncjobs::make_exceptional_future<int>(std::make_exception_ptr(std::logic_error("l"))).get(),
                      std::logic_error);
}

BOOST_AUTO_TEST_CASE(asio_result_joins_when_all_and_as_completed)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    asyncjobs::promise<int> from_timer;
    auto timer_future = from_timer.get_future();
    asio::steady_timer timer(io, 5ms);
    timer.async_wait([&](boost::system::error_code ec) {
        if (ec)
            from_timer.set_exception(std::make_exception_ptr(boost::system::system_error(ec)));
        else
            from_timer.set_value(100);
    });
    auto all = asyncjobs::when_all(pool.submit([] { return 1; }), std::move(timer_future));
    BOOST_TEST(run_out(io));
    BOOST_TEST_REQUIRE(test::ready(all));
    auto [a, b] = all.get();
    BOOST_TEST(a.get() == 1);
    BOOST_TEST(b.get() == 100);

    asyncjobs::promise<int> late;
    std::vector<asyncjobs::future<int>> futures;
    futures.push_back(pool.submit([] { return 2; }));
    futures.push_back(late.get_future());
    std::thread setter([&] { late.set_value(3); });
    int sum = 0;
    for (auto& f : asyncjobs::as_completed(futures, test::long_wait))
        sum += f.get();
    setter.join();
    BOOST_TEST(sum == 5);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(scale)

BOOST_AUTO_TEST_CASE(ten_thousand_concurrent_awaits)
{
    thread_pool_executor pool(2);
    asio::io_context io;
    constexpr int n = 10000;
    int done = 0;
    long long sum = 0;
    for (int i = 0; i < n; ++i)
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                sum += co_await asyncjobs::async_get(pool.submit([i] { return i; }), asio::use_awaitable);
                ++done;
            },
            asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(done == n);
    BOOST_TEST(sum == static_cast<long long>(n) * (n - 1) / 2);
}

BOOST_AUTO_TEST_SUITE_END()
