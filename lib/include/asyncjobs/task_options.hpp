// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_TASK_OPTIONS_HPP
#define ASYNCJOBS_TASK_OPTIONS_HPP

#include <chrono>
#include <optional>

namespace asyncjobs {

/// The largest task_options::retries (and process_pool_options::retries): more is a mistake
/// (typically -1 converted to unsigned), not a policy.
inline constexpr unsigned task_max_retries = 1000;

/// Options of one task sent to another process: submit_with() of process_pool_executor and
/// of mpi_executor.
struct task_options {
    /// Kill the worker and fail the future with task_timeout if the task runs longer.
    /// Must be positive (submit_with throws std::invalid_argument otherwise); a huge one
    /// such as milliseconds::max() means no timeout.
    std::optional<std::chrono::milliseconds> timeout{};
    /// How many times the task runs again, on another worker, when its worker dies under it
    /// (a crash, a kill from outside, the out-of-memory killer); unset:
    /// process_pool_options::retries. A task's own exception is never retried, a timeout
    /// only with retry_on_timeout, a cancel_and_kill never. After the last try the future
    /// fails with worker_crashed, whose attempts() lists every try (pid, signal or exit
    /// code). A retried task may have run (part way) more than once: retry idempotent work.
    /// At most task_max_retries (submit_with throws std::invalid_argument otherwise). On an
    /// mpi_executor the rank's local pool retries on its own workers.
    std::optional<unsigned> retries{};
    /// Whether a task that ran past its timeout is retried too (unset: the pool's).
    std::optional<bool> retry_on_timeout{};
    /// The wait before the first retry, doubling with each (at most a minute, or this if
    /// longer); unset: the pool's. Zero: at once, ahead of queued work. Not negative.
    std::optional<std::chrono::milliseconds> retry_backoff{};
};

} // namespace asyncjobs

#endif
