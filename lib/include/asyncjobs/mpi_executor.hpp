// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_MPI_EXECUTOR_HPP
#define ASYNCJOBS_MPI_EXECUTOR_HPP

#include <asyncjobs/detail/config.hpp>
#include <asyncjobs/detail/remote_executor.hpp>
#include <asyncjobs/executor.hpp>
#include <asyncjobs/mpi.hpp>
#include <asyncjobs/process_pool_executor.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

namespace asyncjobs {

namespace detail {
class mpi_engine;
} // namespace detail

struct mpi_executor_options {
    /// Worker processes of each worker rank's local process pool; 0 means that rank's
    /// std::thread::hardware_concurrency(). A task that crashes kills only its local worker
    /// (the future fails with worker_crashed) and the rank serves on.
    std::size_t workers_per_rank = 0;
    /// Default timeout of every task (submit_with() can set one per task): the rank kills
    /// the worker and the future fails with task_timeout. Must be positive.
    std::optional<std::chrono::milliseconds> task_timeout{};
    /// How long the constructor waits for every rank to answer. Must be positive.
    std::chrono::milliseconds start_timeout{60000};
    /// The longest the progress thread of rank 0 sleeps between two looks at MPI while it
    /// waits (it sleeps 20 us while messages flowed in the last 5 ms, then doubling up to
    /// this): the latency a reply after a quiet spell may wait, against the CPU rank 0
    /// spends waiting. Must be positive.
    std::chrono::microseconds max_poll_interval{2000};
    /// A worker rank that holds calls and answers nothing for this long (stopped, its host
    /// frozen or cut off; rank 0 asks a quiet rank to answer every quarter of it) is given
    /// up: its calls fail with worker_crashed, and it gets no more calls from this executor.
    /// When no rank is left, what waits fails and submit() throws broken_executor. A rank
    /// that dies is not this case (see below). Must be positive.
    std::chrono::milliseconds rank_timeout{60000};
};

/// What one worker rank told rank 0 when the executor started.
struct mpi_rank_info {
    int rank = 0;
    std::size_t workers = 0;  ///< its local pool's max_workers
    long pid = 0;             ///< the rank's process id, on `host`
    std::string host;
};

/// The executor over Open MPI ranks: rank 0 (the one whose main goes past
/// asyncjobs::mpi::run_worker_if_requested) submits, ranks 1..N-1 run the tasks, each in a
/// local process_pool_executor. The same registered tasks (ASYNCJOBS_TASK), codec and
/// exception types as a process pool; futures, then(), as_completed(), when_all() work as
/// on any executor. max_workers() is the sum of the ranks' workers.
///
/// A call goes to a rank only when the rank has a free worker (or one call more, to hide
/// the round trip); from then on it counts as started: running() is true and cancel()
/// returns false, but cancel_and_kill() still stops it (the rank kills the local worker).
///
/// A rank that dies (a machine lost, a rank killed) ends the whole MPI job: Open MPI 4.1
/// aborts every rank, rank 0 included, and mpirun exits non-zero (README, "Running on a
/// cluster"). A task that crashes only fails its future.
///
/// One mpi_executor at a time per program (only one thread may call MPI); a second one
/// while the first lives throws std::logic_error. Construct it on rank 0 only.
class mpi_executor final : public detail::remote_executor {
public:
    mpi_executor();
    explicit mpi_executor(mpi_executor_options options);
    /// shutdown(wait = true); the ranks then wait for the next mpi_executor or the end of
    /// the program.
    ~mpi_executor() override;

    void shutdown(bool wait = true, bool cancel_futures = false) override;
    std::size_t max_workers() const noexcept override;

    /// Rank 0's view: calls submitted, queued here, running on a rank (sent), and how they
    /// ended; `workers` is max_workers(). What happens inside a rank (its workers' starts
    /// and crashes) stays there: a crash shows as a failed task.
    pool_stats stats() const override;

    /// The worker ranks, as they answered at start.
    std::vector<mpi_rank_info> ranks() const;

    // submit(), map() (a chunk goes whole to one rank), map_unordered(),
    // submit_with(task_options) and cancel_and_kill(future) come from detail::remote_executor,
    // as on a process pool. A task a rank holds counts as started: cancel_and_kill() has
    // that rank kill the local worker running it, waiting for the rank's answer.

private:
    void submit_task(const detail::state_ptr& task, const task_options& options) override;
    bool kill_task(detail::state_base* task) override;
    detail::mpi_engine* engine_;
};

} // namespace asyncjobs

#endif
