// A thread pool's statistics (stats()) and idle reaping: threads idle for idle_timeout
// leave, down to min_workers, and start again when work comes.
#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

int main()
{
    using namespace std::chrono_literals;

    // readme:pool_stats:begin
    asyncjobs::thread_pool_options options;
    options.max_workers = 4;
    options.idle_timeout = 100ms;  // idle threads leave after this...
    options.min_workers = 1;       // ...but one stays
    asyncjobs::thread_pool_executor pool(options);

    std::vector<asyncjobs::future<int>> futures;
    for (int i = 0; i < 100; ++i)
        futures.push_back(pool.submit([i] {
            std::this_thread::sleep_for(1ms);  // a burst: threads start to keep up
            return i;
        }));
    futures.push_back(pool.submit([]() -> int { throw std::runtime_error("one fails"); }));
    for (auto& f : futures)
        f.wait();

    // Idle threads leave after idle_timeout (polled: a thread's exit has no event to wait on).
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (pool.stats().workers > 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);

    asyncjobs::pool_stats s = pool.stats();  // cheap: counters, no lock
    std::printf("submitted %llu, completed %llu, failed %llu; %zu thread(s) left, %llu retired\n",
                static_cast<unsigned long long>(s.submitted), static_cast<unsigned long long>(s.completed),
                static_cast<unsigned long long>(s.failed), s.workers,
                static_cast<unsigned long long>(s.worker_retirements));
    // readme:pool_stats:end

    bool ok = s.workers == 1 && s.submitted == 101 && s.completed == 100 && s.failed == 1 &&
              s.worker_retirements + 1 == s.worker_starts && pool.submit([] { return 7; }).get() == 7;
    return ok ? 0 : 1;
}
