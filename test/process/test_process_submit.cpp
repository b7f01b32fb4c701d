// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// What a process pool accepts at run time, through `executor&` (what it rejects where its
// type is known statically does not compile: test/compile_fail): ASYNCJOBS_TASK's forms
// for overloads and templates, const reference parameters, and the errors for lambdas,
// unregistered functions and std::ref, which name the function and give the fix.
// Run as: test_process_submit -- <test_worker>.
#define BOOST_TEST_MODULE process_submit
#include <boost/test/unit_test.hpp>

#include "submit_tasks.hpp"
#include "support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace st = submit_tasks;
using asyncjobs::process_pool_executor;

namespace {

asyncjobs::process_pool_options options()
{
    return process_test::pool_options(process_test::argument(1, "run as: test_process_submit -- <test_worker>"), 1);
}

// Deliberately not registered.
int unregistered_twice(int x) { return 2 * x; }
void fill(std::vector<int>& v, int n) { v.assign(static_cast<std::size_t>(n), 1); }

} // namespace

BOOST_AUTO_TEST_CASE(overloads_and_templates_registered_with_the_documented_forms_run_in_workers)
{
    process_pool_executor pool(options());
    BOOST_TEST(pool.submit(static_cast<int (*)(int)>(st::area), 4).get() == 16);
    BOOST_TEST(pool.submit(static_cast<double (*)(double)>(st::area), 3.0).get() == 4.5);
    BOOST_TEST(pool.submit(st::scale<long, 3>, 14L).get() == 42L);
    BOOST_TEST(pool.submit(st::widen_sum<int, long>, 2, 40L).get() == 42L);
}

BOOST_AUTO_TEST_CASE(a_const_reference_parameter_gets_a_copy_in_the_worker)
{
    process_pool_executor pool(options());
    const std::vector<int> values{1, 2, 3, 4};
    BOOST_TEST(pool.submit(st::total, values).get() == 10u);
}

BOOST_AUTO_TEST_CASE(a_lambda_through_executor_reference_is_task_not_registered)
{
    process_pool_executor pool(options());
    asyncjobs::executor& ex = pool;
    try {
        (void)ex.submit([] { return 1; });
        BOOST_FAIL("no exception");
    } catch (const asyncjobs::task_not_registered& e) {
        BOOST_TEST(std::string(e.what()).find("ASYNCJOBS_TASK") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(an_unregistered_function_is_named_with_its_type_and_the_fix)
{
    process_pool_executor pool(options());
    try {
        (void)pool.submit(unregistered_twice, 1);
        BOOST_FAIL("no exception");
    } catch (const asyncjobs::task_not_registered& e) {
        std::string what = e.what();
        // Its symbol when the program exports it (-rdynamic), and always its type.
        BOOST_TEST(what.find("int (*)(int)") != std::string::npos, what);
        BOOST_TEST(what.find("ASYNCJOBS_TASK(") != std::string::npos, what);
    }
}

BOOST_AUTO_TEST_CASE(std_ref_through_executor_reference_is_invalid_argument_naming_the_function)
{
    process_pool_executor pool(options());
    asyncjobs::executor& ex = pool;
    std::vector<int> v;
    try {
        (void)ex.submit(fill, std::ref(v), 3);
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("void (*)(std::vector<int") != std::string::npos, what);
        BOOST_TEST(what.find("std::ref") != std::string::npos, what);
    }
    BOOST_TEST(v.empty());
    BOOST_TEST(pool.submit(st::total, std::vector<int>{5}).get() == 5u);  // the pool is unharmed
}
