// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Built with -Werror: the umbrella header neither includes Boost.Thread nor defines its
// version, so a program that uses Boost.Thread version 4 (or 2, Boost's default) compiles
// cleanly, whichever it includes first.
#include <asyncjobs/asyncjobs.hpp>

#ifdef BOOST_THREAD_VERSION
#error "<asyncjobs/asyncjobs.hpp> (or the asyncjobs::asyncjobs target) defines BOOST_THREAD_VERSION"
#endif
#ifdef BOOST_THREAD_FUTURE_HPP
#error "<asyncjobs/asyncjobs.hpp> includes <boost/thread/future.hpp>, which costs seconds per translation unit"
#endif
#ifdef BOOST_THREAD_EXECUTORS_WORK_HPP
#error "<asyncjobs/asyncjobs.hpp> includes Boost.Thread's executor headers"
#endif

#define BOOST_THREAD_VERSION 4
#include <boost/thread/future.hpp>

int umbrella_leaves_boost_thread_alone()
{
    boost::promise<int> p;
    boost::future<int> f = p.get_future();
    p.set_value(1);
    return f.get();
}
