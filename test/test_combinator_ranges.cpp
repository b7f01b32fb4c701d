// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// as_completed() and wait() on temporaries (the result keeps the range alive) and on
// const ranges of shared_futures (they yield const references).
#define BOOST_TEST_MODULE asyncjobs combinator ranges
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <algorithm>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace aj = asyncjobs;

namespace {

std::vector<aj::shared_future<int>> shared_squares(aj::executor& pool, int n)
{
    std::vector<aj::shared_future<int>> out;
    for (int i = 0; i < n; ++i)
        out.push_back(pool.submit([i] { return i * i; }).share());
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(as_completed_on_a_temporary_vector_keeps_it_alive)
{
    aj::thread_pool_executor pool(2);
    std::vector<int> seen;
    for (auto& f : aj::as_completed(shared_squares(pool, 4), test::long_wait))
        seen.push_back(f.get());
    std::sort(seen.begin(), seen.end());
    BOOST_TEST(seen == (std::vector<int>{0, 1, 4, 9}));
}

BOOST_AUTO_TEST_CASE(as_completed_on_moved_futures)
{
    aj::thread_pool_executor pool(2);
    std::vector<aj::future<int>> futures;
    for (int i = 1; i <= 3; ++i)
        futures.push_back(pool.submit([i] { return i; }));
    auto completed = aj::as_completed(std::move(futures), test::long_wait);
    int sum = 0;
    for (auto& f : completed)
        sum += f.get();  // a future of the range the result owns: get() moves the value out
    BOOST_TEST(sum == 6);
}

BOOST_AUTO_TEST_CASE(as_completed_on_a_const_range_of_shared_futures)
{
    aj::thread_pool_executor pool(2);
    const auto futures = shared_squares(pool, 3);
    int sum = 0;
    for (auto& f : aj::as_completed(futures, test::long_wait)) {
        static_assert(std::is_same_v<decltype(f), const aj::shared_future<int>&>);
        sum += f.get();
    }
    BOOST_TEST(sum == 5);
}

BOOST_AUTO_TEST_CASE(wait_on_a_temporary_keeps_it_alive_in_the_result)
{
    aj::thread_pool_executor pool(2);
    auto result = aj::wait(shared_squares(pool, 3), aj::return_when::all_completed, test::long_wait);
    BOOST_REQUIRE(result.not_done.empty());
    BOOST_REQUIRE_EQUAL(result.done.size(), 3u);
    BOOST_TEST(result.done[2]->get() == 4);  // points into the range the result owns
}

BOOST_AUTO_TEST_CASE(wait_on_a_const_range_and_a_temporary_span)
{
    aj::thread_pool_executor pool(2);
    const auto futures = shared_squares(pool, 3);
    auto result = aj::wait(futures, aj::return_when::all_completed, test::long_wait);
    static_assert(std::is_same_v<decltype(result.done), std::vector<const aj::shared_future<int>*>>);
    BOOST_REQUIRE_EQUAL(result.done.size(), 3u);
    BOOST_TEST(result.done[1] == &futures[1]);
    BOOST_TEST(!result.owned_range);

    auto spanned = aj::wait(std::span(futures), aj::return_when::all_completed, test::long_wait);
    BOOST_REQUIRE_EQUAL(spanned.done.size(), 3u);
    BOOST_TEST(spanned.done[0] == &futures[0]);  // a span refers to the futures; only the span is kept
}
