// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// fork() in a program that has pools: the child's copy of a pool is inert. Destroying it
// (by hand, or at exit() for a static pool) must neither hang the child nor touch what the
// child shares with the parent (a process pool's epoll instance, claim boards), and
// submit() in the child throws forked_executor. The parent's pool goes on.
// Run as: test_fork -- <test_worker>.
#define BOOST_TEST_MODULE fork
#include <boost/test/unit_test.hpp>

#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <iostream>
#include <optional>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;
using asyncjobs::process_pool_executor;
using asyncjobs::thread_pool_executor;

namespace {

// Exit codes of the children.
constexpr int child_ok = 0;
constexpr int child_other_exception = 2;
constexpr int child_no_exception = 3;

std::string test_worker() { return process_test::argument(1, "run as: test_fork -- <test_worker>"); }

/// Forks; the child runs `body` and exits with what it returns (_exit: the test runner's
/// own state is not torn down twice).
template <class Body>
pid_t fork_child(Body body)
{
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    pid_t pid = ::fork();
    BOOST_TEST_REQUIRE(pid >= 0);
    if (pid == 0)
        ::_exit(body());
    return pid;
}

/// The child's exit code, or -1 if it did not end within a minute (it is killed then).
int wait_child(pid_t pid)
{
    auto deadline = std::chrono::steady_clock::now() + 60s;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(10ms);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
}

/// The child's exit code for `action`, which must throw forked_executor.
template <class Action>
int expect_forked_executor(Action action)
{
    try {
        action();
    } catch (const asyncjobs::forked_executor&) {
        return child_ok;
    } catch (...) {
        return child_other_exception;
    }
    return child_no_exception;
}

template <class Pool>
int submit_in_child(Pool& pool)
{
    return expect_forked_executor([&] { (void)pool.submit(process_tasks::square, 3LL); });
}

long long square_on(asyncjobs::executor& pool, long long x)
{
    auto f = pool.submit(process_tasks::square, x);
    process_test::require_ready(f);
    return f.get();
}

std::optional<process_pool_executor> static_process_pool;
std::optional<thread_pool_executor> static_thread_pool;

} // namespace

BOOST_AUTO_TEST_SUITE(process_pool)

BOOST_AUTO_TEST_CASE(a_child_destroying_its_copy_leaves_the_parents_pool_working)
{
    process_pool_executor pool(process_test::pool_options(test_worker(), 2));
    BOOST_TEST(square_on(pool, 5) == 25);
    auto* copy = &pool;
    pid_t child = fork_child([&] {
        copy->~process_pool_executor();
        return child_ok;
    });
    BOOST_TEST(wait_child(child) == child_ok, "the child could not destroy its copy of the pool");
    for (long long i = 0; i < 20; ++i)
        BOOST_TEST(square_on(pool, i) == i * i);
}

BOOST_AUTO_TEST_CASE(a_child_exiting_with_a_static_pool_leaves_the_parents_pool_working)
{
    static_process_pool.emplace(process_test::pool_options(test_worker(), 2));
    BOOST_TEST(square_on(*static_process_pool, 6) == 36);
    pid_t child = fork_child([] {
        std::exit(child_ok);  // runs static destructors: the copy's among them
        return child_ok;
    });
    BOOST_TEST(wait_child(child) == child_ok, "the child could not exit with its copy of a static pool");
    for (long long i = 0; i < 20; ++i)
        BOOST_TEST(square_on(*static_process_pool, i) == i * i);
    static_process_pool.reset();
}

BOOST_AUTO_TEST_CASE(submit_in_a_child_throws_forked_executor)
{
    process_pool_executor pool(process_test::pool_options(test_worker(), 1));
    BOOST_TEST(square_on(pool, 4) == 16);
    pid_t child = fork_child([&] { return submit_in_child(pool); });
    BOOST_TEST(wait_child(child) == child_ok, "submit() in the child did not throw forked_executor");
    BOOST_TEST(square_on(pool, 9) == 81);
}

BOOST_AUTO_TEST_CASE(waiting_in_a_child_on_the_parents_task_throws_forked_executor)
{
    process_pool_executor pool(process_test::pool_options(test_worker(), 1));
    auto f = pool.submit(process_tasks::sleep_ms, 60000);  // ends by cancel_and_kill below
    pid_t child = fork_child([&] { return expect_forked_executor([&] { f.get(); }); });
    BOOST_TEST(wait_child(child) == child_ok, "get() in the child did not throw forked_executor");
    pool.cancel_and_kill(f);
    BOOST_TEST(square_on(pool, 9) == 81);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(thread_pool)

BOOST_AUTO_TEST_CASE(a_child_destroying_its_copy_does_not_hang)
{
    thread_pool_executor pool(2);
    BOOST_TEST(square_on(pool, 5) == 25);
    auto* copy = &pool;
    pid_t child = fork_child([&] {
        copy->~thread_pool_executor();
        return child_ok;
    });
    BOOST_TEST(wait_child(child) == child_ok, "the child could not destroy its copy of the pool");
    BOOST_TEST(square_on(pool, 7) == 49);
}

BOOST_AUTO_TEST_CASE(a_child_exiting_with_a_static_pool_does_not_hang)
{
    static_thread_pool.emplace(2);
    BOOST_TEST(square_on(*static_thread_pool, 6) == 36);
    pid_t child = fork_child([] {
        std::exit(child_ok);
        return child_ok;
    });
    BOOST_TEST(wait_child(child) == child_ok, "the child could not exit with its copy of a static pool");
    BOOST_TEST(square_on(*static_thread_pool, 8) == 64);
    static_thread_pool.reset();
}

BOOST_AUTO_TEST_CASE(submit_in_a_child_throws_forked_executor)
{
    thread_pool_executor pool(1);
    BOOST_TEST(square_on(pool, 4) == 16);
    pid_t child = fork_child([&] { return submit_in_child(pool); });
    BOOST_TEST(wait_child(child) == child_ok, "submit() in the child did not throw forked_executor");
    BOOST_TEST(square_on(pool, 9) == 81);
}

BOOST_AUTO_TEST_CASE(waiting_in_a_child_on_the_parents_task_throws_forked_executor)
{
    thread_pool_executor pool(1);
    std::promise<void> release;
    auto released = release.get_future().share();
    auto f = pool.submit([released] { released.wait(); });
    pid_t child = fork_child([&] { return expect_forked_executor([&] { f.get(); }); });
    BOOST_TEST(wait_child(child) == child_ok, "get() in the child did not throw forked_executor");
    release.set_value();
    process_test::require_ready(f);
    BOOST_TEST(square_on(pool, 7) == 49);
}

BOOST_AUTO_TEST_SUITE_END()
