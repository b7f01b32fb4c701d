// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// then() with a continuation that takes the value instead of the future (folly's
// thenValue): called only with a value, skipped by an exception, which propagates. A
// callable that can take the future (a generic lambda) keeps getting the future.
#define BOOST_TEST_MODULE asyncjobs value continuations
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace aj = asyncjobs;
using test::ready;

BOOST_AUTO_TEST_CASE(a_continuation_taking_the_value_gets_it)
{
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([] { return 21; }).then([](int v) { return v * 2; });
    BOOST_REQUIRE(ready(f));
    BOOST_TEST(f.get() == 42);
}

BOOST_AUTO_TEST_CASE(an_exception_skips_a_value_continuation_and_propagates)
{
    aj::thread_pool_executor pool(2);
    std::atomic<bool> called{false};
    auto f = pool.submit([]() -> int { throw std::out_of_range("no value"); }).then([&](int v) {
        called = true;
        return v;
    });
    BOOST_REQUIRE(ready(f));
    BOOST_CHECK_THROW(f.get(), std::out_of_range);
    BOOST_TEST(!called.load());
}

BOOST_AUTO_TEST_CASE(a_cancelled_parent_skips_a_value_continuation)
{
    aj::thread_pool_executor pool(1);
    test::blocker block(pool);
    BOOST_REQUIRE(block.started());
    std::atomic<bool> called{false};
    auto parent = pool.submit([] { return 1; });
    BOOST_REQUIRE(parent.cancel());
    auto f = std::move(parent).then([&](int v) {
        called = true;
        return v;
    });
    block.release();
    BOOST_REQUIRE(ready(f));
    BOOST_CHECK_THROW(f.get(), aj::cancelled_error);
    BOOST_TEST(!called.load());
}

BOOST_AUTO_TEST_CASE(generic_lambdas_keep_receiving_the_future)
{
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([] { return 5; }).then([](auto fut) {
        static_assert(std::is_same_v<decltype(fut), aj::future<int>>);
        return fut.get() + 1;
    });
    BOOST_TEST(f.get() == 6);
    auto g = pool.submit([] { return 5; }).then([](auto&& fut) {
        static_assert(std::is_same_v<std::remove_cvref_t<decltype(fut)>, aj::future<int>>);
        return fut.get() + 2;
    });
    BOOST_TEST(g.get() == 7);
}

BOOST_AUTO_TEST_CASE(a_void_future_takes_a_continuation_without_arguments)
{
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([] {}).then([] { return std::string("after void"); });
    BOOST_TEST(f.get() == "after void");
    std::atomic<bool> called{false};
    auto g = pool.submit([] { throw std::runtime_error("void failed"); }).then([&] { called = true; });
    BOOST_REQUIRE(ready(g));
    BOOST_CHECK_THROW(g.get(), std::runtime_error);
    BOOST_TEST(!called.load());
}

BOOST_AUTO_TEST_CASE(a_move_only_value_is_moved_into_the_continuation)
{
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([] { return std::make_unique<int>(9); }).then([](std::unique_ptr<int> p) { return *p * 2; });
    BOOST_TEST(f.get() == 18);
}

BOOST_AUTO_TEST_CASE(a_shared_future_gives_a_const_reference_and_stays_readable)
{
    aj::thread_pool_executor pool(2);
    auto shared = pool.submit([] { return std::string("shared"); }).share();
    auto f = shared.then([](const std::string& s) { return s.size(); });
    BOOST_TEST(f.get() == 6u);
    BOOST_TEST(shared.get() == "shared");
}

BOOST_AUTO_TEST_CASE(a_value_continuation_returning_a_future_is_unwrapped)
{
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([] { return 4; }).then([&pool](int v) { return pool.submit([v] { return v * 10; }); });
    static_assert(std::is_same_v<decltype(f), aj::future<int>>);
    BOOST_TEST(f.get() == 40);
}

BOOST_AUTO_TEST_CASE(a_value_continuation_on_another_executor)
{
    aj::thread_pool_executor pool(1);
    aj::thread_pool_executor other(1);
    auto f = pool.submit([] { return 3; }).then(other, [&other](int v) { return other.running_in_this_thread() ? v : -1; });
    BOOST_TEST(f.get() == 3);
}
