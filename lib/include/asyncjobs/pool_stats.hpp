// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_POOL_STATS_HPP
#define ASYNCJOBS_POOL_STATS_HPP

#include <cstddef>
#include <cstdint>
#include <vector>

namespace asyncjobs {

/// One worker process of a process pool, as stats() saw it.
struct worker_stats {
    /// The worker's process id.
    int pid = 0;
    /// Resident memory (VmRSS) in bytes when stats() read it; 0 when it could not be read.
    std::uint64_t resident_bytes = 0;
    /// Tasks this worker has finished (returned or thrown).
    std::uint64_t tasks_completed = 0;
    /// Whether a task is running on it now.
    bool busy = false;
};

/// A snapshot of a pool's counters, returned by stats(). The counters count since the pool
/// was constructed and only grow; `running`, `queued`, `workers` and `per_worker` are gauges
/// of the moment. The fields are read one by one without stopping the pool, so under load
/// they may disagree by a task in flight (submitted = running + queued + finished may be off
/// by the tasks that moved while stats() read them).
struct pool_stats {
    // Tasks.
    std::uint64_t submitted = 0;  ///< accepted by submit(), map() chunks included
    std::size_t running = 0;      ///< on a worker now
    std::size_t queued = 0;       ///< accepted, not yet on a worker
    std::uint64_t completed = 0;  ///< returned a value
    std::uint64_t failed = 0;     ///< ended with an exception (their own, a crash, a timeout)
    std::uint64_t cancelled = 0;  ///< cancelled before they ran, or killed by cancel_and_kill
    std::uint64_t retried = 0;    ///< runs again after their worker died (task_options::retries)

    // Workers (threads of a thread pool, processes of a process pool).
    std::size_t workers = 0;               ///< alive now
    std::uint64_t worker_starts = 0;       ///< started, the first ones included
    std::uint64_t worker_crashes = 0;      ///< died on their own (a signal, an exit) while the pool ran
    std::uint64_t worker_kills = 0;        ///< killed by the pool (timeout, cancel_and_kill, memory, terminate, a protocol error)
    std::uint64_t worker_retirements = 0;  ///< ended by policy (max_tasks_per_child, memory, idle)

    /// Process pools: one entry per live worker. Empty for a thread pool.
    std::vector<worker_stats> per_worker;
};

} // namespace asyncjobs

#endif
