// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// What submit() and map() accept, as std::thread does: arguments are copied into the task,
// std::ref / std::cref pass the caller's object itself, and map_options out of range are
// std::invalid_argument naming the field. What does not compile is in test/compile_fail.
#define BOOST_TEST_MODULE asyncjobs submit arguments
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aj = asyncjobs;
using test::ready;

namespace {

void fill(std::vector<int>& v, int n)
{
    for (int i = 0; i < n; ++i)
        v.push_back(i);
}

const std::vector<int>* address_of(const std::vector<int>& v) { return &v; }

int twice(int x) { return 2 * x; }

} // namespace

BOOST_AUTO_TEST_SUITE(references)

BOOST_AUTO_TEST_CASE(std_ref_gives_a_plain_function_the_callers_object)
{
    aj::thread_pool_executor pool(2);
    std::vector<int> v;
    auto f = pool.submit(fill, std::ref(v), 3);
    BOOST_REQUIRE(ready(f));
    f.get();
    BOOST_TEST(v == (std::vector<int>{0, 1, 2}));
}

BOOST_AUTO_TEST_CASE(std_ref_through_executor_reference)
{
    aj::thread_pool_executor pool(2);
    aj::executor& ex = pool;
    std::vector<int> v{7};
    auto f = ex.submit(fill, std::ref(v), 2);
    BOOST_REQUIRE(ready(f));
    f.get();
    BOOST_TEST(v == (std::vector<int>{7, 0, 1}));
}

BOOST_AUTO_TEST_CASE(std_cref_passes_the_object_and_a_plain_argument_a_copy)
{
    aj::thread_pool_executor pool(2);
    const std::vector<int> v{1, 2, 3};
    BOOST_TEST(pool.submit(address_of, std::cref(v)).get() == &v);
    BOOST_TEST(pool.submit(address_of, v).get() != &v);  // const reference: the task's own copy
}

BOOST_AUTO_TEST_CASE(std_ref_to_a_by_value_parameter_reads_the_object_when_the_task_runs)
{
    aj::thread_pool_executor pool(1);
    test::blocker block(pool);
    BOOST_REQUIRE(block.started());
    int x = 1;
    auto f = pool.submit(twice, std::ref(x));
    x = 21;  // the pool's only thread is blocked: the task has not run yet
    block.release();
    BOOST_TEST(f.get() == 42);
}

BOOST_AUTO_TEST_CASE(std_ref_with_a_lambda_and_a_stop_token)
{
    aj::thread_pool_executor pool(2);
    std::vector<int> v;
    auto f = pool.submit([](std::vector<int>& out, int n) { out.assign(static_cast<std::size_t>(n), 5); }, std::ref(v), 2);
    BOOST_REQUIRE(ready(f));
    f.get();
    BOOST_TEST(v == (std::vector<int>{5, 5}));
    std::string seen;
    auto g = pool.submit([](std::stop_token, std::string& out) { out = "stoppable"; }, std::ref(seen));
    BOOST_REQUIRE(ready(g));
    g.get();
    BOOST_TEST(seen == "stoppable");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(map_options_validation)

namespace {

/// The std::invalid_argument map() throws for `options`, or "" when it throws nothing.
std::string map_error(aj::map_options options)
{
    aj::thread_pool_executor pool(2);
    std::vector<int> inputs{1, 2, 3};
    try {
        auto results = pool.map(twice, inputs, options);
        (void)results.to_vector();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

} // namespace

BOOST_AUTO_TEST_CASE(a_negative_chunksize_names_the_field)
{
    aj::map_options o;
    o.chunksize = static_cast<std::size_t>(-1);
    auto what = map_error(o);
    BOOST_TEST(what.find("map_options::chunksize") != std::string::npos, what);
    BOOST_TEST(what.find("negative") != std::string::npos, what);
}

BOOST_AUTO_TEST_CASE(a_chunksize_above_the_limit_names_the_field)
{
    aj::map_options o;
    o.chunksize = aj::map_max_chunksize + 1;
    auto what = map_error(o);
    BOOST_TEST(what.find("map_options::chunksize") != std::string::npos, what);
}

BOOST_AUTO_TEST_CASE(a_negative_or_huge_window_names_the_field)
{
    aj::map_options o;
    o.window = static_cast<std::size_t>(-1);
    auto what = map_error(o);
    BOOST_TEST(what.find("map_options::window") != std::string::npos, what);
    o.window = aj::map_max_window + 1;
    what = map_error(o);
    BOOST_TEST(what.find("map_options::window") != std::string::npos, what);
}

BOOST_AUTO_TEST_CASE(the_limits_themselves_are_accepted)
{
    aj::thread_pool_executor pool(2);
    std::vector<int> inputs{1, 2, 3};
    aj::map_options o;
    o.chunksize = aj::map_max_chunksize;
    o.window = aj::map_max_window;
    BOOST_TEST(pool.map(twice, inputs, o).to_vector() == (std::vector<int>{2, 4, 6}));
    o.chunksize = 1;
    o.window = 1;
    BOOST_TEST(pool.map(twice, inputs, o).to_vector() == (std::vector<int>{2, 4, 6}));
}

BOOST_AUTO_TEST_SUITE_END()
