// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_CONFIG_HPP
#define ASYNCJOBS_DETAIL_CONFIG_HPP

// asyncjobs leaves BOOST_THREAD_VERSION to the program: its headers include no Boost.Thread
// header, and <asyncjobs/boost_thread.hpp> (the bridges to boost::future) accepts 4 or 5.
// The library itself is built with version 5 (lib/CMakeLists.txt), which no public
// declaration depends on.

#include <asyncjobs/version.hpp>

#endif
