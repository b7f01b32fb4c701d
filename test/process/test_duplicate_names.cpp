// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Two functions registered under one task name: a process pool refuses to start and names
// it. A program of its own, since the duplicate would break every other pool in a runner.
#define BOOST_TEST_MODULE duplicate task names
#include <boost/test/unit_test.hpp>

#include <asyncjobs/asyncjobs.hpp>

#include <stdexcept>
#include <string>

namespace first {
int compute(int x) { return x + 1; }
} // namespace first
namespace second {
int compute(int x) { return x + 2; }
} // namespace second

ASYNCJOBS_TASK_NAMED(first::compute, "compute");
ASYNCJOBS_TASK_NAMED(second::compute, "compute");

BOOST_AUTO_TEST_CASE(a_pool_refuses_to_start_and_names_the_duplicate)
{
    try {
        asyncjobs::process_pool_executor pool(1);
        BOOST_FAIL("a process pool started although two functions share the task name 'compute'");
    } catch (const std::logic_error& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("compute") != std::string::npos, what);
        BOOST_TEST(what.find("ASYNCJOBS_TASK_NAMED") != std::string::npos, what);
    }
}

BOOST_AUTO_TEST_CASE(thread_pools_still_run_both_functions)
{
    asyncjobs::thread_pool_executor pool(1);
    BOOST_TEST(pool.submit(first::compute, 1).get() == 2);
    BOOST_TEST(pool.submit(second::compute, 1).get() == 3);
}
