// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Worker side: when the parent dies (SIGKILL, or Ctrl-C to its foreground process group,
// which does not reach the workers: they sit in process groups of their own), the worker
// and every process its task started die with it. A survivor could hold the user's
// terminal or pipe open (`prog | tee` would never end).
#ifndef ASYNCJOBS_SRC_PARENT_WATCH_HPP
#define ASYNCJOBS_SRC_PARENT_WATCH_HPP

namespace asyncjobs::detail {

/// Arranges that this worker's process group (itself, when it leads none) is SIGKILLed
/// once `parent_pid` dies: the kernel's parent-death signal, caught and turned into a
/// kill of the group, and a thread waiting on a pidfd of the parent in case a task
/// changed that signal's handler. False if the parent is already gone.
bool die_with_parent(long parent_pid);

} // namespace asyncjobs::detail

#endif
