// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Blocking inside a pool on work of the same pool: a one-thread pool throws deadlock_error
// instead of hanging; with more threads, shutdown(false, true) cancels the queued work so
// that a task blocked on it wakes with cancelled_error. Every wait here is bounded.
#define BOOST_TEST_MODULE asyncjobs deadlock
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <future>
#include <memory>

namespace aj = asyncjobs;
using namespace std::chrono_literals;

namespace {
constexpr auto bound = 60s;
}

BOOST_AUTO_TEST_SUITE(deadlock)

BOOST_AUTO_TEST_CASE(task_waiting_on_work_queued_behind_it_on_a_one_thread_pool_throws)
{
    aj::thread_pool_executor pool(1);
    auto outer = pool.submit([&pool] {
        auto inner = pool.submit([] { return 7; });  // queued behind the running task
        return inner.get();
    });
    BOOST_REQUIRE(outer.wait_for(bound) == std::future_status::ready);
    BOOST_CHECK_THROW(outer.get(), aj::deadlock_error);
}

BOOST_AUTO_TEST_CASE(wait_and_exception_throw_too)
{
    aj::thread_pool_executor pool(1);
    auto outer = pool.submit([&pool] {
        auto inner = pool.submit([] {});
        bool waited_threw = false, exception_threw = false;
        try {
            inner.wait();
        } catch (const aj::deadlock_error&) {
            waited_threw = true;
        }
        try {
            (void)inner.exception();
        } catch (const aj::deadlock_error&) {
            exception_threw = true;
        }
        return waited_threw && exception_threw;
    });
    BOOST_REQUIRE(outer.wait_for(bound) == std::future_status::ready);
    BOOST_TEST(outer.get());
}

BOOST_AUTO_TEST_CASE(continuation_waiting_on_another_continuation_of_its_one_thread_pool_throws)
{
    // The case (a process pool's single completion thread is such a pool): a
    // continuation calls get() on another continuation's result, which only its own thread
    // could run. Both hang off one future; callbacks fire in the order they were attached,
    // so `reader` is queued before `second` and finds it not started.
    aj::thread_pool_executor pool(1);
    std::promise<void> release;
    auto released = release.get_future().share();
    auto first = pool.submit([released] { return released.wait_for(bound) == std::future_status::ready ? 1 : 0; }).share();
    auto second_slot = std::make_shared<aj::shared_future<int>>();
    auto reader = first.then([second_slot](const aj::shared_future<int>&) { return second_slot->get(); });
    *second_slot = first.then([](const aj::shared_future<int>& f) { return f.get() + 1; }).share();
    release.set_value();
    BOOST_REQUIRE(reader.wait_for(bound) == std::future_status::ready);
    BOOST_CHECK_THROW(reader.get(), aj::deadlock_error);
    BOOST_REQUIRE(second_slot->wait_for(bound) == std::future_status::ready);
    BOOST_TEST(second_slot->get() == 2);
}

BOOST_AUTO_TEST_CASE(task_get_on_pending_continuation_throws)
{
    // `second` cannot run before `other` finishes: `first` is held until `other` is queued,
    // and the pool has one thread.
    aj::thread_pool_executor pool(1);
    std::promise<void> release;
    auto released = release.get_future().share();
    auto first = pool.submit([released] { return released.wait_for(bound) == std::future_status::ready ? 1 : 0; });
    auto second = first.then([](aj::future<int> f) { return f.get() + 1; }).share();
    // `other` is queued before `second` is scheduled (when `first` completes).
    auto other = pool.submit([second] { return second.get(); });
    release.set_value();
    BOOST_REQUIRE(other.wait_for(bound) == std::future_status::ready);
    BOOST_CHECK_THROW(other.get(), aj::deadlock_error);
    BOOST_REQUIRE(second.wait_for(bound) == std::future_status::ready);
    BOOST_TEST(second.get() == 2);
}

BOOST_AUTO_TEST_CASE(waiting_on_other_executors_work_is_not_a_deadlock)
{
    aj::thread_pool_executor pool(1), other(1);
    auto outer = pool.submit([&other] { return other.submit([] { return 5; }).get(); });
    BOOST_REQUIRE(outer.wait_for(bound) == std::future_status::ready);
    BOOST_TEST(outer.get() == 5);
    // And a caller outside the pool may always wait.
    BOOST_TEST(pool.submit([] { return 6; }).get() == 6);
}

BOOST_AUTO_TEST_CASE(shutdown_cancel_futures_wakes_a_task_blocked_on_queued_work)
{
    // Two threads, both held: the second task waits on work queued behind them (a deadlock
    // as in Python). shutdown(false, true) cancels that work, and the blocked get() throws
    // cancelled_error; the destructor then returns.
    test::gate hold;
    test::counter started, submitted;
    auto pool = std::make_unique<aj::thread_pool_executor>(2);
    test::open_on_exit guard(hold);
    auto holder = pool->submit([&] {
        started.add();
        return hold.wait();
    });
    auto blocked = pool->submit([&]() -> int {
        started.add();
        auto inner = pool->submit([] { return 1; });  // queued: both threads are busy
        submitted.add();
        return inner.get();
    });
    BOOST_REQUIRE(started.wait_for_at_least(2));
    BOOST_REQUIRE(submitted.wait_for_at_least(1));
    pool->shutdown(false, true);  // cancels `inner`, whether or not get() blocks yet
    BOOST_REQUIRE(blocked.wait_for(bound) == std::future_status::ready);
    BOOST_CHECK_THROW(blocked.get(), aj::cancelled_error);
    hold.open();
    BOOST_REQUIRE(holder.wait_for(bound) == std::future_status::ready);
    pool.reset();
}

BOOST_AUTO_TEST_SUITE_END()
