// A plain function taking a non-const reference, submitted without std::ref: as with
// std::thread, it would modify the task's copy. Fails with the static_assert that says so.
#include <asyncjobs/thread_pool_executor.hpp>

#include <functional>
#include <vector>

void fill(std::vector<int>& v, int n) { v.assign(static_cast<std::size_t>(n), 0); }

void use(asyncjobs::thread_pool_executor& pool, std::vector<int>& v)
{
#ifdef ASYNCJOBS_FIX
    (void)pool.submit(fill, std::ref(v), 5);
#else
    (void)pool.submit(fill, v, 5);
#endif
}
