// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// A submit that finds a worker idle writes its call down that worker's pipe itself, not
// through the pool's I/O thread. What that path must not change: a worker that dies just
// as a call is written to it (the call runs elsewhere, the program gets no SIGPIPE), a
// cancel or cancel_and_kill racing the send, a timeout on a call sent so, many threads
// submitting at once to few workers, max_tasks_per_child, and a fork child's copy of the
// pool (it must never write to the parent's workers).
// Run as: test_direct_send -- <test_worker>.
#define BOOST_TEST_MODULE direct_send
#include <boost/test/unit_test.hpp>

#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;
using asyncjobs::future;
using asyncjobs::process_pool_executor;
using asyncjobs::process_pool_options;
using asyncjobs::task_options;
using process_test::eventually;
using process_test::require_ready;

namespace {

process_pool_options options(std::size_t workers)
{
    return process_test::pool_options(process_test::argument(1, "run as: test_direct_send -- <test_worker>"), workers);
}

/// Whether process `pid` has exited (a zombie not reaped yet, or gone): its pipes are closed.
bool has_exited(long pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return true;
    auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() || line[close + 2] == 'Z' || line[close + 2] == 'X';
}

/// A pool of one worker that has answered a call: idle, so the next submit sends directly.
long warm_single_worker(process_pool_executor& pool)
{
    BOOST_TEST_REQUIRE(pool.submit(process_tasks::add, 1, 1).get() == 2);
    // A worker killed before may still be listed for a moment, until its end is settled.
    BOOST_TEST_REQUIRE(eventually([&] { return pool.worker_pids().size() == 1; }));
    return pool.worker_pids().front();
}

} // namespace

BOOST_AUTO_TEST_CASE(a_worker_that_dies_as_a_call_is_written_to_it_costs_neither_the_call_nor_the_program)
{
    // SIGKILL the idle worker and submit the moment it has exited, before the pool has
    // noticed: the write finds the pipe closed (EPIPE). SIGPIPE must not reach this thread
    // (it would end the test program), and the call, which never started, runs on the
    // replacement. Some rounds the pool notices first: then the call is queued, as before.
    process_pool_executor pool(options(1));
    for (int round = 0; round < 60; ++round) {
        long pid = warm_single_worker(pool);
        BOOST_TEST_REQUIRE(::kill(static_cast<pid_t>(pid), SIGKILL) == 0);
        BOOST_TEST_REQUIRE(eventually([&] { return has_exited(pid); }));
        auto f = pool.submit(process_tasks::add, round, 1000);
        require_ready(f);
        BOOST_TEST_REQUIRE(f.get() == round + 1000);
    }
}

BOOST_AUTO_TEST_CASE(a_worker_killed_while_it_runs_a_call_sent_directly_fails_it_as_a_crash)
{
    process_pool_executor pool(options(1));
    long pid = warm_single_worker(pool);
    auto f = pool.submit(process_tasks::sleep_ms, 120'000);
    BOOST_TEST_REQUIRE(eventually([&] { return f.running(); }), "the call never started");
    BOOST_TEST_REQUIRE(::kill(static_cast<pid_t>(pid), SIGKILL) == 0);
    require_ready(f);
    BOOST_CHECK_THROW(f.get(), asyncjobs::worker_crashed);
    BOOST_TEST(pool.submit(process_tasks::add, 2, 3).get() == 5);
}

BOOST_AUTO_TEST_CASE(cancel_racing_a_direct_send_either_wins_or_lets_the_call_finish)
{
    process_pool_executor pool(options(1));
    warm_single_worker(pool);
    int cancelled = 0;
    for (int round = 0; round < 300; ++round) {
        auto f = pool.submit(process_tasks::add, round, 1);
        bool won = f.cancel();
        require_ready(f);
        if (won) {
            ++cancelled;
            BOOST_TEST_REQUIRE(f.cancelled());
            BOOST_CHECK_THROW(f.get(), asyncjobs::cancelled_error);
        } else {
            BOOST_TEST_REQUIRE(f.get() == round + 1);
        }
    }
    BOOST_TEST_MESSAGE(cancelled << " of 300 cancels won");
    BOOST_TEST(pool.submit(process_tasks::add, 40, 2).get() == 42);
    BOOST_TEST(pool.stats().worker_crashes == 0u);
    BOOST_TEST(pool.stats().worker_kills == 0u);
}

BOOST_AUTO_TEST_CASE(cancel_and_kill_stops_a_call_sent_directly_once_it_runs)
{
    process_pool_executor pool(options(1));
    for (int round = 0; round < 3; ++round) {
        long pid = warm_single_worker(pool);
        auto f = pool.submit(process_tasks::sleep_ms, 120'000);
        BOOST_TEST_REQUIRE(eventually([&] { return f.running(); }), "the call never started");
        BOOST_TEST(pool.cancel_and_kill(f));
        require_ready(f);
        BOOST_TEST(f.cancelled());
        BOOST_TEST_REQUIRE(eventually([&] { return has_exited(pid); }), "the worker was not killed");
    }
    // cancel_and_kill right after the submit, whether or not the worker has begun it.
    for (int round = 0; round < 50; ++round) {
        auto f = pool.submit(process_tasks::sleep_ms, 120'000);
        BOOST_TEST(pool.cancel_and_kill(f));
        require_ready(f);
        BOOST_TEST(f.cancelled());
    }
    BOOST_TEST(pool.submit(process_tasks::add, 40, 2).get() == 42);
}

BOOST_AUTO_TEST_CASE(a_timeout_runs_from_a_direct_send_not_from_the_next_event)
{
    process_pool_executor pool(options(1));
    warm_single_worker(pool);
    // Nothing else happens in the pool while it runs: only the timer can end it.
    auto f = pool.submit_with(task_options{200ms}, process_tasks::sleep_ms, 120'000);
    require_ready(f);
    BOOST_CHECK_THROW(f.get(), asyncjobs::task_timeout);
    BOOST_TEST(pool.submit(process_tasks::add, 2, 3).get() == 5);
}

BOOST_AUTO_TEST_CASE(many_threads_submitting_at_once_get_their_own_results)
{
    // Eight threads, two workers: direct sends and queued calls interleave on each worker.
    // A call out of its worker's order shows as a reply for the wrong task (a protocol
    // error: the worker is killed and its calls fail), a lost one as a future that hangs.
    process_pool_executor pool(options(2));
    warm_single_worker(pool);
    constexpr int threads = 8;
    constexpr int per_thread = 400;
    std::atomic<int> wrong{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> submitters;
    for (int t = 0; t < threads; ++t) {
        submitters.emplace_back([&, t] {
            for (int i = 0; i < per_thread; i += 8) {
                std::vector<future<int>> batch;  // some one at a time, some eight at once
                int n = (i / 8) % 2 ? 8 : 1;
                for (int k = 0; k < n; ++k)
                    batch.push_back(pool.submit(process_tasks::add, t * 100'000 + i, k));
                for (int k = 0; k < n; ++k) {
                    if (batch[k].wait_for(60s) != std::future_status::ready) {
                        ++failed;
                        continue;
                    }
                    try {
                        wrong += batch[k].get() != t * 100'000 + i + k;
                    } catch (...) {
                        ++failed;
                    }
                }
            }
        });
    }
    for (auto& s : submitters)
        s.join();
    BOOST_TEST(wrong.load() == 0);
    BOOST_TEST(failed.load() == 0);
    auto stats = pool.stats();
    BOOST_TEST(stats.worker_kills == 0u);
    BOOST_TEST(stats.worker_crashes == 0u);
}

BOOST_AUTO_TEST_CASE(max_tasks_per_child_holds_for_calls_sent_directly)
{
    auto o = options(1);
    o.max_tasks_per_child = 2;
    process_pool_executor pool(o);
    std::vector<long> pids;
    for (int i = 0; i < 12; ++i)
        pids.push_back(pool.submit(process_tasks::self_pid, 0).get());
    for (std::size_t i = 0; i < pids.size(); i += 2) {
        BOOST_TEST(pids[i] == pids[i + 1]);
        if (i + 2 < pids.size())
            BOOST_TEST(pids[i] != pids[i + 2]);
    }
}

BOOST_AUTO_TEST_CASE(a_fork_child_never_writes_to_the_parents_idle_worker)
{
    process_pool_executor pool(options(1));
    long pid = warm_single_worker(pool);
    // Time for the I/O thread to lend the idle worker to submitters (right after the reply
    // that woke us). Only whether a broken fork guard would show depends on it, never
    // whether this test passes.
    std::this_thread::sleep_for(100ms);
    std::cout.flush();
    std::fflush(nullptr);
    pid_t child = ::fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
        int code = 3;
        try {
            (void)pool.submit(process_tasks::add, 1, 2);
        } catch (const asyncjobs::forked_executor&) {
            code = 0;
        } catch (...) {
            code = 2;
        }
        ::_exit(code);
    }
    int status = 0;
    BOOST_TEST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
    // Had the child written a call to it, the worker would answer a call the parent never
    // sent: a protocol error, and the worker killed.
    for (int i = 0; i < 20; ++i)
        BOOST_TEST(pool.submit(process_tasks::add, i, 1).get() == i + 1);
    BOOST_TEST(pool.worker_pids() == std::vector<long>{pid});
    BOOST_TEST(pool.stats().worker_kills == 0u);
}

BOOST_AUTO_TEST_CASE(stats_count_a_call_sent_directly_as_running)
{
    process_pool_executor pool(options(1));
    for (int round = 0; round < 5; ++round) {
        warm_single_worker(pool);
        auto f = pool.submit(process_tasks::sleep_ms, 120'000);
        BOOST_TEST_REQUIRE(eventually([&] { return f.running(); }), "the call never started");
        // Nothing happens in the pool until the call ends: stats() must know from the send.
        BOOST_TEST(eventually([&] { return pool.stats().running == 1u; }));
        BOOST_TEST(pool.cancel_and_kill(f));
        require_ready(f);
    }
}
