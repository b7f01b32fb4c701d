// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Exceptions across the process boundary keep their catchability: each kind a task can
// throw is caught the same way from a process pool as from a thread pool (nearest standard
// base, std::system_error codes, asyncjobs' own types, type names), and futures that fail
// together each get an exception object of their own.
// Run as: test_remote_errors -- <test_worker>.
#define BOOST_TEST_MODULE remote_errors
#include <boost/test/unit_test.hpp>

#include "error_tasks.hpp"
#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <boost/core/demangle.hpp>

#include <cerrno>
#include <exception>
#include <future>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <typeinfo>
#include <variant>
#include <vector>

using namespace std::chrono_literals;
namespace et = error_tasks;
namespace pt = process_tasks;
using asyncjobs::process_pool_executor;
using asyncjobs::remote_origin;
using asyncjobs::thread_pool_executor;
using process_test::require_ready;

namespace {


std::string worker() { return process_test::argument(1, "run as: test_remote_errors -- <test_worker>"); }

/// The exception the task of kind `which` ends in on `pool`.
template <class Pool>
std::exception_ptr failure_on(Pool& pool, int which)
{
    auto f = pool.submit(et::throw_kind, which);
    require_ready(f);
    try {
        f.get();
    } catch (...) {
        return std::current_exception();
    }
    BOOST_FAIL("kind " << which << ": no exception");
    return nullptr;
}

/// The object in `e` as an `E`, or null if a `catch (const E&)` would miss it. The object
/// lives as long as `e` does.
template <class E>
const E* as(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const E& x) {
        return &x;
    } catch (...) {
        return nullptr;
    }
}

/// The type of the object in `e` as a catch (const std::exception&) sees it.
const std::type_info& type_of(const std::exception_ptr& e)
{
    auto x = as<std::exception>(e);
    return x ? typeid(*x) : typeid(void);
}

/// The name of the type the task threw: from a thread pool the object's own type, from a
/// process pool what remote_origin kept.
std::string thrown_name(const std::exception_ptr& e)
{
    if (auto origin = as<remote_origin>(e))
        return origin->type_name();
    if (auto x = as<std::exception>(e))
        return boost::core::demangle(typeid(*x).name());
    return "(not a std::exception)";
}

std::string what_of(const std::exception_ptr& e)
{
    auto x = as<std::exception>(e);
    return x ? x->what() : "(not a std::exception)";
}

/// A thread pool and a process pool side by side: every check runs on the exception each
/// of them gives for the same task.
struct both_pools {
    thread_pool_executor threads{2};
    process_pool_executor processes{process_test::pool_options(worker(), 2)};

    template <class Check>
    void check(int which, Check check)
    {
        std::exception_ptr from_thread = failure_on(threads, which);
        std::exception_ptr from_process = failure_on(processes, which);
        BOOST_TEST_CONTEXT("kind " << which << " from the thread pool") { check(from_thread); }
        BOOST_TEST_CONTEXT("kind " << which << " from the process pool") { check(from_process); }
        BOOST_TEST_CONTEXT("kind " << which)
        {
            BOOST_TEST(thrown_name(from_process) == thrown_name(from_thread));
            BOOST_TEST(what_of(from_process) == what_of(from_thread));
        }
    }
};

/// What each of `futures` failed with: broken_executor, every one.
std::vector<std::exception_ptr> broken_failures(std::vector<asyncjobs::future<int>>& futures)
{
    std::vector<std::exception_ptr> failures;
    for (auto& f : futures) {
        require_ready(f);
        try {
            f.get();
            BOOST_FAIL("no exception");
        } catch (const asyncjobs::broken_executor&) {
            failures.push_back(std::current_exception());
        }
    }
    return failures;
}

} // namespace

BOOST_AUTO_TEST_CASE(user_types_are_caught_by_their_standard_base_with_their_name)
{
    both_pools pools;
    pools.check(et::user_logic, [](const std::exception_ptr& e) {
        BOOST_TEST(as<std::logic_error>(e) != nullptr);
        BOOST_TEST(as<std::runtime_error>(e) == nullptr);
        BOOST_TEST(thrown_name(e) == "error_tasks::config_error");
        BOOST_TEST(what_of(e) == "bad config");
    });
    pools.check(et::user_invalid, [](const std::exception_ptr& e) {
        BOOST_TEST(as<std::invalid_argument>(e) != nullptr);
        BOOST_TEST(as<std::logic_error>(e) != nullptr);
        BOOST_TEST(thrown_name(e) == "error_tasks::bad_field");
    });
    pools.check(et::user_overflow, [](const std::exception_ptr& e) {
        BOOST_TEST(as<std::overflow_error>(e) != nullptr);
        BOOST_TEST(as<std::runtime_error>(e) != nullptr);
        BOOST_TEST(thrown_name(e) == "error_tasks::counter_overflow");
    });
    pools.check(et::future_failure, [](const std::exception_ptr& e) {
        BOOST_TEST(as<std::logic_error>(e) != nullptr);  // std::future_error's base
    });
    // From a process, a type of the task's own is a remote_error_as<its base>, not a
    // remote_error (which would make it a runtime_error).
    auto e = failure_on(pools.processes, et::user_logic);
    BOOST_TEST((type_of(e) == typeid(asyncjobs::remote_error_as<std::logic_error>)));
    BOOST_TEST(as<asyncjobs::remote_error>(e) == nullptr);
    BOOST_TEST(as<remote_origin>(e)->message() == "bad config");
}

BOOST_AUTO_TEST_CASE(system_errors_keep_their_code)
{
    both_pools pools;
    pools.check(et::system_generic, [](const std::exception_ptr& e) {
        auto x = as<std::system_error>(e);
        BOOST_TEST_REQUIRE(x != nullptr);
        BOOST_TEST((type_of(e) == typeid(std::system_error)));
        BOOST_TEST((x->code() == std::error_code(ENOENT, std::generic_category())));
        BOOST_TEST((x->code() == std::errc::no_such_file_or_directory));
    });
    pools.check(et::system_system, [](const std::exception_ptr& e) {
        auto x = as<std::system_error>(e);
        BOOST_TEST_REQUIRE(x != nullptr);
        BOOST_TEST((x->code() == std::error_code(EACCES, std::system_category())));
    });
    pools.check(et::user_system, [](const std::exception_ptr& e) {
        auto x = as<std::system_error>(e);
        BOOST_TEST_REQUIRE(x != nullptr);
        BOOST_TEST((x->code() == std::error_code(EPIPE, std::generic_category())));
        BOOST_TEST(thrown_name(e) == "error_tasks::io_failure");
    });
    // A code of another category (here iostream's) cannot be rebuilt in the parent: the
    // exception stays a runtime_error with its name and message.
    pools.check(et::ios_failure, [](const std::exception_ptr& e) {
        BOOST_TEST(as<std::runtime_error>(e) != nullptr);
        BOOST_TEST(thrown_name(e).find("failure") != std::string::npos, thrown_name(e));
    });
}

BOOST_AUTO_TEST_CASE(asyncjobs_own_errors_keep_their_type)
{
    both_pools pools;
    struct expected {
        int which;
        const std::type_info& type;
    };
    for (auto [which, type] : {expected{et::timeout, typeid(asyncjobs::timeout_error)},
                               expected{et::crashed, typeid(asyncjobs::worker_crashed)},
                               expected{et::cancelled, typeid(asyncjobs::cancelled_error)},
                               expected{et::shutdown, typeid(asyncjobs::shutdown_error)},
                               expected{et::broken, typeid(asyncjobs::broken_executor)},
                               expected{et::invalid, typeid(asyncjobs::invalid_future)},
                               expected{et::task_timed_out, typeid(asyncjobs::task_timeout)},
                               expected{et::protocol, typeid(asyncjobs::protocol_error)},
                               expected{et::not_registered, typeid(asyncjobs::task_not_registered)},
                               expected{et::memory_exceeded, typeid(asyncjobs::memory_limit_exceeded)},
                               expected{et::plain_error, typeid(asyncjobs::error)}}) {
        pools.check(which, [&type = type](const std::exception_ptr& e) {
            BOOST_TEST((type_of(e) == type), boost::core::demangle(type_of(e).name()));
            BOOST_TEST(as<asyncjobs::error>(e) != nullptr);
        });
    }
    pools.check(et::crashed, [](const std::exception_ptr& e) {
        auto x = as<asyncjobs::worker_crashed>(e);
        BOOST_TEST_REQUIRE(x != nullptr);
        BOOST_TEST(x->exit_code() == 3);
        BOOST_TEST(x->signal() == 0);
        BOOST_TEST(std::string(x->what()) == "inner worker died");
    });
    pools.check(et::crashed_by_signal, [](const std::exception_ptr& e) {
        auto x = as<asyncjobs::worker_crashed>(e);
        BOOST_TEST_REQUIRE(x != nullptr);
        BOOST_TEST(x->exit_code() == -1);
        BOOST_TEST(x->signal() == 9);
    });
    pools.check(et::user_timeout, [](const std::exception_ptr& e) {
        BOOST_TEST(as<asyncjobs::timeout_error>(e) != nullptr);
        BOOST_TEST(thrown_name(e) == "error_tasks::deadline_missed");
    });
}

BOOST_AUTO_TEST_CASE(standard_types_without_a_message_keep_their_type)
{
    both_pools pools;
    // Its what() says which access failed, which a rebuilt one cannot: caught as itself all
    // the same, with that message.
    pools.check(et::bad_variant, [](const std::exception_ptr& e) {
        BOOST_TEST(as<std::bad_variant_access>(e) != nullptr);
    });
    pools.check(et::bad_optional, [](const std::exception_ptr& e) {
        BOOST_TEST((type_of(e) == typeid(std::bad_optional_access)));
    });
    pools.check(et::bad_function, [](const std::exception_ptr& e) {
        BOOST_TEST((type_of(e) == typeid(std::bad_function_call)));
    });
}

BOOST_AUTO_TEST_CASE(other_types_arrive_as_remote_error_with_their_name)
{
    process_pool_executor pool(process_test::pool_options(worker(), 1));
    auto plain = failure_on(pool, et::plain);
    auto x = as<asyncjobs::remote_error>(plain);
    BOOST_TEST_REQUIRE(x != nullptr);
    BOOST_TEST(x->type_name() == "error_tasks::plain_failure");
    BOOST_TEST(x->message() == "plain failure");

    // Not a std::exception: its type's name still comes across.
    auto odd = failure_on(pool, et::non_std);
    x = as<asyncjobs::remote_error>(odd);
    BOOST_TEST_REQUIRE(x != nullptr);
    BOOST_TEST(x->type_name() == "error_tasks::not_an_exception");
    auto number = failure_on(pool, et::an_int);
    x = as<asyncjobs::remote_error>(number);
    BOOST_TEST_REQUIRE(x != nullptr);
    BOOST_TEST(x->type_name() == "int");

    // The thread pool hands over the object itself.
    thread_pool_executor threads(1);
    BOOST_TEST(as<et::not_an_exception>(failure_on(threads, et::non_std))->value == 7);
}

BOOST_AUTO_TEST_CASE(futures_of_a_broken_pool_each_get_their_own_exception)
{
    auto o = process_test::pool_options(worker(), 1);
    o.initializer(pt::throwing_initializer);
    process_pool_executor pool(o);
    std::vector<asyncjobs::future<int>> futures;
    // Queued before the pool breaks (its workers need several failed starts for that).
    for (int i = 0; i < 4; ++i) {
        try {
            futures.push_back(pool.submit(pt::add, i, 1));
        } catch (const asyncjobs::broken_executor&) {
        }
    }
    BOOST_TEST_REQUIRE(futures.size() >= 2, "the pool broke before two tasks were queued");
    std::vector<std::exception_ptr> failures = broken_failures(futures);
    try {
        (void)pool.submit(pt::add, 1, 2);
        BOOST_FAIL("a broken pool accepted work");
    } catch (const asyncjobs::broken_executor&) {
        failures.push_back(std::current_exception());
    }
    for (std::size_t i = 0; i < failures.size(); ++i) {
        BOOST_TEST(what_of(failures[i]) == what_of(failures[0]));
        for (std::size_t j = 0; j < i; ++j)
            BOOST_TEST(!(failures[i] == failures[j]), "failures " << j << " and " << i << " share one object");
    }
}

BOOST_AUTO_TEST_CASE(elements_of_a_failed_map_chunk_each_get_their_own_exception)
{
    process_pool_executor pool(process_test::pool_options(worker(), 1));
    std::vector<int> inputs(12);
    std::iota(inputs.begin(), inputs.end(), 0);
    auto results = pool.map(pt::abort_on_5, inputs, {.chunksize = 4});
    std::vector<std::exception_ptr> failures;
    std::size_t read = 0;
    for (auto it = results.begin(); it != results.end(); ++it, ++read) {
        try {
            (void)*it;
        } catch (const asyncjobs::worker_crashed&) {
            failures.push_back(std::current_exception());
        }
    }
    BOOST_TEST(read == inputs.size());
    BOOST_TEST_REQUIRE(failures.size() == 4u);
    for (std::size_t i = 0; i < failures.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            BOOST_TEST(!(failures[i] == failures[j]), "elements " << j << " and " << i << " share one object");
}

BOOST_AUTO_TEST_CASE(futures_of_a_broken_thread_pool_each_get_their_own_exception)
{
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    asyncjobs::thread_pool_options o;
    o.max_workers = 1;
    // The tasks queue while the initializer waits; then it throws and breaks the pool.
    o.initializer = [released] {
        (void)released.wait_for(60s);
        throw std::runtime_error("initializer refuses");
    };
    thread_pool_executor pool(o);
    std::vector<asyncjobs::future<int>> futures;
    for (int i = 0; i < 3; ++i)
        futures.push_back(pool.submit(pt::add, i, 1));
    release.set_value();
    std::vector<std::exception_ptr> failures = broken_failures(futures);
    for (std::size_t i = 0; i < failures.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            BOOST_TEST(!(failures[i] == failures[j]), "failures " << j << " and " << i << " share one object");
}
