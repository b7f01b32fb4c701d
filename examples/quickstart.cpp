// asyncjobs quickstart: the same code on a thread pool and on a process pool.
#include <asyncjobs/asyncjobs.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

// A registered task: a process pool's workers can run it, a thread pool runs it too.
long collatz_steps(long n)
{
    long steps = 0;
    for (; n != 1; ++steps)
        n = n % 2 ? 3 * n + 1 : n / 2;
    return steps;
}
ASYNCJOBS_TASK(collatz_steps);

// Written against the executor interface: it does not know which pool it runs on.
void tour(asyncjobs::executor& pool)
{
    // submit() returns at once; get() waits and returns the value or rethrows the task's error.
    asyncjobs::future<long> f = pool.submit(collatz_steps, 27L);
    std::printf("  submit:       27 takes %ld steps\n", f.get());

    // then() runs a continuation on the pool once the future is ready.
    auto text = pool.submit(collatz_steps, 97L).then([](asyncjobs::future<long> r) {
        return "97 takes " + std::to_string(r.get()) + " steps";
    });
    std::printf("  then:         %s\n", text.get().c_str());

    // as_completed() yields the futures in the order they finish.
    std::vector<asyncjobs::future<long>> futures;
    for (long n : {871L, 6171L, 77031L, 837799L})
        futures.push_back(pool.submit(collatz_steps, n));
    for (auto& done : asyncjobs::as_completed(futures))
        std::printf("  as_completed: %ld steps\n", done.get());

    // map() gives results in input order, reading its input a bounded window ahead.
    std::vector<long> inputs(100000);
    std::iota(inputs.begin(), inputs.end(), 1L);
    long longest = 0;
    for (long steps : pool.map(collatz_steps, inputs))
        longest = std::max(longest, steps);
    std::printf("  map:          longest chain below 100001 has %ld steps\n", longest);

    // wait() blocks until a condition holds and splits the futures into done / not done.
    std::vector<asyncjobs::future<long>> batch;
    for (long n = 1; n <= 8; ++n)
        batch.push_back(pool.submit(collatz_steps, n * 1000));
    auto result = asyncjobs::wait(batch, asyncjobs::return_when::all_completed);
    std::printf("  wait:         %zu done, %zu not done\n", result.done.size(), result.not_done.size());
}

int main(int argc, char** argv)
{
    // A process pool re-runs this program as its workers; this line makes them workers.
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;

    asyncjobs::thread_pool_executor threads(4);
    std::printf("thread_pool_executor:\n");
    tour(threads);

    asyncjobs::process_pool_executor processes(2);
    std::printf("process_pool_executor:\n");
    tour(processes);
}
