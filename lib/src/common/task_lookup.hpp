// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Finding a function in the task registry, and naming it in errors when it is not there
// (defined in task_registry.cpp).
#ifndef ASYNCJOBS_SRC_TASK_LOOKUP_HPP
#define ASYNCJOBS_SRC_TASK_LOOKUP_HPP

#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/detail/task_entry.hpp>
#include <asyncjobs/task_options.hpp>

#include <cstdint>
#include <string>
#include <typeinfo>

namespace asyncjobs::detail {

/// A function as errors name it: its task name, else its symbol, else its type and address.
std::string describe_function(std::uintptr_t function, const std::type_info& type);

/// The registry entry of `function`; task_not_registered naming it and saying how to
/// register it when there is none. (Declared in process_pool_executor.hpp too, for its
/// initializer.)
const task_entry& registered_entry(std::uintptr_t function, const std::type_info& type, const char* what);

/// A task that can go to another process, and its registry entry.
struct sendable_call {
    remote_call* remote;
    const task_entry& entry;
};

/// What every executor that sends tasks to other processes checks at submit (`executor`
/// names it in the messages): task_not_registered for a lambda, a function object or a
/// task taking a std::stop_token, or a function not registered; std::invalid_argument for
/// task_options out of range (a timeout not positive, retries above task_max_retries, a
/// negative retry_backoff) or std::ref / std::cref arguments.
sendable_call sendable_call_of(state_base& task, const task_options& options, const char* executor);

} // namespace asyncjobs::detail

#endif
