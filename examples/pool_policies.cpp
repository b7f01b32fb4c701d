// A process pool's policies: retries on worker death, statistics, idle workers that exit,
// and a memory guard. Each snippet is in the README's API tour.
#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace std::chrono_literals;

// The first call dies as if the kernel's OOM killer had picked its worker (the marker file
// remembers it across workers); the next returns its answer.
int flaky_fetch(std::string marker)
{
    if (!std::filesystem::exists(marker)) {
        std::FILE* f = std::fopen(marker.c_str(), "w");
        if (f)
            std::fclose(f);
        ::raise(SIGKILL);
    }
    return 42;
}
ASYNCJOBS_TASK(flaky_fetch);

int always_dies(int code) { ::_exit(code); }
ASYNCJOBS_TASK(always_dies);

// Keeps `mib` MiB resident for the life of the worker (a cache that only grows); with
// `hold` it then waits a minute, as a task stuck with its memory.
int keep_memory(int mib, bool hold)
{
    static std::vector<std::unique_ptr<char[]>> kept;
    std::size_t bytes = static_cast<std::size_t>(mib) << 20;
    // Not make_unique, which writes every byte: touching one per page is what makes memory
    // resident, and under ThreadSanitizer each written byte also costs shadow memory.
    std::unique_ptr<char[]> block(new char[bytes]);
    for (std::size_t i = 0; i < bytes; i += 4096)
        block[i] = 1;
    kept.push_back(std::move(block));
    if (hold)
        std::this_thread::sleep_for(60s);
    return mib;
}
ASYNCJOBS_TASK(keep_memory);

long worker_pid(int) { return static_cast<long>(::getpid()); }
ASYNCJOBS_TASK(worker_pid);

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;
    const std::string marker =
        (std::filesystem::temp_directory_path() / ("asyncjobs-example-" + std::to_string(::getpid()))).string();
    std::filesystem::remove(marker);
    bool ok = true;
    {
        // readme:retries:begin
        asyncjobs::process_pool_options options;
        options.max_workers = 2;
        options.retries = 2;  // every task: up to two more tries when its worker dies under it
        asyncjobs::process_pool_executor pool(options);
        // Its first worker dies (the OOM killer, say): the task runs again on another worker.
        int value = pool.submit(flaky_fetch, marker).get();
        // A task's own options win over the pool's; after the last try, every try is listed.
        int tries = 0;
        try {
            pool.submit_with({.retries = 1, .retry_backoff = 10ms}, always_dies, 3).get();
        } catch (const asyncjobs::worker_crashed& e) {
            for (const auto& attempt : e.attempts())
                std::printf("pid %ld: exit code %d, signal %d\n", attempt.pid, attempt.exit_code, attempt.signal);
            tries = static_cast<int>(e.attempts().size());  // 2
        }
        // readme:retries:end
        ok = ok && value == 42 && tries == 2;
        ok = ok && pool.submit(worker_pid, 0).get() > 0;  // a live worker for stats() to show

        // readme:process_stats:begin
        asyncjobs::pool_stats s = pool.stats();  // cheap: a lock and one /proc read per worker
        std::printf("%llu submitted, %llu completed, %llu failed, %llu retried, %llu worker crashes\n",
                    static_cast<unsigned long long>(s.submitted), static_cast<unsigned long long>(s.completed),
                    static_cast<unsigned long long>(s.failed), static_cast<unsigned long long>(s.retried),
                    static_cast<unsigned long long>(s.worker_crashes));
        for (const auto& w : s.per_worker)
            std::printf("worker %d: %llu MiB resident, %llu tasks done\n", w.pid,
                        static_cast<unsigned long long>(w.resident_bytes >> 20),
                        static_cast<unsigned long long>(w.tasks_completed));
        // readme:process_stats:end
        ok = ok && s.submitted == 3 && s.completed == 2 && s.failed == 1 && s.retried == 2 &&
             s.worker_crashes == 3 && s.per_worker.size() == 1 && s.per_worker[0].resident_bytes > 0;
    }
    std::filesystem::remove(marker);
    {
        // readme:memory_guard:begin
        asyncjobs::process_pool_options options;
        options.max_workers = 2;
        options.idle_timeout = 200ms;         // workers idle that long exit ...
        options.min_workers = 1;              // ... down to one; others start again on demand
        options.max_worker_memory = 64 << 20; // above 64 MiB after a task: replaced before the next
        options.memory_limit = 256 << 20;     // above 256 MiB while running: killed, the task fails
        asyncjobs::process_pool_executor pool(options);
        long before = pool.submit(worker_pid, 0).get();
        pool.submit(keep_memory, 100, false).get();  // succeeds; its worker is then replaced
        long after = pool.submit(worker_pid, 0).get();
        bool stopped = false;
        try {
            pool.submit(keep_memory, 512, true).get();
        } catch (const asyncjobs::memory_limit_exceeded& e) {
            std::printf("%s\n", e.what());
            stopped = true;
        }
        // readme:memory_guard:end
        ok = ok && before != after && stopped;
        auto s = pool.stats();
        ok = ok && s.worker_kills == 1 && s.worker_retirements >= 1;
        // Both workers started for the last tasks; idle now, one exits.
        for (auto give_up = std::chrono::steady_clock::now() + 60s;
             pool.worker_pids().size() > 1 && std::chrono::steady_clock::now() < give_up;)
            std::this_thread::sleep_for(10ms);
        ok = ok && pool.worker_pids().size() <= 1;
    }
    std::printf(ok ? "pool policies: ok\n" : "pool policies: WRONG\n");
    return ok ? 0 : 1;
}
