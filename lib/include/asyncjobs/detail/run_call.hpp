// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_RUN_CALL_HPP
#define ASYNCJOBS_DETAIL_RUN_CALL_HPP

// How a worker runs one call: the worker loop's step, declared here so that a test worker
// that breaks the protocol on purpose (test/process/hostile_worker.cpp) answers every other
// call exactly as a real worker does, instead of with a copy that drifts.

#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/reply_buffer.hpp>

#include <cstddef>

namespace asyncjobs::detail {

/// Runs the call, map_call or initialize frame `frame` (its payload: task name, then the
/// arguments) with the registered task it names, and appends to `out` a result frame, or a
/// failure frame carrying what it threw (an unknown task, a malformed payload, the task's
/// own exception, or a std::length_error naming process_pool_options::max_payload when the
/// result's encoding is larger than `max_payload`, the most the parent accepts in a frame).
/// Returns whether the task succeeded.
bool run_call(const decode_result& frame, reply_buffer& out, std::size_t max_payload);

} // namespace asyncjobs::detail

#endif
