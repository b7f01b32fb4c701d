// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The process pool's policies of issue 14 with real workers: retries on worker death (a
// crash, a kill from outside, a timeout when asked), what is never retried (a task's own
// exception, cancel_and_kill), the error that lists every try, and stats() after known
// sequences. Each task counts its tries in a file (test/tasks/policy_tasks.hpp). Run as:
// test_pool_policies -- <test_worker>.
#define BOOST_TEST_MODULE asyncjobs pool policies
#include <boost/test/unit_test.hpp>

#include "policy_tasks.hpp"
#include "process_tasks.hpp"
#include "reliability_tasks.hpp"
#include "support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace process_test;
namespace pt = policy_tasks;

namespace {

std::string worker() { return argument(1, "run as: test_pool_policies -- <test_worker>"); }

/// A fresh scratch path for one test's try counter (removed when the test ends).
struct scratch {
    std::string path;
    explicit scratch(const std::string& name)
        : path((std::filesystem::temp_directory_path() /
                ("asyncjobs-policies-" + std::to_string(::getpid()) + "-" + name))
                   .string())
    {
        std::filesystem::remove(path);
    }
    ~scratch() { std::filesystem::remove(path); }
};

/// stats() once every accepted task is counted: a future is ready a moment before its
/// counter moves (stats() says they may disagree by a task in flight).
asyncjobs::pool_stats settled(const asyncjobs::process_pool_executor& pool)
{
    BOOST_TEST(eventually([&] {
        auto s = pool.stats();
        return s.running == 0u && s.queued == 0u;
    }));
    return pool.stats();
}

asyncjobs::task_options with_retries(unsigned n)
{
    asyncjobs::task_options o;
    o.retries = n;
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(retries)

BOOST_AUTO_TEST_CASE(a_task_whose_worker_dies_runs_again_on_another_worker)
{
    scratch counter("die-twice");
    asyncjobs::process_pool_executor pool(pool_options(worker(), 2));
    auto f = pool.submit_with(with_retries(3), pt::die_first_tries, counter.path, 2);
    require_ready(f);
    BOOST_TEST(f.get() == 3);  // two deaths, then the third try returned
    BOOST_TEST(pt::tries(counter.path) == 3);
    auto s = settled(pool);
    BOOST_TEST(s.retried == 2u);
    BOOST_TEST(s.worker_crashes == 2u);
    BOOST_TEST(s.completed == 1u);
    BOOST_TEST(s.failed == 0u);
}

BOOST_AUTO_TEST_CASE(without_retries_the_first_death_fails_the_task)
{
    scratch counter("die-once");
    asyncjobs::process_pool_executor pool(pool_options(worker(), 2));
    auto f = pool.submit(pt::die_first_tries, counter.path, 1);
    require_ready(f);
    BOOST_CHECK_THROW(f.get(), asyncjobs::worker_crashed);
    BOOST_TEST(pt::tries(counter.path) == 1);
    BOOST_TEST(settled(pool).retried == 0u);
}

BOOST_AUTO_TEST_CASE(when_every_try_dies_the_error_lists_each_attempt)
{
    asyncjobs::process_pool_executor pool(pool_options(worker(), 2));
    auto f = pool.submit_with(with_retries(2), process_tasks::exit_with, 7);
    require_ready(f);
    try {
        f.get();
        BOOST_ERROR("a task whose worker always dies returned");
    } catch (const asyncjobs::worker_crashed& e) {
        std::string what = e.what();
        BOOST_TEST_MESSAGE(what);
        BOOST_TEST(e.exit_code() == 7);
        BOOST_TEST_REQUIRE(e.attempts().size() == 3u);  // the first try and two retries
        std::set<long> pids;
        for (const auto& a : e.attempts()) {
            BOOST_TEST(a.exit_code == 7);
            BOOST_TEST(a.signal == 0);
            BOOST_TEST(what.find("pid " + std::to_string(a.pid) + ": exit code 7") != std::string::npos);
            pids.insert(a.pid);
        }
        BOOST_TEST(pids.size() == 3u);  // each on another worker
        BOOST_TEST(what.find("ran 3 times") != std::string::npos);
    }
    auto s = settled(pool);
    BOOST_TEST(s.retried == 2u);
    BOOST_TEST(s.failed == 1u);
    BOOST_TEST(s.worker_crashes == 3u);
}

BOOST_AUTO_TEST_CASE(a_single_death_is_one_attempt_with_the_old_message)
{
    asyncjobs::process_pool_executor pool(pool_options(worker(), 1));
    auto f = pool.submit(process_tasks::abort_now, 0);
    require_ready(f);
    try {
        f.get();
        BOOST_ERROR("abort_now returned");
    } catch (const asyncjobs::worker_crashed& e) {
        BOOST_TEST(e.signal() == SIGABRT);
        BOOST_TEST_REQUIRE(e.attempts().size() == 1u);
        BOOST_TEST(e.attempts()[0].signal == SIGABRT);
        BOOST_TEST(std::string(e.what()).find("times") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(a_tasks_own_exception_is_never_retried)
{
    scratch counter("throws");
    asyncjobs::process_pool_executor pool(pool_options(worker(), 2));
    auto f = pool.submit_with(with_retries(3), pt::count_and_throw, counter.path);
    require_ready(f);
    BOOST_CHECK_THROW(f.get(), std::runtime_error);
    BOOST_TEST(pt::tries(counter.path) == 1);
    auto s = settled(pool);
    BOOST_TEST(s.retried == 0u);
    BOOST_TEST(s.failed == 1u);
    BOOST_TEST(s.worker_crashes == 0u);
}

BOOST_AUTO_TEST_CASE(a_timeout_is_retried_only_when_asked)
{
    asyncjobs::process_pool_executor pool(pool_options(worker(), 2));
    {
        scratch counter("timeout-no");
        auto o = with_retries(3);
        o.timeout = std::chrono::milliseconds(300);
        auto f = pool.submit_with(o, pt::slow_first_tries, counter.path, 1, 60000);
        require_ready(f);
        BOOST_CHECK_THROW(f.get(), asyncjobs::task_timeout);
        BOOST_TEST(pt::tries(counter.path) == 1);
    }
    {
        scratch counter("timeout-yes");
        auto o = with_retries(3);
        o.timeout = std::chrono::milliseconds(300);
        o.retry_on_timeout = true;
        auto f = pool.submit_with(o, pt::slow_first_tries, counter.path, 1, 60000);
        require_ready(f);
        BOOST_TEST(f.get() == 2);
    }
    {
        // Every try times out: the last timeout is the error, and it names each try.
        scratch counter("timeout-always");
        auto o = with_retries(1);
        o.timeout = std::chrono::milliseconds(300);
        o.retry_on_timeout = true;
        auto f = pool.submit_with(o, pt::slow_first_tries, counter.path, 5, 60000);
        require_ready(f);
        try {
            f.get();
            BOOST_ERROR("a task that always times out returned");
        } catch (const asyncjobs::task_timeout& e) {
            std::string what = e.what();
            BOOST_TEST(what.find("ran 2 times") != std::string::npos, what);
            BOOST_TEST(what.find("killed after its timeout") != std::string::npos, what);
        }
        BOOST_TEST(pt::tries(counter.path) == 2);
    }
    auto s = settled(pool);
    BOOST_TEST(s.retried == 2u);
    BOOST_TEST(s.worker_kills == 4u);  // one timeout, one retried then fine, two for the last
    BOOST_TEST(s.completed == 1u);
    BOOST_TEST(s.failed == 2u);
}

BOOST_AUTO_TEST_CASE(a_worker_killed_from_outside_mid_task_is_retried)
{
    scratch counter("outside");
    scratch pid_file("outside-pid");
    asyncjobs::process_pool_executor pool(pool_options(worker(), 2));
    auto f = pool.submit_with(with_retries(1), pt::wait_to_be_killed, counter.path, pid_file.path);
    BOOST_TEST_REQUIRE(eventually([&] { return std::filesystem::exists(pid_file.path); }));
    long pid = 0;
    std::ifstream(pid_file.path) >> pid;
    BOOST_TEST_REQUIRE(pid > 0);
    BOOST_TEST_REQUIRE(::kill(static_cast<pid_t>(pid), SIGKILL) == 0);
    require_ready(f);
    BOOST_TEST(f.get() == 2);
    auto s = settled(pool);
    BOOST_TEST(s.retried == 1u);
    BOOST_TEST(s.worker_crashes == 1u);
    BOOST_TEST(s.worker_kills == 0u);  // the pool killed nothing
}

BOOST_AUTO_TEST_CASE(cancel_and_kill_is_never_retried)
{
    scratch counter("cancel");
    scratch pid_file("cancel-pid");
    asyncjobs::process_pool_executor pool(pool_options(worker(), 1));
    auto f = pool.submit_with(with_retries(3), pt::wait_to_be_killed, counter.path, pid_file.path);
    BOOST_TEST_REQUIRE(eventually([&] { return std::filesystem::exists(pid_file.path); }));
    BOOST_TEST(pool.cancel_and_kill(f));
    require_ready(f);
    BOOST_TEST(f.cancelled());
    BOOST_TEST(pt::tries(counter.path) == 1);
    auto s = settled(pool);
    BOOST_TEST(s.retried == 0u);
    BOOST_TEST(s.cancelled == 1u);
    BOOST_TEST(s.worker_kills == 1u);
}

BOOST_AUTO_TEST_CASE(a_backoff_delays_the_retry_and_cancel_and_kill_ends_the_wait)
{
    asyncjobs::process_pool_executor pool(pool_options(worker(), 1));
    {
        scratch counter("backoff");
        auto o = with_retries(2);
        o.retry_backoff = std::chrono::milliseconds(20);
        auto f = pool.submit_with(o, pt::die_first_tries, counter.path, 2);
        require_ready(f);
        BOOST_TEST(f.get() == 3);
    }
    {
        // A backoff of an hour: the task waits, and a cancel_and_kill must end it now.
        scratch counter("backoff-cancel");
        auto o = with_retries(2);
        o.retry_backoff = std::chrono::hours(1);
        auto f = pool.submit_with(o, pt::die_first_tries, counter.path, 1);
        BOOST_TEST_REQUIRE(eventually([&] { return pool.stats().retried == 3u; }));
        BOOST_TEST(!f.done());
        BOOST_TEST(pool.cancel_and_kill(f));
        require_ready(f);
        BOOST_TEST(f.cancelled());
        BOOST_TEST(pt::tries(counter.path) == 1);
    }
}

BOOST_AUTO_TEST_CASE(terminate_ends_a_backoff_wait)
{
    scratch counter("terminate");
    asyncjobs::process_pool_executor pool(pool_options(worker(), 1));
    auto o = with_retries(2);
    o.retry_backoff = std::chrono::hours(1);
    auto f = pool.submit_with(o, pt::die_first_tries, counter.path, 1);
    BOOST_TEST_REQUIRE(eventually([&] { return pool.stats().retried == 1u; }));
    pool.terminate();
    require_ready(f);
    BOOST_TEST(f.cancelled());
}

BOOST_AUTO_TEST_CASE(the_pool_default_applies_through_executor_ref)
{
    scratch counter("default");
    auto options = pool_options(worker(), 2);
    options.retries = 2;
    asyncjobs::process_pool_executor pool(options);
    asyncjobs::executor& ex = pool;
    auto f = ex.submit(pt::die_first_tries, counter.path, 2);
    require_ready(f);
    BOOST_TEST(f.get() == 3);
    // A task may ask for fewer than the pool's default.
    scratch counter2("default-override");
    auto g = pool.submit_with(with_retries(0), pt::die_first_tries, counter2.path, 1);
    require_ready(g);
    BOOST_CHECK_THROW(g.get(), asyncjobs::worker_crashed);
}

BOOST_AUTO_TEST_CASE(bad_retry_options_are_refused_naming_the_field)
{
    auto options = pool_options(worker(), 1);
    options.retries = static_cast<unsigned>(-1);
    try {
        asyncjobs::process_pool_executor pool(options);
        BOOST_ERROR("retries of 4294967295 was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("process_pool_options::retries") != std::string::npos);
    }
    options = pool_options(worker(), 1);
    options.retry_backoff = std::chrono::milliseconds(-1);
    try {
        asyncjobs::process_pool_executor pool(options);
        BOOST_ERROR("a negative retry_backoff was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("process_pool_options::retry_backoff") != std::string::npos);
    }
    asyncjobs::process_pool_executor pool(pool_options(worker(), 1));
    asyncjobs::task_options o;
    o.retries = 1001;
    try {
        (void)pool.submit_with(o, process_tasks::add, 1, 2);
        BOOST_ERROR("task_options::retries of 1001 was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("task_options::retries") != std::string::npos);
    }
    o = {};
    o.retry_backoff = std::chrono::milliseconds(-5);
    try {
        (void)pool.submit_with(o, process_tasks::add, 1, 2);
        BOOST_ERROR("a negative task_options::retry_backoff was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("task_options::retry_backoff") != std::string::npos);
    }
    BOOST_TEST(pool.stats().submitted == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stats)

BOOST_AUTO_TEST_CASE(counters_after_a_known_sequence)
{
    scratch pid_file("stats-pid");
    scratch counter("stats");
    asyncjobs::process_pool_executor pool(pool_options(worker(), 2));
    auto empty = pool.stats();
    BOOST_TEST(empty.submitted == 0u);
    BOOST_TEST(empty.workers == 0u);  // started on demand
    BOOST_TEST(empty.per_worker.empty());

    for (int i = 0; i < 5; ++i) {
        auto f = pool.submit(process_tasks::add, i, 1);
        require_ready(f);
        BOOST_TEST(f.get() == i + 1);
    }
    auto thrown = pool.submit(process_tasks::throw_runtime, 1);
    require_ready(thrown);
    auto crashed = pool.submit(process_tasks::exit_with, 3);
    require_ready(crashed);
    // One running, then one killed by the pool.
    auto victim = pool.submit(pt::wait_to_be_killed, counter.path, pid_file.path);
    BOOST_TEST_REQUIRE(eventually([&] { return std::filesystem::exists(pid_file.path); }));
    // Its `started` frame may still be on its way when the pid file appears.
    BOOST_TEST(eventually([&] { return pool.stats().running == 1u; }));
    BOOST_TEST(pool.stats().queued == 0u);
    BOOST_TEST(pool.cancel_and_kill(victim));
    require_ready(victim);

    auto s = settled(pool);
    BOOST_TEST(s.submitted == 8u);
    const asyncjobs::executor& ex = pool;  // the same snapshot through executor&
    BOOST_TEST(ex.stats().submitted == 8u);
    BOOST_TEST(s.completed == 5u);
    BOOST_TEST(s.failed == 2u);  // the exception and the crash
    BOOST_TEST(s.cancelled == 1u);
    BOOST_TEST(s.retried == 0u);
    BOOST_TEST(s.running == 0u);
    BOOST_TEST(s.queued == 0u);
    BOOST_TEST(s.worker_crashes == 1u);
    BOOST_TEST(s.worker_kills == 1u);
    BOOST_TEST(s.worker_retirements == 0u);
    BOOST_TEST(s.worker_starts == 2u);  // one for the sequence; after the crash, one on demand for the victim
    BOOST_TEST(s.workers == s.per_worker.size());
    std::uint64_t done = 0;
    for (const auto& w : s.per_worker) {
        BOOST_TEST(w.pid > 0);
        BOOST_TEST(!w.busy);
        done += w.tasks_completed;
    }
    BOOST_TEST(done <= 6u);  // the live workers' share of the five values and the exception
    // Resident memory is read from /proc: a started worker uses some.
    auto after = pool.submit(process_tasks::add, 1, 1);
    require_ready(after);
    auto with_worker = pool.stats();
    BOOST_TEST_REQUIRE(!with_worker.per_worker.empty());
    for (const auto& w : with_worker.per_worker)
        BOOST_TEST(w.resident_bytes > 0u);
}

BOOST_AUTO_TEST_CASE(retirements_and_queued_work)
{
    auto options = pool_options(worker(), 1);
    options.max_tasks_per_child = 2;
    asyncjobs::process_pool_executor pool(options);
    std::vector<asyncjobs::future<int>> fs;
    for (int i = 0; i < 6; ++i)
        fs.push_back(pool.submit(process_tasks::add, i, i));
    for (auto& f : fs)
        require_ready(f);
    BOOST_TEST(eventually([&] { return pool.stats().worker_retirements == 3u; }));
    auto s = settled(pool);
    BOOST_TEST(s.completed == 6u);
    BOOST_TEST(s.worker_crashes == 0u);
    BOOST_TEST(s.worker_starts >= 3u);
}

BOOST_AUTO_TEST_CASE(a_queued_task_shows_as_queued)
{
    scratch pid_file("queued-pid");
    scratch counter("queued");
    asyncjobs::process_pool_executor pool(pool_options(worker(), 1));
    auto blocker = pool.submit(pt::wait_to_be_killed, counter.path, pid_file.path);
    BOOST_TEST_REQUIRE(eventually([&] { return std::filesystem::exists(pid_file.path); }));
    auto behind = pool.submit(process_tasks::add, 2, 2);
    BOOST_TEST(eventually([&] { return pool.stats().running == 1u; }));
    auto s = pool.stats();
    BOOST_TEST(s.queued == 1u);  // in the parent's queue or sent ahead: not running either way
    BOOST_TEST(behind.cancel());
    BOOST_TEST(pool.cancel_and_kill(blocker));
    require_ready(blocker);
    BOOST_TEST(eventually([&] { auto t = pool.stats(); return t.cancelled == 2u && t.queued == 0u; }));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(idle_reaping)

/// Starts `n` workers at once: `n` tasks that each wait until `n` workers have checked in.
void start_workers(asyncjobs::process_pool_executor& pool, int n, const std::string& name)
{
    scratch dir(name);
    std::filesystem::create_directory(dir.path);
    std::vector<asyncjobs::future<long>> meet;
    for (int i = 0; i < n; ++i)
        meet.push_back(pool.submit(reliability_tasks::rendezvous, dir.path, n));
    std::set<long> pids;
    for (auto& f : meet) {
        require_ready(f);
        pids.insert(f.get());
    }
    std::filesystem::remove_all(dir.path);
    BOOST_TEST_REQUIRE(pids.size() == static_cast<std::size_t>(n));
    BOOST_TEST_REQUIRE(pids.count(-1) == 0u);
}

BOOST_AUTO_TEST_CASE(idle_workers_exit_down_to_min_workers_and_start_again_on_demand)
{
    auto options = pool_options(worker(), 3);
    options.idle_timeout = std::chrono::milliseconds(100);
    options.min_workers = 1;
    asyncjobs::process_pool_executor pool(options);
    start_workers(pool, 3, "idle-min1");
    BOOST_TEST_REQUIRE(eventually([&] { return pool.worker_pids().size() == 1u; }));
    auto s = settled(pool);
    BOOST_TEST(s.worker_retirements == 2u);
    BOOST_TEST(s.worker_crashes == 0u);
    BOOST_TEST(s.workers == 1u);
    // The floor holds: the last one stays, several timeouts later.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    BOOST_TEST(pool.worker_pids().size() == 1u);
    // And work brings workers back.
    start_workers(pool, 3, "idle-again");
    BOOST_TEST(pool.stats().worker_starts == 5u);
}

BOOST_AUTO_TEST_CASE(with_no_minimum_the_pool_empties_and_still_serves)
{
    auto options = pool_options(worker(), 2);
    options.idle_timeout = std::chrono::milliseconds(50);
    asyncjobs::process_pool_executor pool(options);
    start_workers(pool, 2, "idle-min0");
    BOOST_TEST_REQUIRE(eventually([&] { return pool.worker_pids().empty(); }));
    BOOST_TEST(settled(pool).worker_retirements == 2u);
    auto f = pool.submit(process_tasks::add, 20, 22);
    require_ready(f);
    BOOST_TEST(f.get() == 42);
    BOOST_TEST(!has_zombie_children());
}

BOOST_AUTO_TEST_CASE(a_busy_worker_is_never_reaped)
{
    scratch counter("idle-busy");
    scratch pid_file("idle-busy-pid");
    auto options = pool_options(worker(), 1);
    options.idle_timeout = std::chrono::milliseconds(20);
    asyncjobs::process_pool_executor pool(options);
    // A task that runs for many idle timeouts (it is killed at the end, as the test's own doing).
    auto f = pool.submit(pt::wait_to_be_killed, counter.path, pid_file.path);
    BOOST_TEST_REQUIRE(eventually([&] { return std::filesystem::exists(pid_file.path); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    BOOST_TEST(!f.done());
    BOOST_TEST(pool.stats().worker_retirements == 0u);
    BOOST_TEST(pool.cancel_and_kill(f));
    require_ready(f);
}

BOOST_AUTO_TEST_CASE(bad_idle_options_are_refused_naming_the_field)
{
    auto options = pool_options(worker(), 2);
    options.idle_timeout = std::chrono::milliseconds(0);
    try {
        asyncjobs::process_pool_executor pool(options);
        BOOST_ERROR("an idle_timeout of 0 was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("process_pool_options::idle_timeout") != std::string::npos);
    }
    options = pool_options(worker(), 2);
    options.min_workers = 3;
    try {
        asyncjobs::process_pool_executor pool(options);
        BOOST_ERROR("min_workers above max_workers was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("process_pool_options::min_workers") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(memory_guard)

constexpr std::uint64_t mib = 1 << 20;

/// A fresh worker's resident memory, measured: the guards' thresholds sit above it (a
/// sanitized worker starts far larger than a plain one).
std::uint64_t worker_baseline()
{
    asyncjobs::process_pool_executor probe(pool_options(worker(), 1));
    auto f = probe.submit(process_tasks::add, 1, 1);
    require_ready(f);
    auto s = probe.stats();
    BOOST_TEST_REQUIRE(s.per_worker.size() == 1u);
    BOOST_TEST_REQUIRE(s.per_worker[0].resident_bytes > 0u);
    return s.per_worker[0].resident_bytes;
}

long pid_of_next_task(asyncjobs::process_pool_executor& pool)
{
    auto f = pool.submit(process_tasks::self_pid, 0);
    require_ready(f);
    return f.get();
}

BOOST_AUTO_TEST_CASE(a_worker_above_max_worker_memory_is_replaced_before_its_next_task)
{
    auto options = pool_options(worker(), 1);
    options.max_worker_memory = worker_baseline() + 64 * mib;
    asyncjobs::process_pool_executor pool(options);
    long first = pid_of_next_task(pool);
    auto small = pool.submit(pt::hold_memory, 1 * mib);
    require_ready(small);
    BOOST_TEST(pid_of_next_task(pool) == first);  // below the threshold: kept
    auto large = pool.submit(pt::hold_memory, 128 * mib);
    require_ready(large);
    BOOST_TEST(large.get() == 128 * mib);  // the task itself succeeds
    long after = pid_of_next_task(pool);
    BOOST_TEST(after != first);
    auto s = settled(pool);
    BOOST_TEST(s.worker_retirements == 1u);
    BOOST_TEST(s.failed == 0u);
    BOOST_TEST(s.worker_kills == 0u);
}

BOOST_AUTO_TEST_CASE(a_worker_over_memory_limit_is_killed_and_only_its_task_fails)
{
    auto options = pool_options(worker(), 2);
    options.memory_limit = worker_baseline() + 64 * mib;
    options.retries = 3;  // a memory kill is never retried
    asyncjobs::process_pool_executor pool(options);
    auto hog = pool.submit(pt::hold_memory_then_sleep, 256 * mib, 60000);
    std::vector<asyncjobs::future<int>> others;
    for (int i = 0; i < 50; ++i)
        others.push_back(pool.submit(process_tasks::add, i, 1));
    require_ready(hog);
    try {
        hog.get();
        BOOST_ERROR("a task over memory_limit returned");
    } catch (const asyncjobs::memory_limit_exceeded& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("process_pool_options::memory_limit") != std::string::npos, what);
        BOOST_TEST(what.find("hold_memory_then_sleep") != std::string::npos, what);
    }
    for (int i = 0; i < 50; ++i) {
        require_ready(others[static_cast<std::size_t>(i)]);
        BOOST_TEST(others[static_cast<std::size_t>(i)].get() == i + 1);
    }
    // Under the limit, the pool goes on.
    auto fine = pool.submit(pt::hold_memory, 8 * mib);
    require_ready(fine);
    BOOST_TEST(fine.get() == 8 * mib);
    auto s = settled(pool);
    BOOST_TEST(s.worker_kills == 1u);
    BOOST_TEST(s.retried == 0u);
    BOOST_TEST(s.failed == 1u);
    BOOST_TEST(s.completed == 51u);
}

BOOST_AUTO_TEST_CASE(a_soft_threshold_above_the_hard_cap_is_refused)
{
    auto options = pool_options(worker(), 1);
    options.max_worker_memory = 512 * mib;
    options.memory_limit = 256 * mib;
    try {
        asyncjobs::process_pool_executor pool(options);
        BOOST_ERROR("max_worker_memory above memory_limit was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("process_pool_options::max_worker_memory") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
