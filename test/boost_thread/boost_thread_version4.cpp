// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// A program on Boost.Thread version 4 uses the boost::future bridge: built with -Werror and
// run, the converted futures carry the value and the task's exception with its type.
#define BOOST_THREAD_VERSION 4
#include <asyncjobs/asyncjobs.hpp>
#include <asyncjobs/boost_thread.hpp>

#include <cstdio>
#include <stdexcept>

int main()
{
    asyncjobs::thread_pool_executor pool(2);
    int failures = 0;

    boost::future<int> value = pool.submit([] { return 42; });
    if (value.get() != 42) {
        std::puts("boost::future<int> from asyncjobs::future<int>: wrong value");
        ++failures;
    }

    boost::future<int> error = pool.submit([]() -> int { throw std::domain_error("dom"); });
    try {
        error.get();
        std::puts("boost::future<int>: the task's exception was lost");
        ++failures;
    } catch (const std::domain_error&) {
    }

    asyncjobs::shared_future<int> shared = pool.submit([] { return 7; }).share();
    boost::shared_future<int> copy = shared;
    if (copy.get() != 7 || shared.get() != 7) {
        std::puts("boost::shared_future<int> from asyncjobs::shared_future<int>: wrong value");
        ++failures;
    }

    std::printf("boost_thread_version4: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
