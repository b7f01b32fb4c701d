// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// What a task printed survives its worker: the worker flushes stdout and stderr after each
// call, so a worker killed later (a crash in a later task, cancel_and_kill) loses nothing.
// This program points its own stdout at a file, which the workers inherit (a file makes
// stdio fully buffered, the case where output used to die with the worker).
// Run as: test_worker_output -- <test_worker>.
#define BOOST_TEST_MODULE worker_output
#include <boost/test/unit_test.hpp>

#include "output_tasks.hpp"
#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <fcntl.h>
#include <unistd.h>

using namespace std::chrono_literals;
using asyncjobs::process_pool_executor;
using process_test::require_ready;

namespace {

/// Points fd 1 at a fresh file while alive (workers started meanwhile inherit it); puts
/// the runner's stdout back and removes the file when done.
class stdout_to_file {
public:
    stdout_to_file()
    {
        std::fflush(stdout);
        saved_ = ::dup(STDOUT_FILENO);
        int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        BOOST_TEST_REQUIRE(fd >= 0);
        BOOST_TEST_REQUIRE(saved_ >= 0);
        ::dup2(fd, STDOUT_FILENO);
        ::close(fd);
    }
    ~stdout_to_file()
    {
        restore();
        std::filesystem::remove(path_);
    }
    /// The runner's stdout again; the file keeps what the workers wrote.
    void restore()
    {
        if (saved_ < 0)
            return;
        std::fflush(stdout);
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
        saved_ = -1;
    }
    std::string contents() const
    {
        std::ifstream in(path_, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

private:
    std::string path_ = (std::filesystem::temp_directory_path() /
                         ("asyncjobs-output-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++)))
                            .string();
    int saved_ = -1;
    static int& counter()
    {
        static int n = 0;
        return n;
    }
};

asyncjobs::process_pool_options one_worker()
{
    return process_test::pool_options(process_test::argument(1, "run as: test_worker_output -- <test_worker>"), 1);
}

} // namespace

BOOST_AUTO_TEST_CASE(output_of_a_task_survives_a_later_crash_of_its_worker)
{
    stdout_to_file out;
    std::string marker = "unflushed-before-crash-" + std::to_string(::getpid());
    {
        process_pool_executor pool(one_worker());
        auto printed = pool.submit(output_tasks::print_unflushed, marker);
        require_ready(printed);
        BOOST_TEST(printed.get() == static_cast<int>(marker.size()));
        // The same worker dies by a signal: no exit handlers, no stdio flush of its own.
        auto crash = pool.submit(process_tasks::segfault_now, 0);
        require_ready(crash);
        BOOST_CHECK_THROW(crash.get(), asyncjobs::worker_crashed);
    }
    out.restore();
    BOOST_TEST(out.contents().find(marker) != std::string::npos, "the task's output died with its worker");
}

BOOST_AUTO_TEST_CASE(output_of_a_task_survives_cancel_and_kill_of_a_later_one)
{
    stdout_to_file out;
    std::string marker = "unflushed-before-kill-" + std::to_string(::getpid());
    {
        process_pool_executor pool(one_worker());
        auto printed = pool.submit(output_tasks::print_unflushed, marker);
        require_ready(printed);
        auto sleeper = pool.submit(process_tasks::sleep_ms, 60000);
        BOOST_TEST_REQUIRE(process_test::eventually([&] { return sleeper.running(); }));
        BOOST_TEST(pool.cancel_and_kill(sleeper));
        require_ready(sleeper);
    }
    out.restore();
    BOOST_TEST(out.contents().find(marker) != std::string::npos, "the task's output died with its worker");
}
