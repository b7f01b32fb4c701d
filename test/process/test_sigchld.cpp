// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// A worker's exit status is lost when the program ignores SIGCHLD (the kernel reaps its
// children) or reaps children itself: worker_crashed then says what the program did that
// hid the status, instead of "an unknown status". A program of its own, since it changes
// SIGCHLD for the whole process.
// Run as: test_sigchld -- <test_worker>.
#define BOOST_TEST_MODULE sigchld
#include <boost/test/unit_test.hpp>

#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <string>
#include <thread>

#include <sys/wait.h>

using namespace std::chrono_literals;
using asyncjobs::process_pool_executor;
using process_test::require_ready;

namespace {

asyncjobs::process_pool_options one_worker()
{
    return process_test::pool_options(process_test::argument(1, "run as: test_sigchld -- <test_worker>"), 1);
}

/// SIGCHLD set to `handler` while alive, then put back.
class sigchld_as {
public:
    explicit sigchld_as(void (*handler)(int))
    {
        struct sigaction act {};
        act.sa_handler = handler;
        sigemptyset(&act.sa_mask);
        BOOST_TEST_REQUIRE(::sigaction(SIGCHLD, &act, &saved_) == 0);
    }
    ~sigchld_as() { ::sigaction(SIGCHLD, &saved_, nullptr); }

private:
    struct sigaction saved_ {};
};

std::string crash_message(process_pool_executor& pool)
{
    auto crash = pool.submit(process_tasks::segfault_now, 0);
    require_ready(crash);
    try {
        crash.get();
    } catch (const asyncjobs::worker_crashed& e) {
        return e.what();
    }
    BOOST_ERROR("a worker that crashed did not fail its task with worker_crashed");
    return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(a_crash_with_sigchld_ignored_names_sigchld)
{
    sigchld_as ignored(SIG_IGN);
    process_pool_executor pool(one_worker());
    std::string message = crash_message(pool);
    BOOST_TEST_MESSAGE("worker_crashed says: " << message);
    BOOST_TEST(message.find("SIGCHLD") != std::string::npos);
    BOOST_TEST(message.find("SIG_IGN") != std::string::npos);
    // The pool goes on with a new worker.
    auto f = pool.submit(process_tasks::add, 2, 3);
    require_ready(f);
    BOOST_TEST(f.get() == 5);
}

BOOST_AUTO_TEST_CASE(a_crash_reaped_by_the_program_says_so)
{
    sigchld_as default_action(SIG_DFL);
    process_pool_executor pool(one_worker());
    auto warm = pool.submit(process_tasks::add, 1, 1);  // the worker exists before the reaper waits
    require_ready(warm);
    auto pids = pool.worker_pids();
    BOOST_TEST_REQUIRE(pids.size() == 1u);
    // A reaper that waits for the worker behind the pool's back, as a program reaping its
    // children might: it is already blocked in waitpid when the worker dies, so it usually
    // wins against the pool's own wait (when it loses, waitpid fails and nothing is hidden).
    std::atomic<pid_t> reaped{0};
    std::thread reaper([&, pid = static_cast<pid_t>(pids[0])] {
        int status = 0;
        pid_t got;
        do
            got = ::waitpid(pid, &status, 0);
        while (got < 0 && errno == EINTR);
        reaped = got;
    });
    std::string message = crash_message(pool);
    reaper.join();
    BOOST_TEST_MESSAGE("worker_crashed says: " << message << " (reaper got pid " << reaped.load() << ")");
    if (reaped.load() > 0)
        BOOST_TEST(message.find("reaped the worker") != std::string::npos);
    else  // the pool's wait won: the crash itself. A sanitizer runtime turns the SIGSEGV into
          // an exit code, or into SIGABRT (ASan's abort_on_error=1).
        BOOST_TEST((message.find("signal 11") != std::string::npos || message.find("signal 6") != std::string::npos ||
                    message.find("exit code") != std::string::npos),
                   message);
}
