// Per-task timeouts: a process task that runs too long has its worker killed (with what it
// started) and its future fails with task_timeout; the pool replaces the worker.
#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

using namespace std::chrono_literals;

// Stands for a computation that sometimes never ends (a solver that does not converge).
int settle(int seconds)
{
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    return seconds;
}
ASYNCJOBS_TASK(settle);

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;

    // A default timeout for every task of the pool (without one, tasks may run forever)...
    asyncjobs::process_pool_options options;
    options.max_workers = 2;
    options.task_timeout = 30s;
    asyncjobs::process_pool_executor pool(options);

    // readme:task_timeout:begin
    // ...and one for a single task, which wins over the pool's.
    auto hung = pool.submit_with({.timeout = 200ms}, settle, 3600);
    auto quick = pool.submit(settle, 0);

    bool timed_out = false;
    try {
        hung.get();
    } catch (const asyncjobs::task_timeout& e) {
        std::printf("the hung task: %s\n", e.what());
        timed_out = true;
    }
    // readme:task_timeout:end
    std::printf("the quick task: %d\n", quick.get());
    // The killed worker has been replaced.
    std::printf("and the next: %d\n", pool.submit(settle, 0).get());
    return timed_out ? 0 : 1;
}
