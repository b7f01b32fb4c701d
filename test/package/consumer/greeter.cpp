#include "greeter.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <vector>

long sum_of_squares(long n)
{
    asyncjobs::thread_pool_executor pool(2);
    std::vector<asyncjobs::future<long>> parts;
    for (long i = 1; i <= n; ++i)
        parts.push_back(pool.submit([i] { return i * i; }));
    long sum = 0;
    for (auto& part : parts)
        sum += part.get();
    return sum;
}
