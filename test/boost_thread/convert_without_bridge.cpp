// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Must NOT compile (asyncjobs.boost_thread.conversion_needs_bridge): converting to
// boost::future without <asyncjobs/boost_thread.hpp> is a static_assert that names the header.
#define BOOST_THREAD_VERSION 5
#include <asyncjobs/asyncjobs.hpp>

#include <boost/thread/future.hpp>

int main()
{
    asyncjobs::thread_pool_executor pool(1);
    boost::future<int> b = pool.submit([] { return 1; });
    return b.get();
}
