// A lambda submitted to a process_pool_executor (its static type known): it can never be
// registered, so this is a compile error, not a run-time task_not_registered.
#include <asyncjobs/process_pool_executor.hpp>

int twice(int x) { return 2 * x; }

void use(asyncjobs::process_pool_executor& pool)
{
#ifdef ASYNCJOBS_FIX
    (void)pool.submit(twice, 21);
#else
    (void)pool.submit([] { return 42; });
#endif
}
