// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// mpi_executor on real ranks: CTest runs this program under
//     mpirun -n 3 --oversubscribe test_mpi
// (and again over TCP only, --mca btl tcp,self). The program owns main and passes through
// the worker line: ranks 1 and 2 serve (each with a local pool of 2 workers), rank 0 runs
// the Boost.Test cases. Every wait is bounded (long_wait), so a bug fails, never hangs.
#define BOOST_TEST_NO_MAIN
#define BOOST_TEST_ALTERNATIVE_INIT_API
#include <boost/test/unit_test.hpp>

#include "cancel_tasks.hpp"
#include "policy_tasks.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>
#include <asyncjobs/mpi.hpp>
#include <asyncjobs/mpi_executor.hpp>

#include <atomic>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace mpi_test {

/// The process that runs the task's worker: a child of its rank.
long rank_pid(int) { return static_cast<long>(::getppid()); }

} // namespace mpi_test

ASYNCJOBS_TASK(mpi_test::rank_pid);

namespace {

using namespace std::chrono_literals;
namespace pt = process_tasks;
using asyncjobs::future;
using asyncjobs::mpi_executor;
using asyncjobs::mpi_executor_options;

constexpr auto long_wait = 60s;

#ifdef ASYNCJOBS_TEST_SANITIZED
constexpr int task_count = 2000;
#else
constexpr int task_count = 10000;
#endif

mpi_executor_options two_per_rank()
{
    mpi_executor_options o;
    o.workers_per_rank = 2;
    return o;
}

/// Kills a task meant to hang when the test leaves early (a failed check), so that the
/// executor's destructor does not wait for it: a failure fails, it never hangs.
template <class T>
struct kill_on_exit {
    mpi_executor& ex;
    future<T>& f;
    ~kill_on_exit()
    {
        if (f.valid() && !f.done())
            ex.cancel_and_kill(f);
    }
};

template <class T>
void require_ready(future<T>& f)
{
    BOOST_REQUIRE_MESSAGE(f.wait_for(long_wait) == std::future_status::ready, "a future did not complete in time");
}

} // namespace

BOOST_AUTO_TEST_CASE(ranks_answer_and_workers_add_up)
{
    BOOST_REQUIRE_EQUAL(asyncjobs::mpi::rank(), 0);
    BOOST_REQUIRE_EQUAL(asyncjobs::mpi::size(), 3);
    mpi_executor ex(two_per_rank());
    auto ranks = ex.ranks();
    BOOST_REQUIRE_EQUAL(ranks.size(), 2u);
    BOOST_TEST(ranks[0].rank == 1);
    BOOST_TEST(ranks[1].rank == 2);
    std::set<long> pids;
    for (auto& r : ranks) {
        BOOST_TEST(r.workers == 2u);
        BOOST_TEST(r.pid != static_cast<long>(::getpid()));
        BOOST_TEST(!r.host.empty());
        pids.insert(r.pid);
    }
    BOOST_TEST(pids.size() == 2u);
    BOOST_TEST(ex.max_workers() == 4u);
}

BOOST_AUTO_TEST_CASE(results_come_back_and_tasks_run_in_the_ranks_pools)
{
    mpi_executor ex(two_per_rank());
    auto sum = ex.submit(pt::add, 2, 40);
    auto text = ex.submit(pt::greet, std::string("mpi"));
    auto point = ex.submit(pt::swap_point, pt::point{1, 2});
    auto nothing = ex.submit(pt::do_nothing);
    require_ready(sum);
    BOOST_TEST(sum.get() == 42);
    require_ready(text);
    BOOST_TEST(text.get() == pt::greet("mpi"));
    require_ready(point);
    BOOST_TEST((point.get() == pt::point{2, 1}));
    require_ready(nothing);
    nothing.get();

    // Each task runs in a worker process whose parent is a worker rank, never rank 0.
    std::set<long> rank_pids;
    for (auto& r : ex.ranks())
        rank_pids.insert(r.pid);
    std::vector<future<long>> parents;
    for (int i = 0; i < 16; ++i)
        parents.push_back(ex.submit(mpi_test::rank_pid, i));
    for (auto& f : parents) {
        require_ready(f);
        BOOST_TEST(rank_pids.count(f.get()) == 1u);
    }
    // A large argument and result (4 MiB each way).
    std::vector<std::uint64_t> block(1 << 19);
    std::iota(block.begin(), block.end(), 7u);
    auto echoed = ex.submit(pt::echo_block, block);
    require_ready(echoed);
    BOOST_TEST((echoed.get() == block));
}

BOOST_AUTO_TEST_CASE(exceptions_keep_their_types)
{
    mpi_executor ex(two_per_rank());
    auto invalid = ex.submit(pt::throw_invalid_argument, 1);
    auto range = ex.submit(pt::throw_out_of_range, 1);
    auto runtime = ex.submit(pt::throw_runtime, 1);
    auto custom = ex.submit(pt::throw_custom, 1);
    require_ready(invalid);
    require_ready(range);
    require_ready(runtime);
    require_ready(custom);
    BOOST_CHECK_THROW(invalid.get(), std::invalid_argument);
    BOOST_CHECK_THROW(range.get(), std::out_of_range);
    BOOST_CHECK_THROW(runtime.get(), std::runtime_error);
    try {
        custom.get();
        BOOST_FAIL("no exception");
    } catch (const std::runtime_error& e) {
        // A type of the task's own, derived from std::runtime_error: caught as its base,
        // and it says what it was.
        auto* origin = dynamic_cast<const asyncjobs::remote_origin*>(&e);
        BOOST_REQUIRE(origin);
        BOOST_TEST(origin->message() == "custom trouble");
        BOOST_TEST(origin->type_name().find("custom_failure") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(stats_count_what_rank_0_saw_through_executor_ref)
{
    mpi_executor ex(two_per_rank());
    const asyncjobs::executor& base = ex;
    auto ok = ex.submit(pt::add, 1, 2);
    auto bad = ex.submit(pt::throw_runtime, 1);
    require_ready(ok);
    require_ready(bad);
    // A call is counted just after its future completes.
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (base.stats().completed + base.stats().failed < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    auto s = base.stats();
    BOOST_TEST(s.submitted == 2u);
    BOOST_TEST(s.completed == 1u);
    BOOST_TEST(s.failed == 1u);
    BOOST_TEST(s.cancelled == 0u);
    BOOST_TEST(s.running == 0u);
    BOOST_TEST(s.queued == 0u);
    BOOST_TEST(s.workers == 4u);
    BOOST_TEST(s.per_worker.empty());
}

BOOST_AUTO_TEST_CASE(a_crashing_task_fails_alone_and_its_rank_serves_on)
{
    mpi_executor ex(two_per_rank());
    auto ranks_before = ex.ranks();
    std::vector<future<int>> crashes;
    for (int i = 0; i < 4; ++i)
        crashes.push_back(ex.submit(pt::abort_now, i));
    for (auto& f : crashes) {
        require_ready(f);
        BOOST_CHECK_THROW(f.get(), asyncjobs::worker_crashed);
    }
    // Both ranks still serve: more tasks than one rank holds at once, all answered.
    std::vector<future<int>> after;
    for (int i = 0; i < 40; ++i)
        after.push_back(ex.submit(pt::add, i, 1));
    for (int i = 0; i < 40; ++i) {
        require_ready(after[static_cast<std::size_t>(i)]);
        BOOST_TEST(after[static_cast<std::size_t>(i)].get() == i + 1);
    }
    auto ranks_after = ex.ranks();
    for (std::size_t i = 0; i < ranks_after.size(); ++i)
        BOOST_TEST(::kill(static_cast<pid_t>(ranks_after[i].pid), 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_task_past_its_timeout_fails_and_the_rank_goes_on)
{
    mpi_executor ex(two_per_rank());
    asyncjobs::task_options o;
    o.timeout = 300ms;
    auto hung = ex.submit_with(o, pt::sleep_ms, 120000);
    kill_on_exit<int> guard{ex, hung};
    require_ready(hung);
    BOOST_CHECK_THROW(hung.get(), asyncjobs::task_timeout);
    auto fine = ex.submit_with(o, pt::add, 1, 2);
    require_ready(fine);
    BOOST_TEST(fine.get() == 3);
}

// task_options' retries travel to the rank, whose local pool runs the task again on
// another of its workers; the default (none) fails at the first death. Rank 0 and the
// ranks share this machine's /tmp, where the task counts its tries.
BOOST_AUTO_TEST_CASE(retries_run_a_task_again_in_its_rank)
{
    auto counter = (std::filesystem::temp_directory_path() / ("asyncjobs-mpi-retries-" + std::to_string(::getpid())))
                       .string();
    std::filesystem::remove(counter);
    mpi_executor ex(two_per_rank());
    asyncjobs::task_options o;
    o.retries = 3;
    o.retry_backoff = 0ms;
    auto retried = ex.submit_with(o, policy_tasks::die_first_tries, counter, 2);
    require_ready(retried);
    BOOST_TEST(retried.get() == 3);  // two deaths, then the third try returned
    BOOST_TEST(policy_tasks::tries(counter) == 3);

    std::filesystem::remove(counter);
    auto once = ex.submit(policy_tasks::die_first_tries, counter, 1);
    require_ready(once);
    BOOST_CHECK_THROW(once.get(), asyncjobs::worker_crashed);
    BOOST_TEST(policy_tasks::tries(counter) == 1);
    std::filesystem::remove(counter);

    o.retries = asyncjobs::task_max_retries + 1;
    BOOST_CHECK_THROW((void)ex.submit_with(o, pt::add, 1, 2), std::invalid_argument);
    o.retries = 1;
    o.retry_backoff = -1ms;
    BOOST_CHECK_THROW((void)ex.submit_with(o, pt::add, 1, 2), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_default_task_timeout_applies)
{
    auto options = two_per_rank();
    options.task_timeout = 300ms;
    mpi_executor ex(options);
    auto hung = ex.submit(pt::sleep_ms, 120000);
    kill_on_exit<int> guard{ex, hung};
    require_ready(hung);
    BOOST_CHECK_THROW(hung.get(), asyncjobs::task_timeout);
    BOOST_CHECK_THROW((void)ex.submit_with(asyncjobs::task_options{0ms}, pt::add, 1, 2), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(map_returns_results_in_input_order)
{
    mpi_executor ex(two_per_rank());
    std::vector<long long> inputs(1000);
    std::iota(inputs.begin(), inputs.end(), 0);
    for (std::size_t chunksize : {std::size_t{1}, std::size_t{37}, std::size_t{0}}) {
        asyncjobs::map_options o;
        o.chunksize = chunksize;
        o.timeout = long_wait;
        long long i = 0;
        for (long long v : ex.map(pt::square, inputs, o)) {
            BOOST_TEST(v == i * i);
            ++i;
        }
        BOOST_TEST(i == 1000);
    }
}

BOOST_AUTO_TEST_CASE(as_completed_then_and_when_all)
{
    mpi_executor ex(two_per_rank());
    std::vector<future<int>> fs;
    for (int i = 0; i < 20; ++i)
        fs.push_back(ex.submit(pt::add, i, 0));
    int seen = 0;
    int total = 0;
    for (auto& f : asyncjobs::as_completed(fs, long_wait)) {
        total += f.get();
        ++seen;
    }
    BOOST_TEST(seen == 20);
    BOOST_TEST(total == 190);

    auto chained = ex.submit(pt::add, 1, 1).then([](future<int> f) { return f.get() * 10; });
    require_ready(chained);
    BOOST_TEST(chained.get() == 20);

    std::vector<future<int>> parts;
    for (int i = 0; i < 5; ++i)
        parts.push_back(ex.submit(pt::add, i, 100));
    auto all = asyncjobs::when_all(std::move(parts));
    require_ready(all);
    int sum = 0;
    for (auto& f : all.get())
        sum += f.get();
    BOOST_TEST(sum == 510);
}

BOOST_AUTO_TEST_CASE(shutdown_with_pending_work)
{
    std::vector<future<int>> fs;
    {
        mpi_executor ex(two_per_rank());
        for (int i = 0; i < 30; ++i)
            fs.push_back(ex.submit(pt::sleep_ms, 100));
        ex.shutdown(false, true);
        BOOST_CHECK_THROW((void)ex.submit(pt::add, 1, 1), asyncjobs::shutdown_error);
    }
    int done = 0;
    int cancelled = 0;
    for (auto& f : fs) {
        require_ready(f);
        if (f.cancelled()) {
            BOOST_CHECK_THROW(f.get(), asyncjobs::cancelled_error);
            ++cancelled;
        } else {
            BOOST_TEST(f.get() == 100);
            ++done;
        }
    }
    BOOST_TEST(done + cancelled == 30);
    // At most what the ranks held (2 ranks x (2 workers + 1)) had been sent.
    BOOST_TEST(done <= 6);
    BOOST_TEST(cancelled >= 24);

    // shutdown(wait) without cancelling runs everything, and the ranks serve the next executor.
    mpi_executor again(two_per_rank());
    std::vector<future<int>> more;
    for (int i = 0; i < 10; ++i)
        more.push_back(again.submit(pt::sleep_ms, 10));
    again.shutdown(true, false);
    for (auto& f : more) {
        BOOST_REQUIRE(f.done());
        BOOST_TEST(f.get() == 10);
    }
}

BOOST_AUTO_TEST_CASE(cancel_and_kill_stops_a_running_task)
{
    mpi_executor ex(two_per_rank());
    auto hung = ex.submit(pt::sleep_ms, 120000);
    kill_on_exit<int> guard{ex, hung};
    // It is sent at once (the ranks have room), so it counts as started.
    for (auto deadline = std::chrono::steady_clock::now() + long_wait;
         !hung.running() && std::chrono::steady_clock::now() < deadline;)
        std::this_thread::sleep_for(1ms);
    BOOST_REQUIRE(hung.running());
    BOOST_TEST(!hung.cancel());
    BOOST_TEST(ex.cancel_and_kill(hung));
    require_ready(hung);
    BOOST_TEST(hung.cancelled());
    BOOST_CHECK_THROW(hung.get(), asyncjobs::cancelled_error);
    auto fine = ex.submit(pt::add, 2, 2);
    require_ready(fine);
    BOOST_TEST(fine.get() == 4);
    BOOST_TEST(!ex.cancel_and_kill(fine));
}

// The rank's worker has begun the call (it wrote to the log) before the kill arrives: the
// rank's pool learns that only from its claim board, so the kill must settle the claim there,
// not wait for the task to end (it spun for the whole 120 s, then reported the task finished).
BOOST_AUTO_TEST_CASE(cancel_and_kill_stops_a_task_the_rank_worker_began)
{
    auto log = (std::filesystem::temp_directory_path() / ("asyncjobs-mpi-began-" + std::to_string(::getpid())))
                   .string();
    std::filesystem::remove(log);
    mpi_executor ex(two_per_rank());
    auto hung = ex.submit(cancel_tasks::record_run, log, 7, 120000);
    kill_on_exit<int> guard{ex, hung};
    for (auto deadline = std::chrono::steady_clock::now() + long_wait;
         cancel_tasks::read_log(log).empty() && std::chrono::steady_clock::now() < deadline;)
        std::this_thread::sleep_for(1ms);
    BOOST_REQUIRE(cancel_tasks::read_log(log) == std::vector<int>{7});
    BOOST_TEST(hung.running());
    BOOST_TEST(ex.cancel_and_kill(hung));
    require_ready(hung);
    BOOST_TEST(hung.cancelled());
    BOOST_CHECK_THROW(hung.get(), asyncjobs::cancelled_error);
    std::filesystem::remove(log);
}

BOOST_AUTO_TEST_CASE(many_tasks)
{
    mpi_executor ex(two_per_rank());
    std::vector<future<int>> fs;
    fs.reserve(task_count);
    for (int i = 0; i < task_count; ++i)
        fs.push_back(ex.submit(pt::add, i, 1));
    long long sum = 0;
    for (auto& f : fs) {
        require_ready(f);
        sum += f.get();
    }
    BOOST_TEST(sum == static_cast<long long>(task_count) * (task_count + 1) / 2);
}

BOOST_AUTO_TEST_CASE(one_executor_at_a_time_and_bad_options)
{
    mpi_executor ex(two_per_rank());
    BOOST_CHECK_THROW(mpi_executor{two_per_rank()}, std::logic_error);
    auto o = two_per_rank();
    o.task_timeout = 0ms;
    BOOST_CHECK_THROW(mpi_executor{o}, std::invalid_argument);
    o = two_per_rank();
    o.rank_timeout = 0ms;
    BOOST_CHECK_THROW(mpi_executor{o}, std::invalid_argument);
    auto lambda_task = [] { return 1; };
    asyncjobs::executor& any = ex;
    BOOST_CHECK_THROW((void)any.submit(lambda_task), asyncjobs::task_not_registered);
    auto f = ex.submit(pt::add, 1, 2);
    require_ready(f);
    BOOST_TEST(f.get() == 3);
}

namespace {

/// Stops worker ranks (SIGSTOP: a frozen host, as rank 0 sees it) and lets them go on when
/// the test leaves, so that the job can end.
struct stopped_ranks {
    std::vector<long> pids;
    void stop(long pid)
    {
        BOOST_REQUIRE(::kill(static_cast<pid_t>(pid), SIGSTOP) == 0);
        pids.push_back(pid);
    }
    ~stopped_ranks()
    {
        for (long pid : pids)
            ::kill(static_cast<pid_t>(pid), SIGCONT);
    }
};

} // namespace

// A rank that holds calls and answers nothing (not even rank 0's pings) for rank_timeout is
// given up: the calls it held fail with worker_crashed naming it and the option, and the
// executor goes on with the other rank. Calls are sent to the rank with the most room, rank 1
// first, until both hold workers + 1: rank 1 holds exactly 3 when it is given up.
BOOST_AUTO_TEST_CASE(a_rank_that_stops_answering_is_given_up)
{
    auto o = two_per_rank();
    o.rank_timeout = 3s;
    mpi_executor ex(o);
    auto ranks = ex.ranks();
    BOOST_REQUIRE(ranks.size() == 2u);
    BOOST_REQUIRE(ranks[0].rank == 1);
    stopped_ranks frozen;
    frozen.stop(ranks[0].pid);
    std::vector<future<int>> fs;
    for (int i = 0; i < 12; ++i)
        fs.push_back(ex.submit(pt::sleep_ms, 100));
    int done = 0;
    int lost = 0;
    for (auto& f : fs) {
        require_ready(f);
        try {
            BOOST_TEST(f.get() == 100);
            ++done;
        } catch (const asyncjobs::worker_crashed& e) {
            ++lost;
            std::string what = e.what();
            BOOST_TEST(what.find("rank 1 (pid " + std::to_string(ranks[0].pid)) != std::string::npos, what);
            BOOST_TEST(what.find("rank_timeout") != std::string::npos, what);
        }
    }
    BOOST_TEST(lost == 3);
    BOOST_TEST(done == 9);
    auto after = ex.submit(pt::add, 2, 3);
    require_ready(after);
    BOOST_TEST(after.get() == 5);
    BOOST_TEST(ex.stats().failed == 3u);
}

// A rank busy with a task longer than rank_timeout is not silent: it answers rank 0's pings
// (sent every quarter of the timeout while it says nothing else), and its calls complete.
BOOST_AUTO_TEST_CASE(a_rank_busy_past_rank_timeout_answers_and_is_kept)
{
    auto o = two_per_rank();
    o.rank_timeout = 1500ms;
    mpi_executor ex(o);
    auto first = ex.submit(pt::sleep_ms, 4000);
    auto second = ex.submit(pt::sleep_ms, 4000);
    require_ready(first);
    require_ready(second);
    BOOST_TEST(first.get() == 4000);
    BOOST_TEST(second.get() == 4000);
    BOOST_TEST(ex.stats().failed == 0u);
}

// With every rank given up, nothing can run: what was queued fails with broken_executor,
// and so does the next submit (no future waits for a rank that will not answer).
BOOST_AUTO_TEST_CASE(every_rank_given_up_breaks_the_executor)
{
    auto o = two_per_rank();
    o.rank_timeout = 2s;
    mpi_executor ex(o);
    stopped_ranks frozen;
    for (auto& r : ex.ranks())
        frozen.stop(r.pid);
    std::vector<future<int>> fs;
    for (int i = 0; i < 10; ++i)
        fs.push_back(ex.submit(pt::sleep_ms, 10));
    int lost = 0;
    int broken = 0;
    for (auto& f : fs) {
        require_ready(f);
        try {
            (void)f.get();
            BOOST_FAIL("a call ran on a stopped rank");
        } catch (const asyncjobs::worker_crashed&) {
            ++lost;
        } catch (const asyncjobs::broken_executor& e) {
            ++broken;
            BOOST_TEST(std::string(e.what()).find("every worker rank was given up") != std::string::npos, e.what());
        }
    }
    BOOST_TEST(lost == 6);  // 2 ranks x (2 workers + 1)
    BOOST_TEST(broken == 4);
    BOOST_CHECK_THROW((void)ex.submit(pt::add, 1, 1), asyncjobs::broken_executor);
}

// A figure, not a pass/fail timing: rank 0's CPU (all its threads) while every worker runs a
// 1.5 s task, with the default poll interval and, as the baseline in the same run, the
// 200 us loop measured in notes/open-mpi-4.1.md (4-5% of a core). Printed for the README.
BOOST_AUTO_TEST_CASE(rank_0_cpu_while_it_waits)
{
    auto cpu_seconds = [] {
        rusage usage{};
        ::getrusage(RUSAGE_SELF, &usage);
        return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    };
    for (auto interval : {std::chrono::microseconds(200), mpi_executor_options{}.max_poll_interval}) {
        auto options = two_per_rank();
        options.max_poll_interval = interval;
        mpi_executor ex(options);
        std::vector<future<int>> fs;
        auto wall_start = std::chrono::steady_clock::now();
        double cpu_start = cpu_seconds();
        for (int i = 0; i < 4; ++i)
            fs.push_back(ex.submit(pt::sleep_ms, 1500));
        for (auto& f : fs) {
            require_ready(f);
            BOOST_TEST(f.get() == 1500);
        }
        double cpu = cpu_seconds() - cpu_start;
        double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        std::printf("rank 0 while waiting %.2f s (max_poll_interval %lld us): %.3f s of CPU, %.2f%% of a core\n", wall,
                    static_cast<long long>(interval.count()), cpu, 100.0 * cpu / wall);
    }
}

bool init_unit_test() { return true; }

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::mpi::run_worker_if_requested(argc, argv))
        return *code;
    return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
