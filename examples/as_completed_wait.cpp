// Collecting results: as_completed() hands futures over in the order they finish, wait()
// blocks until a condition holds and splits the futures into done and not done. Both take
// an optional timeout; the work goes on when it passes.
#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <cstdio>
#include <vector>

using namespace std::chrono_literals;

int main()
{
    asyncjobs::thread_pool_executor pool(2);
    asyncjobs::promise<int> never_in_time;  // an answer that comes too late (set at the end)

    // readme:as_completed:begin
    std::vector<asyncjobs::future<int>> futures;
    for (int i = 1; i <= 3; ++i)
        futures.push_back(pool.submit([i] { return i * 10; }));
    futures.push_back(never_in_time.get_future());
    int sum = 0;
    bool timed_out = false;
    try {
        for (auto& done : asyncjobs::as_completed(futures, 200ms))  // one deadline for the lot
            sum += done.get();
    } catch (const asyncjobs::timeout_error& e) {  // the promise's future is not done in time
        std::printf("as_completed: %s\n", e.what());
        timed_out = true;
    }
    // wait() splits them instead (first_completed, first_exception or all_completed).
    auto status = asyncjobs::wait(futures, asyncjobs::return_when::all_completed, 100ms);
    std::printf("%zu done, %zu not done\n", status.done.size(), status.not_done.size());
    // readme:as_completed:end
    std::printf("the answers in time add up to %d\n", sum);

    // The work goes on after a timeout: set the late answer, then everything is done.
    never_in_time.set_value(40);
    auto all = asyncjobs::wait(futures, asyncjobs::return_when::all_completed, 30s);
    int late = futures[3].get();
    std::printf("all %zu done; the late one says %d\n", all.done.size(), late);
    bool promise_was_late = !status.not_done.empty() && status.not_done.back() == &futures[3];
    return timed_out && promise_was_late && all.not_done.empty() && late == 40 ? 0 : 1;
}
