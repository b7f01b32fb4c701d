// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// How workers start, and what happens when they cannot: a main without the worker line
// (the pool refuses in the worker and breaks, instead of starting workers without end), a
// worker that never says hello (start_timeout), a worker program that cannot be executed
// (the pool breaks at once; queued calls fail, the destructor returns), a process out of
// descriptors (EMFILE, not EBADF; live workers keep the pool), and the program's file
// replaced or deleted under a running pool (workers run the running image).
//
// Runner arguments after `--`: start_program (build 1), start_program (build 2),
// forgetful_program, test_worker, silent_worker.
#define BOOST_TEST_MODULE asyncjobs_worker_start
#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

using namespace std::chrono_literals;
using process_test::argument;
using process_test::eventually;
using process_test::require_ready;

const char* const usage = "usage: test_worker_start -- <start_program 1> <start_program 2> <forgetful_program> "
                          "<test_worker> <silent_worker>";

struct program_result {
    bool finished = false;  ///< within the limit; otherwise it was killed
    int status = 0;
    std::string output;     ///< its stdout
    bool exited_ok() const { return finished && WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

/// Runs `args` (stdout captured, stderr shared), for at most `limit`: past it, the program
/// is killed and the result says it did not finish.
program_result run_program(const std::vector<std::string>& args, std::chrono::seconds limit = 90s)
{
    int out[2];
    BOOST_TEST_REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    int error = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    BOOST_TEST_REQUIRE(error == 0, "cannot start " << args[0] << ": " << std::strerror(error));
    program_result result;
    auto deadline = std::chrono::steady_clock::now() + limit;
    char buffer[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms)
            break;
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
            continue;
        ssize_t n = ::read(out[0], buffer, sizeof buffer);
        if (n <= 0)
            break;
        result.output.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    result.finished = eventually([&] { return ::waitpid(pid, &result.status, WNOHANG) == pid; },
                                 std::chrono::duration_cast<std::chrono::seconds>(
                                     std::max(deadline - std::chrono::steady_clock::now(),
                                              std::chrono::steady_clock::duration(1s))));
    if (!result.finished) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &result.status, 0);
    }
    BOOST_TEST_MESSAGE(args[0] << " printed: " << result.output);
    return result;
}

/// Processes whose parent is `parent` (from /proc).
std::size_t children_of(long parent)
{
    std::size_t n = 0;
    for (auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::ifstream status(entry.path() / "status");
        std::string line;
        while (std::getline(status, line))
            if (line.rfind("PPid:", 0) == 0) {
                if (std::stol(line.substr(5)) == parent)
                    ++n;
                break;
            }
    }
    return n;
}

/// A fresh directory for copies of the test programs, removed at the end.
struct scratch_dir {
    std::filesystem::path path;
    scratch_dir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "asyncjobs-start-XXXXXX").string();
        BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~scratch_dir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    /// A copy of `program` here, executable.
    std::string copy_of(const std::string& program, const std::string& name) const
    {
        auto target = path / name;
        std::filesystem::copy_file(program, target);
        return target.string();
    }
};

template <class T>
std::string broken_message(asyncjobs::future<T>& f)
{
    require_ready(f);
    try {
        f.get();
    } catch (const asyncjobs::broken_executor& e) {
        return e.what();
    } catch (const std::exception& e) {
        BOOST_FAIL("expected broken_executor, got: " << e.what());
    }
    BOOST_FAIL("expected broken_executor, the task succeeded");
    return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(worker_start)

// Issue 9 item 2: without the refusal, each worker re-ran main and started a pool of its
// own (thousands of processes); now the worker exits at once and the pool breaks saying why.
BOOST_AUTO_TEST_CASE(a_main_without_the_worker_line_breaks_the_pool_naming_it)
{
    std::size_t before = children_of(::getpid());
    auto result = run_program({argument(3, usage)});
    BOOST_TEST_REQUIRE(result.finished, "the program did not finish within 90 s");
    BOOST_TEST(result.exited_ok());
    BOOST_TEST(result.output.find("broken ") != std::string::npos);
    BOOST_TEST(result.output.find("run_worker_if_requested(argc, argv)") != std::string::npos);
    BOOST_TEST(result.output.find("main did not run the worker loop") != std::string::npos);
    // The worker that refused was its only child, and it is gone; nothing is left here either.
    BOOST_TEST(result.output.find("children 0") != std::string::npos, result.output);
    BOOST_TEST(eventually([&] { return children_of(::getpid()) <= before; }));
}

BOOST_AUTO_TEST_CASE(a_worker_that_never_says_hello_is_killed_after_start_timeout)
{
    auto o = process_test::pool_options(argument(5, usage), 1);
    o.start_timeout = 300ms;
    o.max_start_failures = 2;
    asyncjobs::process_pool_executor pool(o);
    auto f = pool.submit(process_tasks::add, 1, 2);
    std::string why = broken_message(f);
    BOOST_TEST(why.find("start_timeout") != std::string::npos, why);
    BOOST_TEST(eventually([&] { return pool.worker_pids().empty(); }));
}

BOOST_AUTO_TEST_CASE(start_timeout_must_be_positive)
{
    auto o = process_test::pool_options(argument(4, usage), 1);
    o.start_timeout = 0ms;
    BOOST_CHECK_THROW(asyncjobs::process_pool_executor{o}, std::invalid_argument);
}

// Issue 9 item 3: a failed spawn counted toward max_start_failures and nothing tried again,
// so queued calls and the destructor hung. Errors that will not go away break at once.
BOOST_AUTO_TEST_CASE(a_missing_worker_program_fails_queued_calls_at_once)
{
    asyncjobs::process_pool_executor pool(process_test::pool_options("/nonexistent/asyncjobs-worker", 2));
    auto first = pool.submit(process_tasks::add, 1, 2);
    auto second = pool.submit(process_tasks::add, 3, 4);
    std::string why = broken_message(first);
    BOOST_TEST(why.find("No such file or directory") != std::string::npos, why);
    BOOST_TEST(why.find("/nonexistent/asyncjobs-worker") != std::string::npos, why);
    BOOST_TEST(!broken_message(second).empty());
    BOOST_CHECK_THROW((void)pool.submit(process_tasks::add, 5, 6), asyncjobs::broken_executor);
}

BOOST_AUTO_TEST_CASE(a_worker_program_that_cannot_be_executed_breaks_the_pool)
{
    scratch_dir dir;
    auto not_executable = dir.path / "not-executable";
    std::ofstream(not_executable) << "#!/bin/sh\nexit 0\n";
    std::filesystem::permissions(not_executable, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    auto not_a_program = dir.path / "not-a-program";
    std::ofstream(not_a_program) << "this is not a program\n";
    std::filesystem::permissions(not_a_program, std::filesystem::perms::owner_all);

    {
        asyncjobs::process_pool_executor pool(process_test::pool_options(not_executable.string(), 1));
        auto f = pool.submit(process_tasks::add, 1, 2);
        std::string why = broken_message(f);
        BOOST_TEST(why.find("Permission denied") != std::string::npos, why);
    }
    {
        asyncjobs::process_pool_executor pool(process_test::pool_options(not_a_program.string(), 1));
        auto f = pool.submit(process_tasks::add, 1, 2);
        std::string why = broken_message(f);
        BOOST_TEST(why.find("Exec format error") != std::string::npos, why);
    }
}

// Out of descriptors before the first worker: retried, then broken with the real cause,
// and the program ends (its pool's destructor does not hang).
BOOST_AUTO_TEST_CASE(out_of_descriptors_with_no_worker_breaks_with_emfile)
{
#if ASYNCJOBS_TEST_SANITIZED
    // UBSan checks a vptr by writing the object into a pipe it opens (to learn whether the
    // memory is readable); with 12 descriptors there is none left for it, and it reports
    // every virtual call on the error path as an invalid object.
    BOOST_TEST_MESSAGE("skipped under sanitizers: their runtime needs descriptors of its own");
    return;
#endif
    auto result = run_program({argument(1, usage), "fd-limit", "12", "2"});
    BOOST_TEST_REQUIRE(result.finished, "the program did not finish within 90 s (a pool hung)");
    BOOST_TEST(result.exited_ok());
    BOOST_TEST(result.output.find("broken ") != std::string::npos, result.output);
    BOOST_TEST(result.output.find("pen files") != std::string::npos, result.output);  // Too many / too many open files
}

// Out of descriptors with workers running: the spawn's dup2s used to fail with EBADF and
// break the pool under its live workers; now the queued calls wait for those workers.
BOOST_AUTO_TEST_CASE(out_of_descriptors_with_live_workers_keeps_the_pool)
{
    auto result = run_program({argument(1, usage), "fd-limit", "32", "40"});
    BOOST_TEST_REQUIRE(result.finished, "the program did not finish within 90 s (a pool hung)");
    BOOST_TEST(result.exited_ok());
    BOOST_TEST(result.output.find("done 40") != std::string::npos, result.output);
}

// Issue 9 item 7: workers run the image the parent runs, not whatever the path now holds.
BOOST_AUTO_TEST_CASE(workers_respawn_after_the_program_file_is_deleted)
{
    scratch_dir dir;
    auto copy = dir.copy_of(argument(1, usage), "start_program");
    auto result = run_program({copy, "delete"});
    BOOST_TEST_REQUIRE(result.finished);
    BOOST_TEST(result.exited_ok(), result.output);
    BOOST_TEST(result.output.find("ok") != std::string::npos, result.output);
}

BOOST_AUTO_TEST_CASE(workers_run_the_running_build_after_the_file_is_replaced)
{
    scratch_dir dir;
    auto copy = dir.copy_of(argument(1, usage), "start_program");
    auto result = run_program({copy, "replace", argument(2, usage)});
    BOOST_TEST_REQUIRE(result.finished);
    BOOST_TEST(result.exited_ok(), result.output);
    BOOST_TEST(result.output.find("ok") != std::string::npos, result.output);
}

// The worker loop takes the marker out of the environment: a task may build a pool.
BOOST_AUTO_TEST_CASE(a_task_may_start_a_process_pool_of_its_own)
{
    auto result = run_program({argument(1, usage), "nested"});
    BOOST_TEST_REQUIRE(result.finished);
    BOOST_TEST(result.exited_ok(), result.output);
    BOOST_TEST(result.output.find("ok 101") != std::string::npos, result.output);
}

BOOST_AUTO_TEST_SUITE_END()
