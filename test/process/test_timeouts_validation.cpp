// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Task timeouts on a process pool: a huge one (milliseconds::max(), 400 years) means "no
// timeout" instead of overflowing into one that fires at once; zero and negative ones are
// rejected with std::invalid_argument where they are given.
// Run as: test_timeouts_validation -- <test_worker>.
#define BOOST_TEST_MODULE timeouts_validation
#include <boost/test/unit_test.hpp>

#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using asyncjobs::process_pool_executor;
using asyncjobs::process_pool_options;
using asyncjobs::task_options;
using process_test::require_ready;

namespace {

process_pool_options options(std::optional<std::chrono::milliseconds> task_timeout = std::nullopt)
{
    auto o =
        process_test::pool_options(process_test::argument(1, "run as: test_timeouts_validation -- <test_worker>"), 1);
    o.task_timeout = task_timeout;
    return o;
}

const std::chrono::milliseconds huge_timeouts[] = {
    std::chrono::milliseconds::max(),
    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::hours(24 * 365 * 400)),
};

const std::chrono::milliseconds nonsense_timeouts[] = {0ms, -1ms, std::chrono::milliseconds::min()};

} // namespace

BOOST_AUTO_TEST_CASE(a_huge_default_timeout_lets_a_task_finish)
{
    for (auto timeout : huge_timeouts) {
        process_pool_executor pool(options(timeout));
        // Long enough that a timer which fired at once would kill it first.
        auto f = pool.submit(process_tasks::sleep_ms, 200);
        require_ready(f);
        BOOST_TEST(f.get() == 200);
    }
}

BOOST_AUTO_TEST_CASE(a_huge_per_task_timeout_lets_a_task_finish)
{
    process_pool_executor pool(options());
    for (auto timeout : huge_timeouts) {
        auto f = pool.submit_with(task_options{timeout}, process_tasks::sleep_ms, 200);
        require_ready(f);
        BOOST_TEST(f.get() == 200);
    }
}

BOOST_AUTO_TEST_CASE(a_zero_or_negative_default_timeout_is_rejected_at_construction)
{
    for (auto timeout : nonsense_timeouts) {
        try {
            process_pool_executor pool(options(timeout));
            BOOST_ERROR("a task_timeout of " << timeout.count() << " ms was accepted");
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()).find("task_timeout") != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_zero_or_negative_per_task_timeout_is_rejected_at_submit)
{
    process_pool_executor pool(options());
    for (auto timeout : nonsense_timeouts) {
        try {
            auto f = pool.submit_with(task_options{timeout}, process_tasks::add, 1, 2);
            BOOST_ERROR("a task timeout of " << timeout.count() << " ms was accepted");
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()).find("timeout") != std::string::npos);
        }
    }
    // The pool is unharmed: a task with a sane timeout still runs.
    auto f = pool.submit_with(task_options{60s}, process_tasks::add, 1, 2);
    require_ready(f);
    BOOST_TEST(f.get() == 3);
}
