// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Executors and fork(). A child made by fork() holds a copy of every pool of its parent,
// but none of its threads: their mutexes may be copied locked, their std::threads name
// threads that do not exist there, and a process pool's io_context shares its epoll
// instance with the parent's (destroying the copy removes the parent's registrations and
// wedges the parent's pool). So in a child the copy is inert: submit() throws
// forked_executor, shutdown() does nothing, and the destructor keeps the engine alive
// forever instead of running it down (its memory is the child's own copy).
#ifndef ASYNCJOBS_SRC_FORK_GUARD_HPP
#define ASYNCJOBS_SRC_FORK_GUARD_HPP

#include <asyncjobs/detail/scheduler.hpp>

namespace asyncjobs::detail {

/// Remembers which process made an executor. A fork() handler (pthread_atfork) counts the
/// forks each process has been through, so the check is one atomic load: cheaper than
/// getpid(), which glibc no longer caches.
class fork_guard {
public:
    fork_guard() noexcept;

    /// True in a child process made by fork() after this guard was made.
    bool forked() const noexcept;

    /// Throws forked_executor in such a child.
    void throw_if_forked() const;

private:
    unsigned generation_;
};

/// In a forked child: keeps `engine` from ever being destroyed (see above), reachable from
/// a global so that leak checkers stay quiet.
void keep_forever(const scheduler_ptr& engine) noexcept;

} // namespace asyncjobs::detail

#endif
