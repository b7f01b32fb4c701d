// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// An application of its own for test_worker_start: its workers are this program (no
// worker_executable), so that the suite can replace or delete the file on disk under a
// running pool, and starve it of descriptors. Built twice, with BUILD_TAG 1 and 2: the
// same tasks, a different answer from build_tag(). Prints one line of results; exit code
// 0 when the mode behaved as it should from this side.
#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace start_program {

int build_tag(int) { return BUILD_TAG; }

int sleep_then(int ms)
{
    ::usleep(static_cast<useconds_t>(ms) * 1000);
    return ms;
}

/// A task that builds a process pool of its own, in the worker: allowed, since the worker
/// loop took the worker marker out of the environment.
int nested_pool(int x)
{
    asyncjobs::process_pool_executor inner(1);
    auto f = inner.submit(build_tag, x);
    if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready)
        return -1;
    return f.get() + 100;
}

} // namespace start_program

ASYNCJOBS_TASK(start_program::build_tag);
ASYNCJOBS_TASK(start_program::sleep_then);
ASYNCJOBS_TASK(start_program::nested_pool);

namespace {

using namespace std::chrono_literals;

std::string self_path()
{
    return std::filesystem::read_symlink("/proc/self/exe").string();
}

/// Runs build_tag in `rounds` workers one after the other (each retires after one task, so
/// every round starts a new worker from whatever the pool starts them from).
int respawn_rounds(asyncjobs::process_pool_executor& pool, int rounds, const char* what)
{
    for (int i = 0; i < rounds; ++i) {
        auto f = pool.submit(start_program::build_tag, i);
        if (f.wait_for(60s) != std::future_status::ready) {
            std::printf("%s: round %d did not finish within 60 s\n", what, i);
            return 1;
        }
        try {
            int tag = f.get();
            if (tag != BUILD_TAG) {
                std::printf("%s: round %d ran build %d, this is build %d\n", what, i, tag, BUILD_TAG);
                return 1;
            }
        } catch (const std::exception& e) {
            std::printf("%s: round %d failed: %s\n", what, i, e.what());
            return 1;
        }
    }
    return 0;
}

asyncjobs::process_pool_options one_task_workers()
{
    asyncjobs::process_pool_options o;
    o.max_workers = 1;
    o.max_tasks_per_child = 1;
    return o;
}

/// Sets the soft descriptor limit, then runs `tasks` short tasks on up to 8 workers.
/// Prints "done N" when all completed, or "broken <message>" when the pool broke.
int under_fd_limit(rlim_t limit, int tasks)
{
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = limit;
    if (::setrlimit(RLIMIT_NOFILE, &files) != 0) {
        std::perror("setrlimit");
        return 2;
    }
    asyncjobs::process_pool_options o;
    o.max_workers = 8;
    asyncjobs::process_pool_executor pool(o);
    std::vector<asyncjobs::future<int>> results;
    try {
        for (int i = 0; i < tasks; ++i)
            results.push_back(pool.submit(start_program::sleep_then, 20));
    } catch (const asyncjobs::broken_executor& e) {
        std::printf("broken %s\n", e.what());
        return 0;
    }
    int done = 0;
    for (auto& f : results) {
        if (f.wait_for(60s) != std::future_status::ready) {
            std::printf("hung: a task did not finish within 60 s\n");
            std::fflush(stdout);
            std::_Exit(3);  // the pool's destructor would hang too
        }
        try {
            f.get();
            ++done;
        } catch (const asyncjobs::broken_executor& e) {
            std::printf("broken %s\n", e.what());
            return 0;
        } catch (const std::exception& e) {
            std::printf("failed %s\n", e.what());
            return 0;
        }
    }
    std::printf("done %d\n", done);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;
    std::string mode = argc > 1 ? argv[1] : "";
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    if (mode == "delete") {
        asyncjobs::process_pool_executor pool(one_task_workers());
        if (int bad = respawn_rounds(pool, 1, "before"))
            return bad;
        std::filesystem::remove(self_path());
        int bad = respawn_rounds(pool, 4, "deleted");
        if (!bad)
            std::printf("ok\n");
        return bad;
    }
    if (mode == "replace" && argc > 2) {
        asyncjobs::process_pool_executor pool(one_task_workers());
        if (int bad = respawn_rounds(pool, 1, "before"))
            return bad;
        std::string self = self_path();
        std::filesystem::copy_file(argv[2], self + ".new");
        std::filesystem::rename(self + ".new", self);
        int bad = respawn_rounds(pool, 4, "replaced");
        if (!bad)
            std::printf("ok\n");
        return bad;
    }
    if (mode == "nested") {
        asyncjobs::process_pool_executor pool(1);
        auto f = pool.submit(start_program::nested_pool, 0);
        if (f.wait_for(60s) != std::future_status::ready) {
            std::printf("nested: no answer within 60 s\n");
            std::fflush(stdout);
            std::_Exit(3);
        }
        int got = f.get();
        std::printf("%s %d\n", got == BUILD_TAG + 100 ? "ok" : "wrong", got);
        return got == BUILD_TAG + 100 ? 0 : 1;
    }
    if (mode == "fd-limit" && argc > 3)
        return under_fd_limit(static_cast<rlim_t>(std::atoi(argv[2])), std::atoi(argv[3]));
    std::fprintf(stderr, "usage: start_program delete | replace <other build> | nested | fd-limit <limit> <tasks>\n");
    return 2;
}
