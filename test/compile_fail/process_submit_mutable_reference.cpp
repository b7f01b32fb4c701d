// A non-const reference cannot cross to a worker process, even with std::ref.
#include <asyncjobs/process_pool_executor.hpp>

#include <cstddef>
#include <functional>
#include <vector>

void fill(std::vector<int>& v, int n) { v.assign(static_cast<std::size_t>(n), 0); }
std::vector<int> filled(int n) { return std::vector<int>(static_cast<std::size_t>(n), 0); }

void use(asyncjobs::process_pool_executor& pool, std::vector<int>& v)
{
#ifdef ASYNCJOBS_FIX
    v = pool.submit(filled, 5).get();
#else
    (void)pool.submit(fill, std::ref(v), 5);
#endif
}
