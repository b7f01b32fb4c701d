// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The shared arena behind shared_buffer (HACKING, "The shared arena"): one memfd per parent
// process at a time, made with its first buffer or worker and closed with the last (each
// holds a reference), inherited by every worker on worker_arena_fd. Only the parent
// allocates and frees; a worker maps the ranges it is handed and unmaps them when its last
// shared_buffer of them goes.
#ifndef ASYNCJOBS_SRC_SHARED_ARENA_HPP
#define ASYNCJOBS_SRC_SHARED_ARENA_HPP

#include <cstddef>
#include <memory>

namespace asyncjobs::detail {

/// The arena to hand to a worker at spawn (made if there is none): keep the returned
/// reference while the worker lives, and give it `fd`. `fd` is -1 when this process has
/// none (no memfd, ASYNCJOBS_SHARED_ARENA=off, or a fork() child of the process that
/// used it first).
std::shared_ptr<void> arena_for_workers(int& fd);

/// In a worker, first thing: takes the parent's arena from worker_arena_fd if it is there
/// (close-on-exec from now on, so what a task starts does not inherit it).
void adopt_parent_arena() noexcept;

/// Bytes of this process's arena in live blocks (tests and stats).
std::size_t arena_bytes_in_use() noexcept;

} // namespace asyncjobs::detail

#endif
