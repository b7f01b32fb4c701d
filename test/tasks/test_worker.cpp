// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The worker executable of the process-pool and reliability suites, built from the shared
// test tasks (test/tasks): the test runners own their main, so their pools are pointed at
// this program instead (Boost.Process's own tests do the same). With --pool-parent it is
// also a small program that owns a process pool, for the tests that kill or stop a pool's
// parent:
//
//   test_worker --pool-parent <workers> <rendezvous dir>
//
// starts <workers> workers (all at once, through a rendezvous), prints "pids <pid>...",
// then answers each line "run" on stdin with "ok <sum>" (or "error <what>") until EOF.
#include "reliability_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

int pool_parent_main(int workers, const std::string& dir)
{
    namespace rt = reliability_tasks;
    asyncjobs::process_pool_options options;
    options.max_workers = static_cast<std::size_t>(workers);
    asyncjobs::process_pool_executor pool(options);  // re-runs this program as its workers
    std::vector<asyncjobs::future<long>> started;
    for (int i = 0; i < workers; ++i)
        started.push_back(pool.submit(rt::rendezvous, dir, workers));
    for (auto& f : started)
        if (f.get() < 0) {
            std::cout << "error rendezvous timed out" << std::endl;
            return 1;
        }
    std::cout << "pids";
    for (long pid : pool.worker_pids())
        std::cout << ' ' << pid;
    std::cout << std::endl;
    for (std::string line; std::getline(std::cin, line);) {
        if (line != "run")
            continue;
        try {
            std::vector<asyncjobs::future<int>> fs;
            for (int i = 0; i < 8; ++i)
                fs.push_back(pool.submit(rt::add, i, 1));
            long sum = 0;
            for (auto& f : fs)
                sum += f.get();
            std::cout << "ok " << sum << std::endl;
        } catch (const std::exception& e) {
            std::cout << "error " << e.what() << std::endl;
        }
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 4 && std::string_view(argv[1]) == "--pool-parent")
        return pool_parent_main(std::atoi(argv[2]), argv[3]);
    return asyncjobs::worker_main(argc, argv);
}
