// Stopping work with asyncjobs: cancel() before a task starts, a std::stop_token for a
// task that is running, and shutdown(cancel_futures) for everything still queued.
#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <cstdio>
#include <stop_token>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

int main()
{
    int surprises = 0;
    auto expect = [&surprises](bool ok, const char* what) {
        std::printf("%-58s %s\n", what, ok ? "yes" : "NO (unexpected)");
        surprises += ok ? 0 : 1;
    };

    asyncjobs::thread_pool_executor pool(1);  // one thread: the second task has to queue

    // readme:stop_token:begin
    // A task that takes a std::stop_token first gets one that cancel() triggers while it runs.
    auto spinner = pool.submit([](std::stop_token stop) {
        long rounds = 0;
        while (!stop.stop_requested()) {
            ++rounds;
            std::this_thread::sleep_for(1ms);
        }
        return rounds;
    });
    // readme:stop_token:end
    auto queued = pool.submit([] { return 42; });
    while (!spinner.running())
        std::this_thread::sleep_for(1ms);

    // Work that has not started is cancelled for good, as in Python.
    expect(queued.cancel(), "cancel() of a queued task succeeds");
    // A running task is not interrupted (cancel() says false) but is asked to stop.
    expect(!spinner.cancel(), "cancel() of a running task returns false");
    long rounds = spinner.get();
    std::printf("the running task saw the stop request after %ld rounds\n", rounds);
    try {
        queued.get();
        expect(false, "get() of a cancelled task throws cancelled_error");
    } catch (const asyncjobs::cancelled_error&) {
        expect(true, "get() of a cancelled task throws cancelled_error");
    }

    // readme:shutdown:begin
    // shutdown(wait, cancel_futures): the running task finishes, the queued ones are cancelled.
    auto blocker = pool.submit([] { std::this_thread::sleep_for(50ms); });
    std::vector<asyncjobs::future<void>> backlog;
    for (int i = 0; i < 5; ++i)
        backlog.push_back(pool.submit([] { std::this_thread::sleep_for(10ms); }));
    while (!blocker.running() && !blocker.done())
        std::this_thread::sleep_for(1ms);
    pool.shutdown(/*wait=*/true, /*cancel_futures=*/true);
    // readme:shutdown:end
    std::size_t cancelled = 0;
    for (auto& f : backlog)
        cancelled += f.cancelled() ? 1 : 0;
    expect(!blocker.cancelled() && blocker.done(), "shutdown(cancel_futures) lets the running task finish");
    expect(cancelled == backlog.size(), "shutdown(cancel_futures) cancels every queued task");

    // After shutdown, submit() throws.
    try {
        (void)pool.submit([] {});
        expect(false, "submit() after shutdown() throws shutdown_error");
    } catch (const asyncjobs::shutdown_error&) {
        expect(true, "submit() after shutdown() throws shutdown_error");
    }
    return surprises == 0 ? 0 : 1;
}
