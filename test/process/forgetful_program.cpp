// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// An application whose main lacks the run_worker_if_requested line, for test_worker_start:
// each worker it starts runs this main again and builds a pool. The pool must refuse in the
// worker, and the parent's pool must turn broken_executor naming the missing line.
// Prints "broken <message>" or what went wrong instead; exit code 0 when the pool broke.
//
// A guard of its own stops the recursion after a few levels, so that a pool without the
// refusal (the bug this tests) fails the test instead of filling the machine with processes.
#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include <unistd.h>

namespace forgetful {
int twice(int x) { return 2 * x; }
} // namespace forgetful

namespace {
std::size_t children_of_this_process()
{
    std::size_t n = 0;
    for (auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::ifstream status(entry.path() / "status");
        std::string line;
        while (std::getline(status, line))
            if (line.rfind("PPid:", 0) == 0) {
                if (std::stol(line.substr(5)) == ::getpid())
                    ++n;
                break;
            }
    }
    return n;
}
} // namespace

ASYNCJOBS_TASK(forgetful::twice);

int main()
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const char* depth_text = std::getenv("ASYNCJOBS_TEST_FORGETFUL_DEPTH");
    int depth = depth_text ? std::atoi(depth_text) : 0;
    if (depth >= 3)
        return 99;
    std::string next = std::to_string(depth + 1);
    ::setenv("ASYNCJOBS_TEST_FORGETFUL_DEPTH", next.c_str(), 1);
    asyncjobs::process_pool_options o;
    o.max_workers = 1;
    asyncjobs::process_pool_executor pool(o);
    auto f = pool.submit(forgetful::twice, 21);
    if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
        std::printf("hung: no answer within 60 s\n");
        std::fflush(stdout);
        std::_Exit(3);
    }
    try {
        std::printf("result %d\n", f.get());
        return 1;
    } catch (const asyncjobs::broken_executor& e) {
        std::printf("broken %s\n", e.what());
        // No worker may outlive the refusal: count this process's children until none is left.
        std::size_t children = 0;
        for (int i = 0; i < 3000; ++i) {
            children = children_of_this_process();
            if (children == 0)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        std::printf("children %zu\n", children);
        return 0;
    } catch (const std::exception& e) {
        std::printf("failed %s\n", e.what());
        return 1;
    }
}
