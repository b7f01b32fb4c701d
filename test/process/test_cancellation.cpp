// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Exact cancellation on a process pool: calls sent ahead to a worker are pending until the
// worker begins them, cancel() and shutdown(cancel_futures) stop them, cancel_and_kill is
// a cancellation in every observer, and terminate() stops everything now.
// Run as: test_cancellation -- <test_worker>.
#define BOOST_TEST_MODULE cancellation
#include <boost/test/unit_test.hpp>

#include "cancel_tasks.hpp"
#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using asyncjobs::future;
using asyncjobs::process_pool_executor;
using asyncjobs::process_pool_options;
using cancel_tasks::read_log;
using cancel_tasks::record_run;
using process_test::alive;
using process_test::eventually;
using process_test::require_ready;

namespace {

process_pool_options options(std::size_t workers, std::size_t depth)
{
    auto o = process_test::pool_options(process_test::argument(1, "run as: test_cancellation -- <test_worker>"), workers);
    o.pipeline_depth = depth;
    return o;
}

/// A fresh log file name under the temp directory, removed at the end of the test.
struct scratch_log {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("asyncjobs-cancel-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++)))
                           .string();
    ~scratch_log() { std::filesystem::remove(path); }
    static int& counter()
    {
        static int n = 0;
        return n;
    }
};

template <class T>
bool throws_cancelled(future<T>& f)
{
    try {
        f.get();
    } catch (const asyncjobs::cancelled_error&) {
        return true;
    } catch (...) {
    }
    return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(calls_sent_ahead_are_pending_until_their_worker_begins_them_and_cancel_stops_them)
{
    scratch_log log;
    process_pool_executor pool(options(1, 8));
    auto blocker = pool.submit(record_run, log.path, 0, 60'000);
    BOOST_TEST_REQUIRE(eventually([&] { return blocker.running(); }), "the first task never started");
    std::vector<future<int>> behind;
    for (int id = 1; id <= 5; ++id)
        behind.push_back(pool.submit(record_run, log.path, id, 0));
    // Time for the I/O thread to send them ahead into the worker's pipe (depth 8). Only
    // whether the old behaviour would show depends on it, never whether this test passes.
    std::this_thread::sleep_for(300ms);
    for (auto& f : behind) {
        BOOST_TEST(!f.running());
        BOOST_TEST(!f.done());
    }
    for (auto& f : behind) {
        BOOST_TEST(f.cancel());
        BOOST_TEST(f.cancelled());
        BOOST_TEST(throws_cancelled(f));
    }
    BOOST_TEST(pool.cancel_and_kill(blocker));
    require_ready(blocker);
    BOOST_TEST(blocker.cancelled());
    // The worker skipped them; the pool goes on (a new worker replaces the killed one).
    BOOST_TEST(pool.submit(process_tasks::add, 40, 2).get() == 42);
    BOOST_TEST(read_log(log.path) == std::vector<int>{0});
}

BOOST_AUTO_TEST_CASE(shutdown_with_cancel_futures_cancels_calls_sent_ahead)
{
    scratch_log log;
    process_pool_executor pool(options(1, 8));
    auto blocker = pool.submit(record_run, log.path, 0, 60'000);
    BOOST_TEST_REQUIRE(eventually([&] { return blocker.running(); }), "the first task never started");
    std::vector<future<int>> behind;
    for (int id = 1; id <= 6; ++id)
        behind.push_back(pool.submit(record_run, log.path, id, 0));
    std::this_thread::sleep_for(300ms);
    pool.shutdown(/*wait=*/false, /*cancel_futures=*/true);
    for (auto& f : behind) {
        BOOST_TEST(f.done());
        BOOST_TEST(f.cancelled());
    }
    BOOST_TEST(!blocker.done());  // running tasks finish; this one is stopped by hand
    BOOST_TEST(pool.cancel_and_kill(blocker));
    require_ready(blocker);
    pool.shutdown(true);
    BOOST_TEST(read_log(log.path) == std::vector<int>{0});
}

// The race between cancel() in the parent and the worker beginning a call is decided once:
// a call whose cancel() returned true never ran, and one whose cancel() returned false ran
// exactly once and delivers its result.
BOOST_AUTO_TEST_CASE(cancel_racing_the_worker_is_decided_exactly_once)
{
    scratch_log log;
    std::mt19937 random(12345);
    std::map<int, bool> cancelled;  // id -> what cancel() returned
    std::vector<std::pair<int, future<int>>> all;
    {
        process_pool_executor pool(options(2, 16));
        int id = 0;
        for (int round = 0; round < 30; ++round) {
            std::vector<std::pair<int, future<int>>> batch;
            for (int i = 0; i < 40; ++i, ++id)
                batch.emplace_back(id, pool.submit(record_run, log.path, id, static_cast<int>(random() % 3)));
            for (auto& [task, f] : batch) {
                if (random() % 2)
                    cancelled[task] = f.cancel();
                // Spread the cancels over the batch's run, so that some meet calls still
                // queued, some calls sent ahead, and some calls their worker just began.
                if (random() % 2)
                    std::this_thread::sleep_for(std::chrono::microseconds(random() % 1500));
            }
            for (auto& entry : batch)
                all.push_back(std::move(entry));
        }
        for (auto& [task, f] : all)
            require_ready(f);
    }
    auto ran = read_log(log.path);
    std::map<int, int> runs;
    for (int task : ran)
        ++runs[task];
    std::size_t cancels_won = 0;
    for (auto& [task, f] : all) {
        auto it = cancelled.find(task);
        bool cancel_won = it != cancelled.end() && it->second;
        if (cancel_won) {
            ++cancels_won;
            BOOST_TEST(f.cancelled(), "task " << task);
            BOOST_TEST(runs[task] == 0, "task " << task << " ran although cancel() returned true");
        } else {
            BOOST_TEST(!f.cancelled(), "task " << task);
            BOOST_TEST(runs[task] == 1, "task " << task << " ran " << runs[task] << " times");
            BOOST_TEST(f.get() == task);
        }
    }
    BOOST_TEST_MESSAGE(cancels_won << " of " << cancelled.size() << " cancels won, " << all.size() << " tasks");
    BOOST_TEST(cancels_won > 0u);
}

BOOST_AUTO_TEST_CASE(cancel_and_kill_is_a_cancellation_in_every_observer)
{
    process_pool_executor pool(options(2, 0));
    auto victim = pool.submit(process_tasks::sleep_ms, 60'000);
    BOOST_TEST_REQUIRE(eventually([&] { return victim.running(); }), "the task never started");
    auto other = pool.submit(process_tasks::sleep_ms, 200);
    BOOST_TEST(pool.cancel_and_kill(victim));
    require_ready(victim);
    BOOST_TEST(victim.cancelled());
    BOOST_TEST(victim.done());
    BOOST_TEST(!victim.running());
    // A cancelled future is not a failure: first_exception waits for the rest.
    std::vector<future<int>*> both{&victim, &other};
    auto result = asyncjobs::wait(both, asyncjobs::return_when::first_exception, 60s);
    BOOST_TEST(result.not_done.empty());
    BOOST_TEST(other.get() == 200);
    BOOST_TEST(throws_cancelled(victim));
    BOOST_TEST(!pool.cancel_and_kill(other));  // finished: nothing to cancel
}

BOOST_AUTO_TEST_CASE(terminate_kills_every_worker_and_cancels_every_task)
{
    process_pool_executor pool(options(2, 0));
    std::vector<future<int>> running;
    for (int i = 0; i < 2; ++i)
        running.push_back(pool.submit(process_tasks::sleep_ms, 60'000));
    BOOST_TEST_REQUIRE(eventually([&] { return running[0].running() && running[1].running(); }),
                       "the tasks never started");
    std::vector<future<int>> queued;
    for (int i = 0; i < 5; ++i)
        queued.push_back(pool.submit(process_tasks::sleep_ms, 60'000));
    auto pids = pool.worker_pids();
    BOOST_TEST(pids.size() == 2u);
    auto started = std::chrono::steady_clock::now();
    pool.terminate();
    // Not a timing assertion: a hang would take the tasks' full minute.
    BOOST_TEST((std::chrono::steady_clock::now() - started < 50s));
    for (auto& f : running) {
        BOOST_TEST(f.done());
        BOOST_TEST(f.cancelled());
        BOOST_TEST(throws_cancelled(f));
    }
    for (auto& f : queued) {
        BOOST_TEST(f.done());
        BOOST_TEST(f.cancelled());
    }
    for (long pid : pids)
        BOOST_TEST(!alive(pid), "worker " << pid << " outlived terminate()");
    BOOST_TEST(pool.worker_pids().empty());
    BOOST_CHECK_THROW((void)pool.submit(process_tasks::add, 1, 2), asyncjobs::shutdown_error);
    pool.terminate();  // twice: harmless
    pool.shutdown(true);
}

BOOST_AUTO_TEST_CASE(terminate_is_harmless_on_idle_dead_and_shut_down_pools)
{
    {
        process_pool_executor never_used(options(2, 0));
        never_used.terminate();
    }
    {
        process_pool_executor crashed(options(1, 0));
        auto f = crashed.submit(process_tasks::segfault_now, 0);
        require_ready(f);
        BOOST_CHECK_THROW(f.get(), asyncjobs::worker_crashed);
        crashed.terminate();
    }
    {
        process_pool_executor finished(options(1, 0));
        BOOST_TEST(finished.submit(process_tasks::add, 1, 2).get() == 3);
        finished.shutdown(true);
        finished.terminate();
    }
}

BOOST_AUTO_TEST_CASE(terminate_from_a_continuation_does_not_wait_for_itself)
{
    process_pool_executor pool(options(2, 0));
    auto slow = pool.submit(process_tasks::sleep_ms, 60'000);
    BOOST_TEST_REQUIRE(eventually([&] { return slow.running(); }), "the task never started");
    auto trigger = pool.submit(process_tasks::add, 1, 1);
    auto done = trigger.then([&](future<int>) {
        pool.terminate();
        return 1;
    });
    require_ready(done);
    BOOST_TEST(done.get() == 1);
    require_ready(slow);
    BOOST_TEST(slow.cancelled());
}
