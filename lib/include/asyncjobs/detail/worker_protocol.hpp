// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_WORKER_PROTOCOL_HPP
#define ASYNCJOBS_DETAIL_WORKER_PROTOCOL_HPP

// How a parent starts a worker and what they say first. A worker is this program (or a
// named worker executable) started as `<exe> --asyncjobs-worker <parent pid> <max payload>`
// with the call pipe on fd 3, the reply pipe on fd 4, the shared regions for large frames on
// fds 5 and 6 and the claim board on fd 7; its stdout and stderr are the
// parent's, so what a task prints can never land inside a frame.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace asyncjobs::detail {

inline constexpr const char* worker_flag = "--asyncjobs-worker";
inline constexpr int worker_call_fd = 3;
inline constexpr int worker_reply_fd = 4;
/// The shared regions for large frames (shared_region.hpp): calls on fd 5, replies on fd 6.
/// A worker started without them (no memfd on the system) sends everything through the pipes.
inline constexpr int worker_call_region_fd = 5;
inline constexpr int worker_reply_region_fd = 6;
/// The claim board (src/common/claim_board.hpp) on which the worker claims each call before it
/// runs it, so that a cancel() in the parent can stop a call sent ahead. Present only
/// with the shared regions.
inline constexpr int worker_claim_board_fd = 7;
inline constexpr std::size_t default_max_payload = std::size_t{1} << 30;

/// Worker exit codes the parent tells apart from a task's own exit().
inline constexpr int worker_exit_protocol_error = 70;
inline constexpr int worker_exit_initializer_failed = 71;
inline constexpr int worker_exit_bad_start = 72;
/// A process started as a worker tried to start a process pool: its main lacks the
/// run_worker_if_requested line, so it ran the application instead of the worker loop.
inline constexpr int worker_exit_missing_worker_line = 73;

/// Set in every worker's environment at spawn: a process that has it and builds a process
/// pool is a worker whose main never reached the worker loop (it would otherwise start
/// workers of its own, without end). Its value is the descriptor through which the worker
/// was executed (the parent's running image), or -1; the worker loop closes that
/// descriptor and removes the variable, so that programs and pools a task starts are free.
inline constexpr const char* worker_marker_variable = "ASYNCJOBS_WORKER";
/// Where a worker started from the parent's running image finds that image (then closed).
inline constexpr int worker_executable_fd = 8;
/// The parent's shared arena (shared_buffer's memory, src/common/shared_arena.hpp), when it
/// has one: the worker maps from it the ranges of the buffers it is handed.
inline constexpr int worker_arena_fd = 9;

/// The payload of the hello frame a worker sends first.
struct worker_hello {
    std::uint8_t protocol = 0;
    std::uint64_t registry_fingerprint = 0;
    std::int64_t pid = 0;
    std::vector<std::string> duplicate_tasks;
    /// The worker mapped both shared regions: the parent may send large calls through them.
    bool shared_regions = false;
    /// The worker mapped the claim board: it claims each call before running it and skips
    /// (a `skipped` frame) those the parent cancelled.
    bool claim_board = false;
};

void encode_hello(std::string& out, const worker_hello& hello);
worker_hello decode_hello(const std::byte* data, std::size_t size);

/// Runs the worker loop on the given descriptors until goodbye or end of input.
int run_worker_loop(int call_fd, int reply_fd, long parent_pid, std::size_t max_payload);

} // namespace asyncjobs::detail

#endif
