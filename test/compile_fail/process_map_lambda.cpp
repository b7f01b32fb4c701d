// map() with a lambda on a process_pool_executor: rejected at compile time like submit().
#include <asyncjobs/process_pool_executor.hpp>

#include <vector>

int twice(int x) { return 2 * x; }

void use(asyncjobs::process_pool_executor& pool, const std::vector<int>& inputs)
{
#ifdef ASYNCJOBS_FIX
    (void)pool.map(twice, inputs);
#else
    (void)pool.map([](int x) { return 2 * x; }, inputs);
#endif
}
