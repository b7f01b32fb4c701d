// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks that leave processes behind: what the orphan, fork and pipe-holder tests kill.
#ifndef ASYNCJOBS_TEST_PROCESS_ORPHAN_TASKS_HPP
#define ASYNCJOBS_TEST_PROCESS_ORPHAN_TASKS_HPP

namespace orphan_tasks {

/// Starts `sleep 1000` (posix_spawn: it shares the worker's stdout and stderr, not its
/// pipes) and returns its pid.
long spawn_sleeper(int);

/// Forks without exec: the child holds every descriptor of the worker, its pipes included.
/// With `new_session` the child leaves the worker's process group (setsid), out of reach of
/// a kill of the group. The child lives while the process `watched` does (at most two
/// minutes), with stdio on /dev/null, so that it cannot outlive the test that made it.
/// The task sleeps `then_sleep_ms`, then returns the child's pid.
long fork_holder(bool new_session, long watched, int then_sleep_ms);

} // namespace orphan_tasks

#endif
