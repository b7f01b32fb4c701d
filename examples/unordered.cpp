// Results in completion order: map_unordered() (each result with its input's index) and a
// completion_queue that takes new futures while it is read (the crawler pattern: submit more
// work from each result as it arrives). Both run on a process pool here, as on any executor.
#include <asyncjobs/asyncjobs.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <vector>

long collatz_steps(long n)
{
    if (n < 1)
        throw std::domain_error("collatz needs a positive number");
    long steps = 0;
    for (; n != 1; ++steps)
        n = n % 2 ? 3 * n + 1 : n / 2;
    return steps;
}
ASYNCJOBS_TASK(collatz_steps);

/// A page of a tiny "site": page n links to 2n and 2n + 1 while they are below 64.
std::vector<int> links_of(int page)
{
    std::vector<int> out;
    for (int next : {2 * page, 2 * page + 1})
        if (next < 64)
            out.push_back(next);
    return out;
}
ASYNCJOBS_TASK(links_of);

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;

    asyncjobs::process_pool_executor pool(2);

    // readme:map_unordered:begin
    std::vector<long> inputs{27, 97, -5, 871, 6171};
    asyncjobs::map_options options;
    options.chunksize = 1;  // each result as soon as its own call is done
    long longest = 0;
    for (auto result : pool.map_unordered(collatz_steps, inputs, options)) {
        if (result.failed()) {  // only that element failed; get() would rethrow it
            std::printf("input %zu failed\n", result.index);
            continue;
        }
        long steps = result.get();
        std::printf("collatz(%ld) takes %ld steps\n", inputs[result.index], steps);
        longest = std::max(longest, steps);
    }
    // readme:map_unordered:end

    // readme:completion_queue:begin
    // A crawler: every page fetched may link to more; fetch those as the results arrive.
    asyncjobs::completion_queue<std::vector<int>> queue;
    queue.add(pool.submit(links_of, 1));
    std::size_t in_flight = 1;
    int pages = 1;
    while (in_flight > 0) {
        auto done = queue.next(std::chrono::seconds(60));  // a future already complete
        --in_flight;
        for (int link : done->get()) {
            queue.add(pool.submit(links_of, link));  // more work while reading
            ++in_flight;
            ++pages;
        }
    }
    queue.close();  // a reader on another thread would now get the end: next() == nullopt
    std::printf("crawled %d pages\n", pages);
    // readme:completion_queue:end

    return longest == 261 && pages == 63 ? 0 : 1;
}
