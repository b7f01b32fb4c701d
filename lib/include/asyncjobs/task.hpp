// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_TASK_HPP
#define ASYNCJOBS_TASK_HPP

#include <asyncjobs/detail/task_registry.hpp>

/// Registers the free function `fn` under the stable name "fn" (as written), so that a
/// process pool's workers can run it: `ASYNCJOBS_TASK(fn)` at namespace scope, in the
/// file that defines `fn` or any other file of the program. Its argument and result
/// types must be serializable with Boost.Serialization; submit(fn, args...) then
/// compiles and behaves the same on a thread pool and a process pool.
#define ASYNCJOBS_TASK(fn) ASYNCJOBS_TASK_NAMED(fn, #fn)

/// ASYNCJOBS_TASK with an explicit name, for functions whose spelling differs between
/// translation units (a qualified name in one, an unqualified one in another).
#define ASYNCJOBS_TASK_NAMED(fn, name)                                                                       \
    [[maybe_unused]] static const ::asyncjobs::detail::task_registration<&fn> ASYNCJOBS_TASK_CONCAT( \
        asyncjobs_task_registration_, __COUNTER__)                                                         \
    {                                                                                                      \
        name                                                                                               \
    }

#define ASYNCJOBS_TASK_CONCAT_IMPL(a, b) a##b
#define ASYNCJOBS_TASK_CONCAT(a, b) ASYNCJOBS_TASK_CONCAT_IMPL(a, b)

#endif
