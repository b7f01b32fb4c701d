// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// What the process-pool suites share: the executables their runner is handed (Boost.Test
// owns main, so they come after `--`), bounded waits (a bug fails a test instead of hanging
// the run), and /proc readings of this process and its children.
#ifndef ASYNCJOBS_TEST_PROCESS_SUPPORT_HPP
#define ASYNCJOBS_TEST_PROCESS_SUPPORT_HPP

#include <boost/test/unit_test.hpp>

#include <asyncjobs/future.hpp>
#include <asyncjobs/process_pool_executor.hpp>

#include <chrono>
#include <csignal>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include <unistd.h>

namespace process_test {

using namespace std::chrono_literals;

/// The runner's argument `index` after `--`; `usage` says what they are when it is missing.
inline std::string argument(int index, const char* usage)
{
    auto& suite = boost::unit_test::framework::master_test_suite();
    BOOST_TEST_REQUIRE(suite.argc > index, usage);
    return suite.argv[index];
}

/// A pool of `workers` workers running `executable`; everything else at its default.
inline asyncjobs::process_pool_options pool_options(const std::string& executable, std::size_t workers)
{
    asyncjobs::process_pool_options o;
    o.max_workers = workers;
    o.worker_executable = executable;
    return o;
}

template <class T>
void require_ready(const asyncjobs::future<T>& f)
{
    BOOST_TEST_REQUIRE((f.wait_for(60s) == std::future_status::ready), "a future did not complete within 60 s");
}

/// Polls `p` until it holds or `limit` passes, for states with no event to wait on (a
/// worker that has exited, a pid list that has shrunk).
template <class Predicate>
bool eventually(Predicate p, std::chrono::seconds limit = 60s)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (p())
            return true;
        std::this_thread::sleep_for(10ms);
    }
    return p();
}

inline bool alive(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0; }

inline std::size_t open_fds()
{
    std::size_t n = 0;
    for ([[maybe_unused]] auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

/// Children of this process that exited and were not reaped would show up here.
inline bool has_zombie_children()
{
    for (auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::ifstream status(entry.path() / "status");
        std::string line;
        bool zombie = false;
        bool mine = false;
        while (std::getline(status, line)) {
            if (line.rfind("State:", 0) == 0 && line.find('Z') != std::string::npos)
                zombie = true;
            if (line.rfind("PPid:", 0) == 0 && std::stol(line.substr(5)) == ::getpid())
                mine = true;
        }
        if (zombie && mine)
            return true;
    }
    return false;
}

} // namespace process_test

#endif
