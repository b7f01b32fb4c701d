// Crash isolation: a task that kills its worker process fails only its own future, with
// worker_crashed; the pool replaces the worker and the other tasks get their answers.
#include <asyncjobs/asyncjobs.hpp>

#include <cstdio>
#include <cstdlib>
#include <vector>

// 13 stands for the input that hits a bug in native code: the worker dies of SIGABRT.
int checked_square(int x)
{
    if (x == 13)
        std::abort();
    return x * x;
}
ASYNCJOBS_TASK(checked_square);

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;

    asyncjobs::process_pool_executor pool(2);
    // readme:crash:begin
    std::vector<asyncjobs::future<int>> futures;
    for (int x = 10; x <= 16; ++x)
        futures.push_back(pool.submit(checked_square, x));

    int answers = 0;
    int crashes = 0;
    for (int i = 0; i < static_cast<int>(futures.size()); ++i) {
        try {
            std::printf("%d squared is %d\n", 10 + i, futures[i].get());
            ++answers;
        } catch (const asyncjobs::worker_crashed& e) {
            // Only the task the worker was running fails; e.signal() or e.exit_code() says how.
            std::printf("%d: %s\n", 10 + i, e.what());
            ++crashes;
        }
    }
    // readme:crash:end
    // The pool has replaced the worker: it still runs work.
    int after = pool.submit(checked_square, 20).get();
    std::printf("after the crash, 20 squared is %d\n", after);
    return answers == 6 && crashes == 1 && after == 400 ? 0 : 1;
}
