// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Large arguments are encoded once, straight into the shared region of the worker that gets
// them, instead of into the call's frame at submit and then copied into the region: at
// submit they are only measured (the sink stops storing at the region's threshold), and the
// encoding happens when the I/O thread sends the call. The arguments stay in the task's
// state, unchanged, until the task completes, so they can be encoded again for a retry.
#ifndef ASYNCJOBS_SRC_LARGE_CALL_HPP
#define ASYNCJOBS_SRC_LARGE_CALL_HPP

#include "call.hpp"

#include <cstddef>

namespace asyncjobs::detail {

/// At submit: encodes the frame of call `c` (its remote, entry and id set) into `c.frame`
/// when it is smaller than shared_region::min_frame; a larger one is only measured
/// (`c.deferred` = its frame's size, `c.frame` left empty).
void encode_call_at_submit(call& c);

/// The size of `c`'s frame, encoded or not.
inline std::size_t call_frame_size(const call& c) noexcept { return c.deferred ? c.deferred : c.frame.size(); }

/// Encodes the frame of a deferred call into the `c.deferred` bytes at `at`. False if its
/// arguments now encode to another size (a serialize() that is not deterministic).
bool encode_call_into(const call& c, std::byte* at);

/// Encodes the frame of a deferred call into `c.frame`, for the pipe; it is no longer deferred.
void encode_call_whole(call& c);

} // namespace asyncjobs::detail

#endif
