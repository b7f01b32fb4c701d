// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// A program that test_orphans kills: it starts a process pool whose task starts `sleep
// 1000`, prints "<worker pid> <sleeper pid>" on stdout, and waits (two minutes at most).
// Run as: orphan_parent <test_worker>.
#include "orphan_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <cstdio>

#include <unistd.h>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "run as: orphan_parent <test_worker>\n");
        return 2;
    }
    asyncjobs::process_pool_options options;
    options.max_workers = 1;
    options.worker_executable = argv[1];
    asyncjobs::process_pool_executor pool(options);
    long sleeper = pool.submit(orphan_tasks::spawn_sleeper, 0).get();
    auto workers = pool.worker_pids();
    std::printf("%ld %ld\n", workers.empty() ? -1L : workers.front(), sleeper);
    std::fflush(stdout);
    for (int i = 0; i < 1200; ++i)
        ::usleep(100 * 1000);
    return 0;
}
