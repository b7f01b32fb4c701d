// std::cref names an object of this process, which a worker cannot reach.
#include <asyncjobs/process_pool_executor.hpp>

#include <cstddef>
#include <functional>
#include <vector>

std::size_t count(const std::vector<int>& v) { return v.size(); }

void use(asyncjobs::process_pool_executor& pool, const std::vector<int>& v)
{
#ifdef ASYNCJOBS_FIX
    (void)pool.submit(count, v);  // a const reference parameter: the worker gets a copy
#else
    (void)pool.submit(count, std::cref(v));
#endif
}
