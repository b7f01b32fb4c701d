// Stopping a process task that is already running: cancel() cannot (it only stops work
// that has not started), cancel_and_kill() kills the worker that runs it.
#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

using namespace std::chrono_literals;

long spin(long rounds)
{
    long done = 0;
    for (; done < rounds; ++done)
        std::this_thread::sleep_for(1ms);
    return done;
}
ASYNCJOBS_TASK(spin);

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;

    asyncjobs::process_pool_executor pool(1);
    bool refused = false;
    bool killed = false;
    // readme:cancel_and_kill:begin
    auto endless = pool.submit(spin, 3600L * 1000);
    while (!endless.running())  // the worker has begun the task
        std::this_thread::sleep_for(1ms);
    refused = !endless.cancel();  // too late for cancel(): it stops only work not started
    pool.cancel_and_kill(endless);  // kills the worker (and what the task started)
    try {
        endless.get();
    } catch (const asyncjobs::cancelled_error& e) {  // the future ends cancelled
        std::printf("after cancel_and_kill(): %s\n", e.what());
        killed = endless.cancelled();
    }
    // readme:cancel_and_kill:end
    std::printf("cancel() on the running task returned %s\n", refused ? "false" : "true");

    // A new worker takes the next task.
    long next = pool.submit(spin, 3L).get();
    std::printf("the pool goes on: spun %ld rounds\n", next);
    return refused && killed && next == 3 ? 0 : 1;
}
