// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// thread_pool_executor starts a thread for a task only when no thread is idle (as CPython
// >= 3.8 does): work submitted one piece at a time runs on one thread.
#define BOOST_TEST_MODULE asyncjobs thread_reuse
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <set>
#include <thread>
#include <vector>

namespace aj = asyncjobs;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(thread_reuse)

BOOST_AUTO_TEST_CASE(sequential_submit_get_runs_on_one_thread)
{
    // The previous task is complete when get() returns, so its thread counts as idle even
    // if it has not gone back to the queue yet: the answer does not depend on timing.
    aj::thread_pool_executor pool(8);
    std::set<std::thread::id> ran_on;
    for (int i = 0; i < 50; ++i)
        ran_on.insert(pool.submit([] { return std::this_thread::get_id(); }).get());
    BOOST_TEST(ran_on.size() == 1u);
}

BOOST_AUTO_TEST_CASE(busy_threads_still_get_company)
{
    // Reuse never starves work: with every thread held, each new task gets a thread of its
    // own up to max_workers.
    constexpr int n = 4;
    test::gate go;
    test::counter started;
    aj::thread_pool_executor pool(n);
    test::open_on_exit guard(go);
    std::vector<aj::future<std::thread::id>> held;
    for (int i = 0; i < n; ++i)
        held.push_back(pool.submit([&] {
            started.add();
            (void)go.wait();
            return std::this_thread::get_id();
        }));
    BOOST_REQUIRE(started.wait_for_at_least(n));  // all n at once: n threads
    go.open();
    std::set<std::thread::id> ran_on;
    for (auto& f : held)
        ran_on.insert(f.get());
    BOOST_TEST(ran_on.size() == static_cast<std::size_t>(n));
}

BOOST_AUTO_TEST_SUITE_END()
