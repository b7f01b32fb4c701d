// A continuation that takes neither the future nor its value: one static_assert that
// shows both forms, instead of a wall of template errors.
#include <asyncjobs/future.hpp>
#include <asyncjobs/thread_pool_executor.hpp>

#include <string>

void use(asyncjobs::thread_pool_executor& pool)
{
    auto f = pool.submit([] { return 1; });
#ifdef ASYNCJOBS_FIX
    (void)std::move(f).then([](int v) { return v + 1; });
#else
    (void)std::move(f).then([](const std::string& s) { return static_cast<int>(s.size()); });
#endif
}
