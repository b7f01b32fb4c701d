// map_unordered() with a lambda on a process_pool_executor: rejected at compile time like
// submit() and map(), not with task_not_registered at run time.
#include <asyncjobs/process_pool_executor.hpp>

#include <vector>

int thrice(int x) { return 3 * x; }

void use(asyncjobs::process_pool_executor& pool, const std::vector<int>& inputs)
{
#ifdef ASYNCJOBS_FIX
    (void)pool.map_unordered(thrice, inputs);
#else
    (void)pool.map_unordered([](int x) { return 3 * x; }, inputs);
#endif
}
