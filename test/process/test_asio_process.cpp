// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// <asyncjobs/asio.hpp> on a process pool: awaiting process tasks from an io_context (values,
// exceptions with their types), cancellation that lets a running task finish or kills its
// worker (kill_on_cancel), both destruction orders, and 10,000 concurrent awaits.
// Run as: test_asio_process -- <test_worker>.
#define BOOST_TEST_MODULE asio_process
#include <boost/test/unit_test.hpp>

#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asio.hpp>
#include <asyncjobs/process_pool_executor.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using asyncjobs::process_pool_executor;
using process_test::eventually;

namespace {

process_pool_executor make_pool(std::size_t workers)
{
    return process_pool_executor(
        process_test::pool_options(process_test::argument(1, "run as: test_asio_process -- <test_worker>"), workers));
}

bool run_out(asio::io_context& io)
{
    io.run_for(60s);
    return io.stopped();
}

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

} // namespace

BOOST_AUTO_TEST_CASE(co_await_process_tasks_values_and_exception_types)
{
    auto pool = make_pool(2);
    asio::io_context io;
    int sum = 0;
    int caught = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            sum += co_await asyncjobs::async_get(pool.submit(process_tasks::add, 2, 3), asio::use_awaitable);
            auto name = co_await asyncjobs::async_get(pool.submit(process_tasks::greet, std::string("io")),
                                                      asio::use_awaitable);
            BOOST_TEST(name.find("io") != std::string::npos);
            co_await asyncjobs::async_get(pool.submit(process_tasks::do_nothing), asio::use_awaitable);
            try {
                co_await asyncjobs::async_get(pool.submit(process_tasks::throw_out_of_range, 1), asio::use_awaitable);
            } catch (const std::out_of_range&) {
                ++caught;
            }
            try {
                co_await asyncjobs::async_get(pool.submit(process_tasks::abort_on_5, 5), asio::use_awaitable);
            } catch (const asyncjobs::worker_crashed&) {
                ++caught;
            }
        },
        asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(sum == 5);
    BOOST_TEST(caught == 2);
}

BOOST_AUTO_TEST_CASE(cancel_leaves_a_running_task_to_finish)
{
    auto pool = make_pool(1);
    asio::io_context io;
    auto watcher = pool.submit(process_tasks::sleep_ms, 300).share();
    BOOST_TEST_REQUIRE(eventually([&] { return watcher.running(); }), "the task never started");
    auto pids = pool.worker_pids();
    asio::cancellation_signal signal;
    std::exception_ptr got;
    asyncjobs::async_get(watcher, asio::bind_cancellation_slot(signal.slot(), asio::bind_executor(io, [&](std::exception_ptr e, int) { got = e; })));
    asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); });
    BOOST_TEST(run_out(io));
    BOOST_TEST(is_operation_aborted(got));  // at once, not after the task
    BOOST_TEST_REQUIRE((watcher.wait_for(60s) == std::future_status::ready));
    BOOST_TEST(watcher.get() == 300);  // it ran to the end in the same worker
    BOOST_TEST((pool.worker_pids() == pids));
}

BOOST_AUTO_TEST_CASE(kill_on_cancel_kills_the_worker)
{
    using namespace asio::experimental::awaitable_operators;
    auto pool = make_pool(1);
    asio::io_context io;
    auto watcher = pool.submit(process_tasks::sleep_ms, 60000).share();
    BOOST_TEST_REQUIRE(eventually([&] { return watcher.running(); }), "the task never started");
    auto victim = pool.worker_pids();
    BOOST_TEST_REQUIRE(victim.size() == 1u);
    std::size_t winner = 99;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer timer(io, 20ms);
            auto result = co_await (timer.async_wait(asio::use_awaitable) ||
                                    asyncjobs::async_get(watcher, asyncjobs::kill_on_cancel{pool}, asio::use_awaitable));
            winner = result.index();
        },
        asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(winner == 0u);
    BOOST_TEST_REQUIRE((watcher.wait_for(60s) == std::future_status::ready));
    BOOST_TEST(watcher.cancelled());
    BOOST_TEST(eventually([&] { return !process_test::alive(victim[0]); }));
}

BOOST_AUTO_TEST_CASE(io_context_destroyed_first_then_pool)
{
    auto pool = make_pool(1);
    auto sentinel = std::make_shared<int>(0);
    auto watcher = pool.submit(process_tasks::sleep_ms, 200).share();
    {
        asio::io_context io;
        asyncjobs::async_get(watcher, asio::bind_executor(io, [keep = sentinel](std::exception_ptr, int) {
                                 BOOST_FAIL("the handler of a destroyed io_context ran");
                             }));
    }
    BOOST_TEST(sentinel.use_count() == 1);
    BOOST_TEST_REQUIRE((watcher.wait_for(60s) == std::future_status::ready));
    BOOST_TEST(watcher.get() == 200);
}

BOOST_AUTO_TEST_CASE(pool_destroyed_first_completes_on_the_io_context)
{
    asio::io_context io;
    std::exception_ptr from_cancel;
    int value = 0;
    {
        auto pool = make_pool(1);
        auto running = pool.submit(process_tasks::sleep_ms, 100);
        asyncjobs::async_get(std::move(running), asio::bind_executor(io, [&](std::exception_ptr e, int v) {
                                 if (!e)
                                     value = v;
                             }));
        asyncjobs::async_get(pool.submit(process_tasks::sleep_ms, 100),
                             asio::bind_executor(io, [&](std::exception_ptr e, int) { from_cancel = e; }));
        pool.terminate();
    }
    BOOST_TEST(run_out(io));
    BOOST_TEST_REQUIRE(static_cast<bool>(from_cancel));
    BOOST_CHECK_THROW(std::rethrow_exception(from_cancel), asyncjobs::cancelled_error);
    (void)value;  // the first task was running or sent ahead: terminate() may end it cancelled too
}

BOOST_AUTO_TEST_CASE(ten_thousand_concurrent_awaits)
{
    auto pool = make_pool(2);
    asio::io_context io;
    constexpr int n = 10000;
    int done = 0;
    long long sum = 0;
    for (int i = 0; i < n; ++i)
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                sum += co_await asyncjobs::async_get(pool.submit(process_tasks::add, i, 1), asio::use_awaitable);
                ++done;
            },
            asio::detached);
    BOOST_TEST(run_out(io));
    BOOST_TEST(done == n);
    BOOST_TEST(sum == static_cast<long long>(n) * (n + 1) / 2);
}
