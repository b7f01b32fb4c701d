// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_ASYNCJOBS_HPP
#define ASYNCJOBS_ASYNCJOBS_HPP

/// asyncjobs: Python's concurrent.futures for C++ on Boost. Submit work to an executor,
/// get a future, chain .then, collect with as_completed / wait / when_all / map.

#include <asyncjobs/as_completed.hpp>
#include <asyncjobs/completion_queue.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/executor.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/map.hpp>
#include <asyncjobs/map_options.hpp>
#include <asyncjobs/map_unordered.hpp>
#include <asyncjobs/pool_stats.hpp>
#include <asyncjobs/process_pool_executor.hpp>
#include <asyncjobs/promise.hpp>
#include <asyncjobs/serializable.hpp>
#include <asyncjobs/shared_buffer.hpp>
#include <asyncjobs/task.hpp>
#include <asyncjobs/task_options.hpp>
#include <asyncjobs/thread_pool_executor.hpp>
#include <asyncjobs/timeout.hpp>
#include <asyncjobs/wait.hpp>
#include <asyncjobs/when_all.hpp>
#include <asyncjobs/when_any.hpp>
#include <asyncjobs/worker.hpp>

#endif
