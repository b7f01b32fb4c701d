// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// thread_pool_executor::stats() (what each counter counts, through outcomes forced with
// gates) and idle reaping (idle_timeout, min_workers): threads leave after the timeout, down
// to min_workers, and start again on demand. No timing is asserted: threads must leave
// "eventually" (test::long_wait), and work must run afterwards.
#define BOOST_TEST_MODULE asyncjobs thread_pool_stats
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace aj = asyncjobs;
using namespace std::chrono_literals;

namespace {

aj::thread_pool_options reaping(std::size_t max, std::size_t min, std::chrono::milliseconds idle)
{
    aj::thread_pool_options options;
    options.max_workers = max;
    options.min_workers = min;
    options.idle_timeout = idle;
    options.thread_name_prefix = "reap";
    return options;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_new_pool_counts_nothing)
{
    aj::thread_pool_executor pool(3);
    auto s = pool.stats();
    BOOST_TEST(s.submitted == 0u);
    BOOST_TEST(s.workers == 0u);  // threads start on demand
    BOOST_TEST(s.worker_starts == 0u);
    BOOST_TEST(s.per_worker.empty());
}

BOOST_AUTO_TEST_CASE(each_outcome_is_counted_once)
{
    aj::thread_pool_executor pool(1);
    std::vector<aj::future<int>> ok, bad;
    for (int i = 0; i < 10; ++i)
        ok.push_back(pool.submit([i] { return i; }));
    for (int i = 0; i < 3; ++i)
        bad.push_back(pool.submit([]() -> int { throw std::runtime_error("no"); }));
    for (auto& f : ok)
        BOOST_REQUIRE(test::ready(f));
    for (auto& f : bad)
        BOOST_REQUIRE(test::ready(f));
    {
        test::blocker busy(pool);
        BOOST_REQUIRE(busy.started());
        auto a = pool.submit([] { return 1; });
        auto b = pool.submit([] { return 2; });
        auto s = pool.stats();
        BOOST_TEST(s.running == 1u);  // the blocker
        BOOST_TEST(s.queued == 2u);
        BOOST_TEST(a.cancel());
        BOOST_TEST(b.cancel());
    }
    auto last = pool.submit([] { return 3; });
    BOOST_REQUIRE(test::ready(last));
    // The last task's thread counts it just after completing its future.
    BOOST_REQUIRE(test::eventually([&] { return pool.stats().completed == 12u; }));
    auto s = pool.stats();
    BOOST_TEST(s.submitted == 17u);  // 10 + 3 + blocker + 2 cancelled + last
    BOOST_TEST(s.completed == 12u);  // 10 + blocker + last
    // The same snapshot through executor& (what a service's /metrics holds).
    const aj::executor& ex = pool;
    BOOST_TEST(ex.stats().submitted == 17u);
    BOOST_TEST(s.failed == 3u);
    BOOST_TEST(s.cancelled == 2u);
    BOOST_TEST(s.running == 0u);
    BOOST_TEST(s.queued == 0u);
    BOOST_TEST(s.retried == 0u);
    BOOST_TEST(s.workers == 1u);
    BOOST_TEST(s.worker_starts == 1u);
    BOOST_TEST(s.worker_crashes == 0u);
    BOOST_TEST(s.worker_kills == 0u);
    BOOST_TEST(s.worker_retirements == 0u);
}

BOOST_AUTO_TEST_CASE(map_chunks_count_as_tasks_and_continuations_do_not)
{
    aj::thread_pool_executor pool(2);
    aj::map_options options;
    options.chunksize = 5;
    auto values = pool.map([](int x) { return x; }, std::vector<int>(20, 1), options).to_vector();
    BOOST_TEST(values.size() == 20u);
    auto chained = pool.submit([] { return 1; }).then([](int x) { return x + 1; });
    BOOST_REQUIRE(test::ready(chained));
    BOOST_REQUIRE(test::eventually([&] { return pool.stats().completed == 5u; }));
    BOOST_TEST(pool.stats().submitted == 5u);  // 4 chunks + 1 task
}

BOOST_AUTO_TEST_CASE(idle_threads_leave_down_to_min_workers_and_work_still_runs)
{
    test::gate release;
    aj::thread_pool_executor pool(reaping(3, 1, 20ms));
    test::open_on_exit open(release);
    test::counter started;
    std::vector<aj::future<bool>> held;
    for (int i = 0; i < 3; ++i)
        held.push_back(pool.submit([&] {
            started.add();
            return release.wait();
        }));
    BOOST_REQUIRE(started.wait_for_at_least(3));
    BOOST_TEST(pool.stats().workers == 3u);
    release.open();
    for (auto& f : held)
        BOOST_REQUIRE(test::ready(f));
    BOOST_REQUIRE(test::eventually([&] { return pool.stats().workers == 1u; }));
    auto s = pool.stats();
    BOOST_TEST(s.worker_retirements == 2u);
    BOOST_TEST(s.worker_starts == 3u);

    // Threads start again on demand, up to max_workers, and leave again.
    test::gate again;
    test::open_on_exit open_again(again);
    test::counter restarted;
    std::vector<aj::future<bool>> more;
    for (int i = 0; i < 3; ++i)
        more.push_back(pool.submit([&] {
            restarted.add();
            return again.wait();
        }));
    BOOST_REQUIRE(restarted.wait_for_at_least(3));  // three at once: two threads were started again
    BOOST_TEST(pool.stats().workers == 3u);
    BOOST_TEST(pool.stats().worker_starts == 5u);
    again.open();
    for (auto& f : more)
        BOOST_REQUIRE(test::ready(f));
    BOOST_REQUIRE(test::eventually([&] { return pool.stats().workers == 1u; }));
}

BOOST_AUTO_TEST_CASE(with_min_workers_0_every_thread_leaves_and_submit_starts_one)
{
    aj::thread_pool_executor pool(reaping(2, 0, 10ms));
    for (int round = 0; round < 3; ++round) {
        auto f = pool.submit([round] { return round; });
        BOOST_REQUIRE(test::ready(f));
        BOOST_TEST(f.get() == round);
        BOOST_REQUIRE(test::eventually([&] { return pool.stats().workers == 0u; }));
    }
    BOOST_TEST(pool.stats().worker_retirements >= 3u);
    // A continuation may be the first work after every thread left: completed elsewhere
    // (a promise set on this thread), it must start a thread to run on.
    aj::promise<int> elsewhere;
    auto chained = elsewhere.get_future().then(pool, [](int x) { return x + 1; });
    elsewhere.set_value(20);
    BOOST_REQUIRE(test::ready(chained));
    BOOST_TEST(chained.get() == 21);
}

BOOST_AUTO_TEST_CASE(work_that_arrives_as_the_last_thread_times_out_still_runs)
{
    // Submissions spaced about one idle_timeout apart, so that some arrive while the only
    // thread decides to leave: the thread must stay for work queued for it (or a new one
    // start), never leave it behind. A task left without a thread fails test::ready.
    aj::thread_pool_executor pool(reaping(1, 0, 1ms));
    auto until = std::chrono::steady_clock::now() + (test::sanitized ? 2s : 4s);
    int rounds = 0;
    for (; std::chrono::steady_clock::now() < until; ++rounds) {
        auto f = pool.submit([rounds] { return rounds; });
        BOOST_REQUIRE_MESSAGE(test::ready(f), "round " << rounds << " never ran");
        BOOST_REQUIRE(f.get() == rounds);
        std::this_thread::sleep_for(std::chrono::microseconds(800 + 10 * (rounds % 40)));
    }
    BOOST_TEST_MESSAGE(rounds << " rounds, " << pool.stats().worker_retirements << " retirements");
    BOOST_TEST(pool.stats().worker_retirements > 0u);
}

BOOST_AUTO_TEST_CASE(reaping_pools_survive_a_stream_of_work_and_shutdown)
{
    // Submissions that arrive about as often as the idle timeout: threads leave and start
    // while work comes in; nothing may be lost and shutdown must drain.
    std::atomic<int> ran{0};
    std::vector<aj::future<int>> futures;
    {
        aj::thread_pool_executor pool(reaping(2, 0, 1ms));
        for (int i = 0; i < (test::sanitized ? 100 : 400); ++i) {
            futures.push_back(pool.submit([&ran, i] {
                ++ran;
                return i;
            }));
            if (i % 16 == 0)
                std::this_thread::sleep_for(2ms);
        }
        // The destructor waits for every task.
    }
    for (std::size_t i = 0; i < futures.size(); ++i) {
        BOOST_REQUIRE(futures[i].done());
        BOOST_TEST(futures[i].get() == static_cast<int>(i));
    }
    BOOST_TEST(ran.load() == static_cast<int>(futures.size()));
}

BOOST_AUTO_TEST_CASE(bad_reaping_options_are_refused)
{
    try {
        aj::thread_pool_executor pool(reaping(2, 3, 10ms));
        BOOST_FAIL("min_workers above max_workers was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("min_workers") != std::string::npos);
    }
    try {
        aj::thread_pool_executor pool(reaping(2, 0, -5ms));
        BOOST_FAIL("a negative idle_timeout was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("idle_timeout") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(without_idle_timeout_threads_stay)
{
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([] { return 1; });
    BOOST_REQUIRE(test::ready(f));
    std::this_thread::sleep_for(50ms);  // not a timing assertion: nothing may change
    BOOST_TEST(pool.stats().workers == 1u);
    BOOST_TEST(pool.stats().worker_retirements == 0u);
}
