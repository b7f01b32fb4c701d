// A lambda taking a non-const reference, submitted without std::ref (std::thread rejects
// it too): the static_assert says why instead of std::invoke's errors.
#include <asyncjobs/thread_pool_executor.hpp>

#include <functional>
#include <vector>

void use(asyncjobs::executor& pool, std::vector<int>& v)
{
    auto fill = [](std::vector<int>& out, int n) { out.assign(static_cast<std::size_t>(n), 0); };
#ifdef ASYNCJOBS_FIX
    (void)pool.submit(fill, std::ref(v), 5);
#else
    (void)pool.submit(fill, v, 5);
#endif
}
