// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Continuations: where and how often they run, errors and cancellation flowing through
// them, unwrapping, long chains, and executors that go away under them. The cases whose
// tasks need no captured state run on a thread pool and a process pool (pool_kinds.hpp;
// continuations stay lambdas: on a process pool they run on its completion threads); run as
// test_then -- <test_worker>.
#define BOOST_TEST_MODULE asyncjobs then
#include <boost/test/unit_test.hpp>

#include "pool_kinds.hpp"
#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace aj = asyncjobs;
namespace tasks = interface_tasks;
using test::ready;

BOOST_AUTO_TEST_SUITE(where_and_how_often)

BOOST_AUTO_TEST_CASE(runs_once_on_pool_thread_attached_before_completion)
{
    test::gate release;
    std::atomic<int> calls{0};
    std::atomic<bool> on_pool{false};
    aj::thread_pool_executor pool(2);
    test::open_on_exit guard(release);
    auto f = pool.submit([&] { return release.wait() ? 1 : -1; });
    auto g = std::move(f).then([&](aj::future<int> r) {
        ++calls;
        on_pool = pool.running_in_this_thread();
        return r.get() + 1;
    });
    BOOST_TEST(!g.done());
    BOOST_TEST(calls.load() == 0);  // not before its parent is ready
    release.open();
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get() == 2);
    pool.shutdown(true);
    BOOST_TEST(calls.load() == 1);
    BOOST_TEST(on_pool.load());
}

BOOST_AUTO_TEST_CASE(runs_on_pool_thread_when_attached_after_completion)
{
    std::atomic<int> calls{0};
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([] { return 5; });
    BOOST_REQUIRE(ready(f));
    auto caller = std::this_thread::get_id();
    auto g = std::move(f).then([&](aj::future<int> r) {
        ++calls;
        // Not run inline by then() on the attaching thread: on the pool.
        return std::make_pair(r.get(), pool.running_in_this_thread() && std::this_thread::get_id() != caller);
    });
    BOOST_REQUIRE(ready(g));
    auto [value, on_pool] = g.get();
    BOOST_TEST(value == 5);
    BOOST_TEST(on_pool);
    pool.shutdown(true);
    BOOST_TEST(calls.load() == 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(each_of_many_continuations_runs_exactly_once, Kind, test::pool_kinds)
{
    constexpr int n = 2000;
    std::vector<std::atomic<int>> calls(n);
    auto owner = Kind::make(2);
    auto& pool = *owner;
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < n; ++i)
        fs.push_back(pool.submit(tasks::value, i).then([&calls](aj::future<int> r) {
            int v = r.get();
            ++calls[static_cast<std::size_t>(v)];
            return v * 2;
        }));
    for (int i = 0; i < n; ++i) {
        BOOST_REQUIRE(ready(fs[static_cast<std::size_t>(i)]));
        BOOST_TEST(fs[static_cast<std::size_t>(i)].get() == 2 * i);
    }
    pool.shutdown(true);
    for (auto& c : calls)
        BOOST_TEST(c.load() == 1);
}

BOOST_AUTO_TEST_CASE(then_on_other_executor)
{
    aj::thread_pool_executor a(1), b(1);
    auto f = a.submit([&] { return a.running_in_this_thread(); });
    auto g = std::move(f).then(b, [&](aj::future<bool> r) {
        return std::make_tuple(r.get(), b.running_in_this_thread(), a.running_in_this_thread());
    });
    BOOST_REQUIRE(ready(g));
    auto [parent_on_a, on_b, on_a] = g.get();
    BOOST_TEST(parent_on_a);
    BOOST_TEST(on_b);
    BOOST_TEST(!on_a);
}

BOOST_AUTO_TEST_CASE(continuation_of_continuation_stays_on_its_executor)
{
    aj::thread_pool_executor a(1), b(1);
    auto g = a.submit([] { return 1; })
                 .then(b, [](aj::future<int> r) { return r.get() + 1; })
                 .then([&](aj::future<int> r) {  // no executor named: b, where its parent ran
                     return std::make_pair(r.get(), b.running_in_this_thread() && !a.running_in_this_thread());
                 });
    BOOST_REQUIRE(ready(g));
    auto [value, on_b] = g.get();
    BOOST_TEST(value == 2);
    BOOST_TEST(on_b);
}

BOOST_AUTO_TEST_CASE(shared_future_continuations_each_run_once)
{
    test::gate release;
    std::atomic<int> calls{0};
    aj::thread_pool_executor pool(2);
    test::open_on_exit guard(release);
    auto s = pool.submit([&] { return release.wait() ? 10 : -1; }).share();
    std::vector<aj::future<int>> gs;
    for (int i = 0; i < 5; ++i)
        gs.push_back(s.then([&calls, i](aj::shared_future<int> r) {
            ++calls;
            return r.get() + i;
        }));
    BOOST_TEST(s.valid());  // then() on a shared_future does not consume it
    release.open();
    for (int i = 0; i < 5; ++i) {
        BOOST_REQUIRE(ready(gs[static_cast<std::size_t>(i)]));
        BOOST_TEST(gs[static_cast<std::size_t>(i)].get() == 10 + i);
    }
    BOOST_TEST(calls.load() == 5);
    BOOST_TEST(s.get() == 10);
}

BOOST_AUTO_TEST_CASE(shared_future_then_on_other_executor)
{
    aj::thread_pool_executor a(1), b(1);
    auto s = a.submit([] { return 3; }).share();
    auto g = s.then(b, [&](aj::shared_future<int> r) { return b.running_in_this_thread() ? r.get() : -1; });
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get() == 3);
}

BOOST_AUTO_TEST_CASE(void_continuations)
{
    std::atomic<int> calls{0};
    aj::thread_pool_executor pool(1);
    auto g = pool.submit([&] { ++calls; }).then([&](aj::future<void> r) {
        r.get();
        ++calls;
    });
    BOOST_REQUIRE(ready(g));
    BOOST_CHECK_NO_THROW(g.get());
    BOOST_TEST(calls.load() == 2);
}

BOOST_AUTO_TEST_CASE(move_only_values_through_continuations)
{
    aj::thread_pool_executor pool(1);
    auto g = pool.submit([] { return std::make_unique<int>(1); })
                 .then([](aj::future<std::unique_ptr<int>> r) {
                     auto p = r.get();
                     ++*p;
                     return p;
                 })
                 .then([p = std::make_unique<int>(10)](aj::future<std::unique_ptr<int>> r) {  // move-only callable
                     return *r.get() + *p;
                 });
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get() == 12);
}

BOOST_AUTO_TEST_CASE(named_callable_is_copied)
{
    aj::thread_pool_executor pool(1);
    auto add_one = [](aj::future<int> r) { return r.get() + 1; };
    auto g = pool.submit([] { return 1; }).then(add_one).then(add_one);
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get() == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(errors_and_cancellation)

BOOST_AUTO_TEST_CASE(exception_in_continuation_lands_in_returned_future)
{
    aj::thread_pool_executor pool(1);
    auto g = pool.submit([] { return 1; }).then([](aj::future<int>) -> int { throw std::logic_error("in then"); });
    BOOST_CHECK_THROW(g.get(), std::logic_error);

    // The next continuation receives the failed future and can recover.
    auto h = pool.submit([] { return 1; })
                 .then([](aj::future<int>) -> int { throw std::logic_error("in then"); })
                 .then([](aj::future<int> r) {
                     bool failed = static_cast<bool>(r.exception());
                     try {
                         (void)r.get();
                     } catch (const std::logic_error&) {
                         return failed ? 100 : -1;
                     }
                     return -2;
                 });
    BOOST_REQUIRE(ready(h));
    BOOST_TEST(h.get() == 100);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(continuation_receives_failed_future, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    auto g = pool.submit(tasks::fail, std::string("runtime_error"), std::string("task")).then([](aj::future<int> r) {
        if (!r.done() || !r.exception())
            return std::string("not failed");
        try {
            (void)r.get();
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string("no throw");
    });
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get() == "task");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(exception_passes_through_a_continuation_that_calls_get, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    auto g = pool.submit(tasks::fail, std::string("out_of_range"), std::string("deep"))
                 .then([](aj::future<int> r) { return r.get() + 1; })
                 .then([](aj::future<int> r) { return r.get() + 1; });
    BOOST_CHECK_THROW(g.get(), std::out_of_range);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(continuation_receives_future_cancelled_before_attach, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    test::file_blocker block(pool);
    BOOST_REQUIRE(block.started());
    auto f = pool.submit(tasks::value, 1);
    BOOST_REQUIRE(f.cancel());
    auto g = std::move(f).then([](aj::future<int> r) {
        try {
            (void)r.get();
        } catch (const aj::cancelled_error&) {
            return r.cancelled();
        }
        return false;
    });
    block.release();
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(continuation_receives_future_cancelled_after_attach, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    test::file_blocker block(pool);
    BOOST_REQUIRE(block.started());
    auto s = pool.submit(tasks::value, 1).share();
    auto g = s.then([](aj::shared_future<int> r) { return r.cancelled(); });
    BOOST_REQUIRE(s.cancel());
    block.release();
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get());
}

BOOST_AUTO_TEST_CASE(cancel_does_not_run_the_continuation_on_the_cancelling_thread)
{
    aj::thread_pool_executor pool(1);
    test::blocker block(pool);
    BOOST_REQUIRE(block.started());
    auto s = pool.submit([] { return 1; }).share();
    auto g = s.then([&](aj::shared_future<int> r) { return r.cancelled() && pool.running_in_this_thread(); });
    BOOST_REQUIRE(s.cancel());
    // The only pool thread is held by the blocker: the continuation is queued there, not
    // run inline by cancel().
    BOOST_TEST(!g.done());
    block.release();
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get());
}

BOOST_AUTO_TEST_CASE(cancelling_a_pending_continuation_skips_it)
{
    std::atomic<int> calls{0};
    aj::thread_pool_executor pool(1);
    test::blocker block(pool);
    BOOST_REQUIRE(block.started());
    auto f = pool.submit([] { return 1; });
    auto g = std::move(f).then([&](aj::future<int> r) {
        ++calls;
        return r.get();
    });
    BOOST_TEST(g.cancel());
    BOOST_TEST(g.cancelled());
    BOOST_CHECK_THROW(g.get(), aj::cancelled_error);
    block.release();
    pool.shutdown(true);  // the parent ran; the continuation must not have
    BOOST_TEST(calls.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(unwrapping)

BOOST_AUTO_TEST_CASE_TEMPLATE(returned_future_is_unwrapped, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    aj::future<int> g = pool.submit(tasks::value, 1).then([&pool](aj::future<int> r) {
        int v = r.get();
        return pool.submit(tasks::add, v, 100);
    });
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get() == 101);
}

BOOST_AUTO_TEST_CASE(unwrapped_future_waits_for_the_inner_work)
{
    test::gate release;
    aj::thread_pool_executor pool(2);
    test::open_on_exit guard(release);
    auto g = pool.submit([] { return 1; }).then([&](aj::future<int> r) {
        int v = r.get();
        return pool.submit([v, &release] { return release.wait() ? v + 1 : -1; });
    });
    // The continuation itself finishes at once; g is ready only once the inner task is.
    BOOST_TEST(!g.done());
    release.open();
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get() == 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(returned_future_that_fails, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    auto g = pool.submit(tasks::value, 1).then([&pool](aj::future<int>) {
        return pool.submit(tasks::fail, std::string("range_error"), std::string("inner"));
    });
    BOOST_CHECK_THROW(g.get(), std::range_error);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(returned_cancelled_future, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    test::file_blocker block(pool);
    BOOST_REQUIRE(block.started());
    auto inner = pool.submit(tasks::value, 1);
    BOOST_REQUIRE(inner.cancel());
    auto holder = std::make_shared<aj::future<int>>(std::move(inner));
    auto g = pool.submit(tasks::nothing).then([holder](aj::future<void>) { return std::move(*holder); });
    block.release();
    BOOST_CHECK_THROW(g.get(), aj::cancelled_error);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(returned_void_future, Kind, test::pool_kinds)
{
    test::scratch_dir runs;  // a file per task run
    auto owner = Kind::make(2);
    auto& pool = *owner;
    aj::future<void> g = pool.submit(tasks::nothing).then([&](aj::future<void>) {
        return pool.submit(tasks::mark_run_void, runs.file("inner"));
    });
    BOOST_REQUIRE(ready(g));
    BOOST_CHECK_NO_THROW(g.get());
    BOOST_TEST(runs.count() == 1u);
}

BOOST_AUTO_TEST_CASE(returned_shared_future_stays_readable)
{
    aj::thread_pool_executor pool(2);
    auto shared = pool.submit([] { return std::string("kept"); }).share();
    aj::future<std::string> g = pool.submit([] {}).then([shared](aj::future<void>) { return shared; });
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get() == "kept");
    BOOST_TEST(shared.get() == "kept");  // not moved out of the shared state
}

BOOST_AUTO_TEST_CASE(returned_invalid_future_fails_with_invalid_future)
{
    aj::thread_pool_executor pool(1);
    auto g = pool.submit([] {}).then([](aj::future<void>) { return aj::future<int>(); });
    BOOST_CHECK_THROW(g.get(), aj::invalid_future);
}

BOOST_AUTO_TEST_CASE(unwrapping_on_other_executor)
{
    aj::thread_pool_executor a(1), b(1);
    auto g = a.submit([] { return 2; }).then(b, [&](aj::future<int> r) {
        int v = r.get();
        return a.submit([v] { return v * 21; });
    });
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get() == 42);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(chains)

BOOST_AUTO_TEST_CASE(chain_of_100000_built_before_root_runs)
{
    constexpr int links = 100000;
    test::gate release;
    aj::thread_pool_executor pool(2);
    test::open_on_exit guard(release);
    auto f = pool.submit([&] { return release.wait() ? 0 : -1000000; });
    for (int i = 0; i < links; ++i)
        f = std::move(f).then([](aj::future<int> r) { return r.get() + 1; });
    BOOST_TEST(!f.done());
    release.open();
    BOOST_REQUIRE(ready(f));
    BOOST_TEST(f.get() == links);
}

BOOST_AUTO_TEST_CASE(chain_dropped_before_root_runs_still_completes)
{
    // Nobody holds the end of the chain: it still runs to the end once the root runs, and
    // (under AddressSanitizer) nothing of it leaks.
    constexpr int links = 10000;
    test::gate release;
    std::atomic<int> last{0};
    aj::thread_pool_executor pool(2);
    test::open_on_exit guard(release);
    {
        auto f = pool.submit([&] { return release.wait() ? 0 : -1000000; });
        for (int i = 0; i < links; ++i)
            f = std::move(f).then([](aj::future<int> r) { return r.get() + 1; });
        (void)std::move(f).then([&](aj::future<int> r) { last = r.get(); });
    }
    release.open();
    pool.shutdown(true);  // waits for the whole chain
    BOOST_TEST(last.load() == links);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(chain_of_100000_on_ready_root, Kind, test::pool_kinds)
{
    constexpr int links = 100000;
    auto owner = Kind::make(2);
    auto& pool = *owner;
    auto f = pool.submit(tasks::value, 0);
    BOOST_REQUIRE(ready(f));
    for (int i = 0; i < links; ++i)
        f = std::move(f).then([](aj::future<int> r) { return r.get() + 1; });
    BOOST_REQUIRE(ready(f));
    BOOST_TEST(f.get() == links);
}

BOOST_AUTO_TEST_CASE(long_unwrapping_chain)
{
    constexpr int links = 2000;
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([] { return 0; });
    for (int i = 0; i < links; ++i)
        f = std::move(f).then([&pool](aj::future<int> r) {
            int v = r.get();
            return pool.submit([v] { return v + 1; });
        });
    BOOST_REQUIRE(ready(f));
    BOOST_TEST(f.get() == links);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(executor_lifetime)

BOOST_AUTO_TEST_CASE_TEMPLATE(then_after_executor_destroyed_fails_with_shutdown_error, Kind, test::pool_kinds)
{
    aj::future<int> f;
    {
        auto pool = Kind::make(1);
        f = pool->submit(tasks::value, 1);
    }
    BOOST_REQUIRE(f.done());  // the destructor waited for it
    std::atomic<int> calls{0};
    auto g = std::move(f).then([&](aj::future<int> r) {
        ++calls;
        return r.get();
    });
    BOOST_REQUIRE(ready(g));
    BOOST_CHECK_THROW(g.get(), aj::shutdown_error);
    BOOST_TEST(calls.load() == 0);

    // And the continuation of that continuation too.
    auto h = std::move(g).then([](aj::future<int> r) { return r.get(); });
    BOOST_REQUIRE(ready(h));
    BOOST_CHECK_THROW(h.get(), aj::shutdown_error);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(then_after_shutdown_runs_or_fails_but_never_hangs, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    auto f = pool.submit(tasks::value, 1);
    BOOST_REQUIRE(ready(f));
    pool.shutdown(true);
    auto g = std::move(f).then([](aj::future<int> r) { return r.get() + 1; });
    BOOST_REQUIRE(ready(g));
    if (g.exception())
        BOOST_CHECK_THROW(g.get(), aj::shutdown_error);
    else
        BOOST_TEST(g.get() == 2);
}

BOOST_AUTO_TEST_CASE(continuation_on_destroyed_other_executor_fails)
{
    test::gate release;
    aj::thread_pool_executor a(1);
    test::open_on_exit guard(release);
    auto f = a.submit([&] { return release.wait() ? 1 : -1; });
    aj::future<int> g;
    {
        aj::thread_pool_executor b(1);
        g = std::move(f).then(b, [](aj::future<int> r) { return r.get() + 1; });
    }  // b is gone before the parent completes
    auto h = std::move(g).then([](aj::future<int> r) { return r.get() + 1; });
    release.open();
    BOOST_REQUIRE(ready(h));
    BOOST_CHECK_THROW(h.get(), aj::shutdown_error);
}

// Regression (fixed in f47fa5e): a chain of continuations whose executor is gone failed
// link by link through recursion (schedule() abandoned the child at once, whose complete()
// fired the next callback, and so on) and overflowed the stack of the thread that
// completed the root.
BOOST_AUTO_TEST_CASE(long_chain_on_destroyed_executor_fails_without_overflow)
{
    constexpr int links = 100000;
    test::gate release;
    aj::thread_pool_executor a(1);
    test::open_on_exit guard(release);
    auto f = a.submit([&] { return release.wait() ? 1 : -1; });
    {
        aj::thread_pool_executor b(1);
        f = std::move(f).then(b, [](aj::future<int> r) { return r.get() + 1; });
        for (int i = 1; i < links; ++i)
            f = std::move(f).then([](aj::future<int> r) { return r.get() + 1; });  // on b too
    }
    release.open();
    BOOST_REQUIRE(ready(f));
    BOOST_CHECK_THROW(f.get(), aj::shutdown_error);
}

// Regression (fixed in f47fa5e): continuations that failed with shutdown_error kept their
// callable, which holds the parent future: the last future of a long failed chain owned
// the whole chain, and destroying it recursed once per link (stack overflow).
BOOST_AUTO_TEST_CASE(long_failed_chain_is_destroyed_without_overflow)
{
    constexpr int links = 100000;
    aj::future<int> f;
    {
        aj::thread_pool_executor pool(1);
        f = pool.submit([] { return 0; });
    }
    for (int i = 0; i < links; ++i)
        f = std::move(f).then([](aj::future<int> r) { return r.get() + 1; });
    BOOST_REQUIRE(ready(f));
    BOOST_CHECK_THROW(f.get(), aj::shutdown_error);
    f = aj::future<int>();  // destroys the chain
    BOOST_TEST(!f.valid());
}

BOOST_AUTO_TEST_CASE(destroying_executor_with_continuations_in_flight)
{
    constexpr int n = 1000;
    test::gate release;
    std::vector<aj::future<int>> gs;
    {
        aj::thread_pool_executor pool(2);
        for (int i = 0; i < n; ++i)
            gs.push_back(pool.submit([&release, i] { return release.wait() ? i : -1; })
                             .then([](aj::future<int> r) { return r.get() * 2; })
                             .then([](aj::future<int> r) { return r.get() + 1; }));
        release.open();
    }  // the destructor waits for queued work and the continuations it posts
    for (int i = 0; i < n; ++i) {
        auto& g = gs[static_cast<std::size_t>(i)];
        BOOST_REQUIRE(g.done());  // no wait: already done when the destructor returned
        BOOST_TEST(g.get() == 2 * i + 1);
    }
}

BOOST_AUTO_TEST_CASE(continuations_of_cancelled_work_run_at_shutdown)
{
    constexpr int n = 50;
    std::atomic<int> saw_cancelled{0};
    std::vector<aj::future<int>> gs;
    {
        aj::thread_pool_executor pool(1);
        test::blocker block(pool);
        BOOST_REQUIRE(block.started());
        for (int i = 0; i < n; ++i)
            gs.push_back(pool.submit([i] { return i; }).then([&](aj::future<int> r) {
                if (r.cancelled())
                    ++saw_cancelled;
                return r.cancelled() ? -1 : r.get();
            }));
        pool.shutdown(false, true);  // cancels the queued tasks at once
        block.release();
    }
    BOOST_TEST(saw_cancelled.load() == n);
    for (auto& g : gs) {
        BOOST_REQUIRE(g.done());
        BOOST_TEST(g.get() == -1);
    }
}

BOOST_AUTO_TEST_CASE(continuation_attached_from_another_executor_thread_during_teardown)
{
    // Futures of `a` get continuations on `b` while `b` is being destroyed: each one either
    // runs or fails with shutdown_error; none hangs.
    constexpr int n = 500;
    test::gate release;
    std::vector<aj::future<int>> gs;
    aj::thread_pool_executor a(2);
    test::open_on_exit guard(release);
    {
        aj::thread_pool_executor b(2);
        (void)b.submit([] {}).get();
        for (int i = 0; i < n; ++i)
            gs.push_back(a.submit([&release, i] { return release.wait() ? i : -1; })
                             .then(b, [](aj::future<int> r) { return r.get() + 1; }));
        release.open();
    }
    for (int i = 0; i < n; ++i) {
        auto& g = gs[static_cast<std::size_t>(i)];
        BOOST_REQUIRE(ready(g));
        if (g.exception())
            BOOST_CHECK_THROW(g.get(), aj::shutdown_error);
        else
            BOOST_TEST(g.get() == i + 1);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(other_sources)

BOOST_AUTO_TEST_CASE(then_on_when_all_future)
{
    aj::thread_pool_executor pool(2);
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < 10; ++i)
        fs.push_back(pool.submit([i] { return i; }));
    auto g = aj::when_all(std::move(fs)).then([&](aj::future<std::vector<aj::future<int>>> r) {
        int sum = 0;
        for (auto& f : r.get())
            sum += f.get();
        return std::make_pair(sum, pool.running_in_this_thread());
    });
    BOOST_REQUIRE(ready(g));
    auto [sum, on_pool] = g.get();
    BOOST_TEST(sum == 45);
    BOOST_TEST(on_pool);
}

BOOST_AUTO_TEST_CASE(then_on_empty_when_all_runs)
{
    auto g = aj::when_all(std::vector<aj::future<int>>{}).then([](auto r) { return r.get().size(); });
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
