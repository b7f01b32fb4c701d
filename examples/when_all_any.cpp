// when_all / when_any: combine futures into one future instead of blocking on them, so a
// continuation can wait for several results without holding a thread.
#include <asyncjobs/asyncjobs.hpp>

#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

int main()
{
    asyncjobs::thread_pool_executor pool(2);

    // readme:when_all:begin
    std::vector<asyncjobs::future<int>> parts;
    for (int i = 1; i <= 4; ++i)
        parts.push_back(pool.submit([i] { return i * i; }));
    // Ready when every input is; the inputs come back inside it, each with its own result.
    auto total = asyncjobs::when_all(std::move(parts)).then([](std::vector<asyncjobs::future<int>> done) {
        int sum = 0;
        for (auto& f : done)
            sum += f.get();
        return sum;
    });
    int sum = total.get();
    std::printf("sum of squares: %d\n", sum);  // 30

    // Futures of different types give a tuple.
    auto [count, name] = asyncjobs::when_all(pool.submit([] { return 3; }),
                                             pool.submit([] { return std::string("three"); }))
                             .get();
    std::printf("%d is %s\n", count.get(), name.get().c_str());

    // when_any: ready as soon as one input is; index says which. A promise's future
    // joins in like any other (here: an answer that comes later from elsewhere).
    asyncjobs::promise<std::string> elsewhere;
    std::vector<asyncjobs::future<std::string>> racers;
    racers.push_back(elsewhere.get_future());
    racers.push_back(pool.submit([] { return std::string("the pool"); }));
    auto first = asyncjobs::when_any(std::move(racers)).get();
    std::printf("first done: %s\n", first.futures[first.index].get().c_str());  // the pool
    // readme:when_all:end

    elsewhere.set_value("elsewhere");  // the other input still completes
    bool ok = sum == 30 && first.index == 1 && first.futures[0].get() == "elsewhere";
    return ok ? 0 : 1;
}
