// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Processes a task leaves behind. A process forked without exec holds the worker's pipes:
// a timeout and shutdown must still finish the worker. When the pool's program dies
// (SIGKILL, or Ctrl-C to its process group), its workers and what their tasks started
// die too, so that nothing holds the user's terminal or pipe open.
// Run as: test_orphans -- <test_worker> <orphan_parent>.
#define BOOST_TEST_MODULE orphans
#include <boost/test/unit_test.hpp>

#include "orphan_tasks.hpp"
#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace std::chrono_literals;
using asyncjobs::process_pool_executor;
using process_test::eventually;

namespace {

std::string test_worker() { return process_test::argument(1, "run as: test_orphans -- <test_worker> <orphan_parent>"); }

/// Not running: no such process, or a zombie nobody reaped yet (reaped here if it is ours).
bool gone(long pid)
{
    ::waitpid(static_cast<pid_t>(pid), nullptr, WNOHANG);
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return true;
    auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && (line[close + 2] == 'Z' || line[close + 2] == 'X');
}

void kill_if_running(long pid)
{
    if (pid > 0 && !gone(pid))
        ::kill(static_cast<pid_t>(pid), SIGKILL);
}

/// Destroys the pool on another thread; true if that returned within a minute. If not, the
/// process holding the pipes is killed so that the test can end (and fail).
bool destroyed_in_time(std::optional<process_pool_executor>& pool, long holder)
{
    std::promise<void> done;
    auto finished = done.get_future();
    std::thread t([&] {
        pool.reset();
        done.set_value();
    });
    bool in_time = finished.wait_for(60s) == std::future_status::ready;
    if (!in_time)
        kill_if_running(holder);
    t.join();
    return in_time;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pipe_holders)

BOOST_AUTO_TEST_CASE(timeout_fires_while_an_escaped_fork_holds_the_pipes)
{
    // The task forks a child that leaves the worker's process group (so the timeout's kill
    // of the group misses it) and keeps the worker's pipes open: no end of file ever comes.
    process_pool_executor pool(process_test::pool_options(test_worker(), 1));
    auto f = pool.submit_with(asyncjobs::task_options{500ms}, orphan_tasks::fork_holder, true, long{::getpid()}, 600000);
    BOOST_TEST_REQUIRE((f.wait_for(60s) == std::future_status::ready),
                       "the task's timeout did not end it while a forked process held the worker's pipes");
    BOOST_CHECK_THROW(f.get(), asyncjobs::task_timeout);
    auto g = pool.submit(process_tasks::square, 7LL);
    process_test::require_ready(g);
    BOOST_TEST(g.get() == 49);
}

BOOST_AUTO_TEST_CASE(shutdown_kills_a_fork_left_in_the_workers_group)
{
    std::optional<process_pool_executor> pool;
    pool.emplace(process_test::pool_options(test_worker(), 1));
    auto f = pool->submit(orphan_tasks::fork_holder, false, long{::getpid()}, 0);
    process_test::require_ready(f);
    long holder = f.get();
    BOOST_TEST_REQUIRE(destroyed_in_time(pool, holder),
                       "shutdown waited for end of file while a forked process held the worker's pipes");
    BOOST_TEST(eventually([&] { return gone(holder); }), "the process the task forked outlived its worker");
    kill_if_running(holder);
}

BOOST_AUTO_TEST_CASE(shutdown_finishes_while_an_escaped_fork_holds_the_pipes)
{
    std::optional<process_pool_executor> pool;
    pool.emplace(process_test::pool_options(test_worker(), 1));
    auto f = pool->submit(orphan_tasks::fork_holder, true, long{::getpid()}, 0);
    process_test::require_ready(f);
    long holder = f.get();
    bool in_time = destroyed_in_time(pool, holder);
    kill_if_running(holder);  // out of the worker's group: the pool cannot reach it
    BOOST_TEST(in_time, "shutdown waited for end of file while an escaped forked process held the worker's pipes");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(orphans)

namespace {

struct orphan_run {
    long program = -1;
    long worker = -1;
    long sleeper = -1;
    int output = -1;  ///< the program's stdout, which the sleeper shares
};

/// Starts orphan_parent in a process group of its own (the terminal's foreground group, as
/// far as Ctrl-C goes) with its stdout on a pipe, and reads the pids it prints.
orphan_run start_orphan_parent()
{
    // Orphans are re-parented to this process, so that they can be told apart from zombies.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    std::string program = process_test::argument(2, "run as: test_orphans -- <test_worker> <orphan_parent>");
    std::string worker = test_worker();
    int fds[2];
    BOOST_TEST_REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    ::posix_spawnattr_init(&attributes);
    ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    ::posix_spawnattr_setpgroup(&attributes, 0);
    char* argv[] = {program.data(), worker.data(), nullptr};
    pid_t pid = -1;
    int error = ::posix_spawn(&pid, program.c_str(), &actions, &attributes, argv, environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attributes);
    ::close(fds[1]);
    BOOST_TEST_REQUIRE(error == 0);
    orphan_run run;
    run.program = pid;
    run.output = fds[0];
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, 1000) <= 0)
            continue;
        char buffer[256];
        ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n <= 0)
            break;
        line.append(buffer, static_cast<std::size_t>(n));
    }
    std::istringstream(line) >> run.worker >> run.sleeper;
    BOOST_TEST_REQUIRE(run.worker > 0, "orphan_parent did not report its worker: '" << line << "'");
    BOOST_TEST_REQUIRE(run.sleeper > 0, "orphan_parent did not report its task's subprocess: '" << line << "'");
    return run;
}

/// True once the program's stdout reaches end of file: no survivor holds it any more.
bool output_ends(int fd)
{
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 1000) <= 0)
            continue;
        char buffer[256];
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n == 0)
            return true;
        if (n < 0)
            return false;
    }
    return false;
}

void check_everything_dies(orphan_run& run)
{
    BOOST_TEST(eventually([&] { return gone(run.program); }), "the program did not die");
    BOOST_TEST(eventually([&] { return gone(run.worker); }), "the worker outlived the program");
    BOOST_TEST(eventually([&] { return gone(run.sleeper); }), "the process the task started outlived the program");
    BOOST_TEST(output_ends(run.output), "something still holds the program's stdout open");
    ::close(run.output);
    kill_if_running(run.sleeper);
    kill_if_running(run.worker);
    kill_if_running(run.program);
}

} // namespace

BOOST_AUTO_TEST_CASE(sigkill_of_the_program_takes_its_workers_and_their_subprocesses)
{
    auto run = start_orphan_parent();
    ::kill(static_cast<pid_t>(run.program), SIGKILL);
    check_everything_dies(run);
}

BOOST_AUTO_TEST_CASE(ctrl_c_to_the_programs_group_takes_its_workers_and_their_subprocesses)
{
    // The terminal sends SIGINT to the foreground process group: the program's, not its
    // workers' (they sit in groups of their own).
    auto run = start_orphan_parent();
    ::kill(-static_cast<pid_t>(run.program), SIGINT);
    check_everything_dies(run);
}

BOOST_AUTO_TEST_SUITE_END()
