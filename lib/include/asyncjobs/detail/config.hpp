// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_CONFIG_HPP
#define ASYNCJOBS_DETAIL_CONFIG_HPP

// asyncjobs converts to boost::future and serves as a Boost.Thread executor, which
// needs the version-5 interface (.then, executors). Every translation unit of a
// program must see the same Boost.Thread version, so the CMake target exports this
// definition; the check catches a unit that included Boost.Thread with another one.
#ifndef BOOST_THREAD_VERSION
#define BOOST_THREAD_VERSION 5
#elif BOOST_THREAD_VERSION < 5
#error "asyncjobs needs BOOST_THREAD_VERSION 5: define it before any Boost.Thread header (the asyncjobs::asyncjobs CMake target does)"
#endif

#endif
