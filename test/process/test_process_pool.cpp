// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// process_pool_executor with real child processes and real pipes. The runner is given the
// worker executables as arguments: test_process_pool -- <test_worker> <other_worker>.
#define BOOST_TEST_MODULE process_pool
#include <boost/test/unit_test.hpp>

#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;
namespace pt = process_tasks;
using asyncjobs::future;
using asyncjobs::process_pool_executor;
using asyncjobs::process_pool_options;

using process_test::alive;
using process_test::eventually;
using process_test::has_zombie_children;
using process_test::open_fds;
using process_test::require_ready;

namespace {

const char* const usage = "run as: test_process_pool -- <test_worker> <other_worker>";

std::string argument(int index) { return process_test::argument(index, usage); }

process_pool_options options(std::size_t workers = 2) { return process_test::pool_options(argument(1), workers); }

} // namespace

BOOST_AUTO_TEST_CASE(registered_tasks_give_the_same_results_on_threads_and_processes)
{
    process_pool_executor processes(options());
    asyncjobs::thread_pool_executor threads(2);
    for (asyncjobs::executor* ex : {static_cast<asyncjobs::executor*>(&processes), static_cast<asyncjobs::executor*>(&threads)}) {
        BOOST_TEST(ex->submit(pt::add, 2, 40).get() == 42);
        BOOST_TEST(ex->submit(pt::square, 3'000'000'000LL).get() == 9'000'000'000'000'000'000LL);
        BOOST_TEST(ex->submit(pt::greet, std::string("asyncjobs")).get() == "hello, asyncjobs");
        BOOST_TEST((ex->submit(pt::swap_point, pt::point{1, 2}).get() == pt::point{2, 1}));
        ex->submit(pt::do_nothing).get();
        std::vector<std::uint64_t> block(1000);
        std::iota(block.begin(), block.end(), 1);
        BOOST_TEST(ex->submit(pt::checksum, block).get() == 500500u);
    }
}

BOOST_AUTO_TEST_CASE(exceptions_keep_standard_types_and_name_the_others)
{
    process_pool_executor pool(options());
    BOOST_CHECK_THROW(pool.submit(pt::throw_runtime, 0).get(), std::runtime_error);
    BOOST_CHECK_THROW(pool.submit(pt::throw_invalid_argument, 0).get(), std::invalid_argument);
    BOOST_CHECK_THROW(pool.submit(pt::throw_out_of_range, 0).get(), std::out_of_range);
    BOOST_CHECK_THROW(pool.submit(pt::throw_bad_alloc, 0).get(), std::bad_alloc);
    try {
        pool.submit(pt::throw_custom, 0).get();
        BOOST_FAIL("no exception");
    } catch (const std::runtime_error& e) {  // its standard base: test_remote_errors.cpp has the rest
        auto origin = dynamic_cast<const asyncjobs::remote_origin*>(&e);
        BOOST_TEST_REQUIRE(origin != nullptr);
        BOOST_TEST(origin->type_name() == "process_tasks::custom_failure");
        BOOST_TEST(origin->message() == "custom trouble");
    }
    try {
        pool.submit(pt::throw_custom, 0).get();
    } catch (const asyncjobs::remote_origin& e) {
        BOOST_TEST(e.message() == "custom trouble");
    }
    try {
        pool.submit(pt::throw_out_of_range, 0).get();
    } catch (const std::out_of_range& e) {
        BOOST_TEST(std::string(e.what()) == "too far");
    }
}

BOOST_AUTO_TEST_CASE(lambdas_and_unregistered_functions_fail_at_submit_with_their_name)
{
    process_pool_executor pool(options());
    asyncjobs::executor& ex = pool;  // process_pool_executor itself rejects a lambda at compile time
    BOOST_CHECK_THROW((void)ex.submit([] { return 1; }), asyncjobs::task_not_registered);
    try {
        (void)pool.submit(&::getpid);
        BOOST_FAIL("no exception");
    } catch (const asyncjobs::task_not_registered& e) {
        BOOST_TEST(std::string(e.what()).find("getpid") != std::string::npos, e.what());
    }
    BOOST_TEST(pool.submit(pt::add, 1, 1).get() == 2);
}

BOOST_AUTO_TEST_CASE(a_worker_from_another_program_is_a_clear_error)
{
    auto o = options(1);
    o.worker_executable = argument(2);
    process_pool_executor pool(o);
    auto f = pool.submit(pt::add, 1, 2);
    require_ready(f);
    try {
        f.get();
        BOOST_FAIL("no exception");
    } catch (const asyncjobs::error& e) {
        BOOST_TEST(std::string(e.what()).find("different program") != std::string::npos, e.what());
    }
    BOOST_CHECK_THROW((void)pool.submit(pt::add, 1, 2), asyncjobs::error);
}

BOOST_AUTO_TEST_CASE(a_dying_worker_fails_only_its_task)
{
    process_pool_executor pool(options(2));
    struct crash {
        const char* what;
        future<int> f;
        int code;
        int signal;
    };
    std::vector<crash> crashes;
    crashes.push_back({"_exit(3)", pool.submit(pt::exit_with, 3), 3, 0});
    crashes.push_back({"abort", pool.submit(pt::abort_now, 0), -1, SIGABRT});
    crashes.push_back({"segfault", pool.submit(pt::segfault_now, 0), -1, SIGSEGV});
    std::vector<future<int>> healthy;
    for (int i = 0; i < 50; ++i)
        healthy.push_back(pool.submit(pt::add, i, 1));
    for (auto& c : crashes) {
        require_ready(c.f);
        try {
            c.f.get();
            BOOST_FAIL(c.what << ": no exception");
        } catch (const asyncjobs::worker_crashed& e) {
#if ASYNCJOBS_TEST_SANITIZED
            // A sanitizer's own SIGSEGV handler turns the crash into a report and an exit.
            if (c.signal == SIGSEGV) {
                BOOST_TEST((e.signal() != 0 || e.exit_code() != 0), c.what);
                continue;
            }
#endif
            BOOST_TEST(e.exit_code() == c.code, c.what);
            BOOST_TEST(e.signal() == c.signal, c.what);
        }
    }
    for (int i = 0; i < 50; ++i)
        BOOST_TEST(healthy[static_cast<std::size_t>(i)].get() == i + 1);
    BOOST_TEST(pool.submit(pt::add, 20, 22).get() == 42);
}

BOOST_AUTO_TEST_CASE(a_worker_killed_from_outside_fails_its_task_and_is_replaced)
{
    process_pool_executor pool(options(2));
    auto running = pool.submit(pt::sleep_ms, 20'000);
    BOOST_TEST_REQUIRE(eventually([&] { return running.running() && pool.worker_pids().size() >= 1; }));
    long victim = pool.submit(pt::self_pid, 0).get();  // the other worker answers
    auto pids = pool.worker_pids();
    std::erase(pids, victim);
    BOOST_TEST_REQUIRE(pids.size() == 1u);
    ::kill(static_cast<pid_t>(pids.front()), SIGKILL);
    require_ready(running);
    try {
        running.get();
        BOOST_FAIL("no exception");
    } catch (const asyncjobs::worker_crashed& e) {
        BOOST_TEST(e.signal() == SIGKILL);
    }
    std::vector<future<int>> after;
    for (int i = 0; i < 20; ++i)
        after.push_back(pool.submit(pt::add, i, i));
    for (int i = 0; i < 20; ++i)
        BOOST_TEST(after[static_cast<std::size_t>(i)].get() == 2 * i);
    BOOST_TEST(eventually([&] { return pool.worker_pids().size() == 2u; }));
}

BOOST_AUTO_TEST_CASE(a_hung_task_times_out_and_the_pool_goes_on)
{
    process_pool_executor pool(options(1));
    auto hung = pool.submit_with(asyncjobs::task_options{300ms}, pt::sleep_ms, 60'000);
    auto queued = pool.submit(pt::add, 2, 3);
    require_ready(hung);
    BOOST_CHECK_THROW(hung.get(), asyncjobs::task_timeout);
    BOOST_TEST(queued.get() == 5);
}

BOOST_AUTO_TEST_CASE(cancel_and_kill_stops_a_running_task)
{
    process_pool_executor pool(options(1));
    auto running = pool.submit(pt::sleep_ms, 60'000);
    BOOST_TEST_REQUIRE(eventually([&] { return running.running(); }));
    BOOST_TEST(!running.cancel());  // a plain cancel never interrupts
    BOOST_TEST(pool.cancel_and_kill(running));
    require_ready(running);
    BOOST_CHECK_THROW(running.get(), asyncjobs::cancelled_error);
    BOOST_TEST(pool.submit(pt::add, 1, 1).get() == 2);
}

BOOST_AUTO_TEST_CASE(an_initializer_that_throws_breaks_the_pool)
{
    auto o = options(1);
    o.initializer(pt::throwing_initializer);
    process_pool_executor pool(o);
    auto f = pool.submit(pt::add, 1, 2);
    require_ready(f);
    try {
        f.get();
        BOOST_FAIL("no exception");
    } catch (const asyncjobs::broken_executor& e) {
        BOOST_TEST(std::string(e.what()).find("initializer refuses to start") != std::string::npos, e.what());
    }
    BOOST_CHECK_THROW((void)pool.submit(pt::add, 1, 2), asyncjobs::broken_executor);
}

BOOST_AUTO_TEST_CASE(an_initializer_runs_before_tasks)
{
    auto o = options(2);
    o.initializer(pt::quiet_initializer);
    process_pool_executor pool(o);
    BOOST_TEST(pool.submit(pt::add, 1, 2).get() == 3);
}

BOOST_AUTO_TEST_CASE(sixty_four_megabytes_go_there_and_back)
{
    process_pool_executor pool(options(1));
    std::vector<std::uint64_t> block((64u << 20) / sizeof(std::uint64_t));
    std::iota(block.begin(), block.end(), 7);
    auto back = pool.submit(pt::echo_block, block).get();
    BOOST_TEST_REQUIRE(back.size() == block.size());
    BOOST_TEST((back == block));
}

// Frames from 256 KiB up cross through the worker's shared regions instead of the pipes;
// sizes on either side of that threshold, and past the size a region keeps (16 MiB), must
// arrive intact both ways.
BOOST_AUTO_TEST_CASE(large_payloads_around_the_shared_region_thresholds_cross_intact)
{
    process_pool_executor pool(options(1));
    constexpr std::size_t threshold_values = (std::size_t{256} << 10) / sizeof(std::uint64_t);
    for (std::size_t values : {threshold_values - 8, threshold_values - 1, threshold_values, threshold_values + 1,
                               std::size_t{1} << 18, (std::size_t{17} << 20) / 8, std::size_t{3} << 17}) {
        std::vector<std::uint64_t> block(values);
        std::iota(block.begin(), block.end(), values);
        auto back = pool.submit(pt::echo_block, block).get();
        BOOST_TEST_REQUIRE(back.size() == block.size());
        BOOST_TEST((back == block), "echo of " << values << " values differs");
        auto made = pool.submit(pt::make_block, static_cast<std::uint64_t>(values)).get();
        BOOST_TEST_REQUIRE(made.size() == values);
        BOOST_TEST(made.back() == values - 1);
        BOOST_TEST(pool.submit(pt::checksum, block).get() == std::accumulate(block.begin(), block.end(), std::uint64_t{0}));
    }
}

// Calls sent ahead to a busy worker find its region taken and go through the pipe; replies
// likewise. Mixed in any order, every result must belong to its own call.
BOOST_AUTO_TEST_CASE(pipelined_large_payloads_share_the_region_and_the_pipe)
{
    auto o = options(2);
    o.pipeline_depth = 4;
    process_pool_executor pool(o);
    std::vector<std::vector<std::uint64_t>> blocks;
    std::vector<future<std::vector<std::uint64_t>>> echoes;
    for (std::uint64_t i = 0; i < 24; ++i) {
        std::vector<std::uint64_t> block((std::size_t{1} << 17) + i * 1000, i);
        block.front() = i * 7919;
        blocks.push_back(block);
        echoes.push_back(pool.submit(pt::echo_block, std::move(block)));
    }
    for (std::size_t i = 0; i < echoes.size(); ++i) {
        require_ready(echoes[i]);
        BOOST_TEST((echoes[i].get() == blocks[i]), "echo " << i << " came back with other data");
    }
}

BOOST_AUTO_TEST_CASE(a_call_or_result_over_max_payload_is_a_clear_error)
{
    auto o = options(1);
    o.max_payload = 1 << 20;
    process_pool_executor pool(o);
    std::vector<std::uint64_t> too_big((std::size_t{2} << 20) / sizeof(std::uint64_t));
    BOOST_CHECK_THROW((void)pool.submit(pt::echo_block, too_big), std::length_error);
    // A result over the limit: the worker says so, naming the option, and goes on serving.
    auto pid = pool.submit(pt::self_pid, 0).get();
    auto big = pool.submit(pt::make_block, std::uint64_t{1} << 18);
    require_ready(big);
    try {
        (void)big.get();
        BOOST_FAIL("a result over max_payload arrived");
    } catch (const std::length_error& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("process_pool_options::max_payload (1048576)") != std::string::npos, what);
        BOOST_TEST(what.find("make_block") != std::string::npos, what);
    }
    BOOST_TEST(pool.submit(pt::add, 1, 2).get() == 3);
    BOOST_TEST(pool.submit(pt::self_pid, 0).get() == pid);
    BOOST_TEST(pool.stats().worker_crashes + pool.stats().worker_kills == 0u);
}

// A chunk whose worker dies fails as a whole: each of its elements rethrows worker_crashed
// when read, and the elements of the other chunks keep their places.
BOOST_AUTO_TEST_CASE(map_keeps_every_element_when_a_chunk_crashes_its_worker)
{
    process_pool_executor pool(options(2));
    std::vector<int> inputs(12);
    std::iota(inputs.begin(), inputs.end(), 0);
    auto results = pool.map(pt::abort_on_5, inputs, {.chunksize = 4});
    std::size_t read = 0;
    std::size_t crashed = 0;
    for (auto it = results.begin(); it != results.end(); ++it, ++read) {
        try {
            int value = *it;
            BOOST_TEST(value == inputs[read]);
            BOOST_TEST((read < 4 || read >= 8), "element " << read << " shared a chunk with the crash");
        } catch (const asyncjobs::worker_crashed& e) {
            ++crashed;
            BOOST_TEST((read >= 4 && read < 8), "element " << read << " failed: " << e.what());
        }
    }
    BOOST_TEST(read == inputs.size());
    BOOST_TEST(crashed == 4u);
}

BOOST_AUTO_TEST_CASE(max_tasks_per_child_replaces_workers_after_that_many_tasks)
{
    auto o = options(2);
    o.max_tasks_per_child = 3;
    process_pool_executor pool(o);
    std::map<long, int> tasks_per_pid;
    for (int round = 0; round < 8; ++round) {
        std::vector<future<long>> pids;
        for (int i = 0; i < 3; ++i)
            pids.push_back(pool.submit(pt::self_pid, i));
        for (auto& f : pids) {
            require_ready(f);
            ++tasks_per_pid[f.get()];
        }
    }
    BOOST_TEST(tasks_per_pid.size() >= 8u, "24 tasks at 3 per worker need at least 8 workers, saw " << tasks_per_pid.size());
    for (auto& [pid, count] : tasks_per_pid)
        BOOST_TEST(count <= 3, "worker " << pid << " ran " << count << " tasks");
    BOOST_TEST(eventually([&] { return pool.worker_pids().size() <= 2; }));
}

BOOST_AUTO_TEST_CASE(replacing_workers_over_and_over_never_stalls_the_ones_that_wait)
{
    // Each task retires its worker while a third one waits idle, so the io thread keeps
    // closing and opening descriptors. That once woke an idle worker's exit watch for
    // another's exit, and Boost.Process's wait then blocked the io thread in waitpid() on
    // the live worker: the pool hung (the test above, 1 run in 25).
    auto o = options(3);
    o.max_tasks_per_child = 1;
    process_pool_executor pool(o);
    std::set<long> pids;
    for (int round = 0; round < 200; ++round) {
        auto first = pool.submit(pt::self_pid, 2 * round);
        auto second = pool.submit(pt::self_pid, 2 * round + 1);
        require_ready(first);
        require_ready(second);
        pids.insert(first.get());
        pids.insert(second.get());
    }
    BOOST_TEST(pids.size() == 400u, "400 tasks at 1 per worker need 400 workers, saw " << pids.size());
}

BOOST_AUTO_TEST_CASE(what_tasks_print_never_corrupts_the_protocol)
{
    process_pool_executor pool(options(2));
    std::vector<future<int>> fs;
    for (int i = 0; i < 200; ++i)
        fs.push_back(pool.submit(pt::print_and_return, i));
    for (int i = 0; i < 200; ++i)
        BOOST_TEST(fs[static_cast<std::size_t>(i)].get() == i);
}

BOOST_AUTO_TEST_CASE(shutdown_without_cancel_runs_pending_work)
{
    process_pool_executor pool(options(1));
    auto blocker = pool.submit(pt::sleep_ms, 200);
    std::vector<future<int>> pending;
    for (int i = 0; i < 5; ++i)
        pending.push_back(pool.submit(pt::add, i, 0));
    pool.shutdown(true, false);
    BOOST_TEST(blocker.get() == 200);
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(pending[static_cast<std::size_t>(i)].get() == i);
    BOOST_CHECK_THROW((void)pool.submit(pt::add, 1, 1), asyncjobs::shutdown_error);
}

BOOST_AUTO_TEST_CASE(shutdown_with_cancel_cancels_what_has_not_started)
{
    auto o = options(1);
    o.pipeline_depth = 1;
    process_pool_executor pool(o);
    auto blocker = pool.submit(pt::sleep_ms, 500);
    BOOST_TEST_REQUIRE(eventually([&] { return blocker.running(); }));
    std::vector<future<int>> pending;
    for (int i = 0; i < 5; ++i)
        pending.push_back(pool.submit(pt::add, i, 0));
    pool.shutdown(false, true);
    std::size_t cancelled = 0;
    for (auto& f : pending) {
        require_ready(f);
        cancelled += f.cancelled() ? 1 : 0;
    }
    // The pipeline may have handed one call to the busy worker; the rest never start.
    BOOST_TEST(cancelled >= 4u);
    BOOST_TEST(blocker.get() == 500);
}

BOOST_AUTO_TEST_CASE(map_over_a_hundred_thousand_inputs)
{
    process_pool_executor pool(options(2));
    std::vector<int> inputs(100'000);
    std::iota(inputs.begin(), inputs.end(), 0);
    long long sum = 0;
    std::size_t index = 0;
    std::size_t errors = 0;
    auto results = pool.map(pt::fail_on_77, inputs);
    for (auto it = results.begin(); it != results.end(); ++it, ++index) {
        try {
            int v = *it;
            BOOST_TEST_REQUIRE(v == 2 * static_cast<int>(index));
            sum += v;
        } catch (const std::invalid_argument&) {
            BOOST_TEST(index == 77u);
            ++errors;
        }
    }
    BOOST_TEST(index == inputs.size());
    BOOST_TEST(errors == 1u);
    BOOST_TEST(sum == 2LL * (99'999LL * 100'000 / 2) - 154);
}

BOOST_AUTO_TEST_CASE(no_zombie_no_fd_and_no_worker_left_after_destruction)
{
    std::size_t fds_before = open_fds();
    std::vector<long> pids;
    {
        process_pool_executor pool(options(2));
        std::vector<future<int>> fs;
        for (int i = 0; i < 20; ++i)
            fs.push_back(pool.submit(pt::sleep_ms, 5));
        for (auto& f : fs)
            f.get();
        pids = pool.worker_pids();
        BOOST_TEST(!pids.empty());
    }
    for (long pid : pids)
        BOOST_TEST(!alive(pid), "worker " << pid << " outlived its pool");
    BOOST_TEST(!has_zombie_children());
    BOOST_TEST(open_fds() == fds_before);
}

BOOST_AUTO_TEST_CASE(workers_die_with_a_parent_killed_by_sigkill)
{
    // A child process runs a pool, reports its workers' pids through a pipe, and is killed.
    int report[2];
    BOOST_TEST_REQUIRE(::pipe(report) == 0);
    pid_t parent = ::fork();
    BOOST_TEST_REQUIRE(parent >= 0);
    if (parent == 0) {
        ::close(report[0]);
        try {
            process_pool_executor pool(options(2));
            auto a = pool.submit(pt::sleep_ms, 60'000);
            auto b = pool.submit(pt::sleep_ms, 60'000);
            while (pool.worker_pids().size() < 2 || !a.running() || !b.running())
                std::this_thread::sleep_for(5ms);
            for (long pid : pool.worker_pids())
                (void)!::write(report[1], &pid, sizeof pid);
            ::close(report[1]);
            ::pause();
        } catch (...) {
        }
        ::_exit(1);
    }
    ::close(report[1]);
    std::vector<long> workers;
    long pid = 0;
    while (::read(report[0], &pid, sizeof pid) == static_cast<ssize_t>(sizeof pid))
        workers.push_back(pid);
    ::close(report[0]);
    BOOST_TEST_REQUIRE(workers.size() == 2u);
    ::kill(parent, SIGKILL);
    ::waitpid(parent, nullptr, 0);
    for (long w : workers)
        BOOST_TEST(eventually([&] { return !alive(w); }, 5s), "worker " << w << " outlived its killed parent");
}
