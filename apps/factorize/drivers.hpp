// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The four ways the app drives an executor (the study's two and two more), plus the serial
// baseline. Every driver returns one result per input number, in input order; a number
// whose task failed (worker crash, timeout) carries an error and the others are unaffected.
#ifndef FACTORIZE_DRIVERS_HPP
#define FACTORIZE_DRIVERS_HPP

#include "factorize_core.hpp"

#include <asyncjobs/executor.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace factorize {

/// mpi: asyncjobs::mpi_executor, rank 0 of `mpirun -n N factorize --executor mpi` (mpi_run.hpp).
enum class executor_kind { serial, threads, processes, mpi };

/// Whether the executor runs registered tasks in other processes (processes, mpi): the
/// drivers then send the numbers as arguments, never a lambda reading them in place.
constexpr bool runs_elsewhere(executor_kind kind) noexcept
{
    return kind == executor_kind::processes || kind == executor_kind::mpi;
}
enum class mode {
    map,           ///< executor.map over the numbers (the study's second driver)
    chunked,       ///< one equal chunk per worker, merged with as_completed (the study's first)
    as_completed,  ///< one task per number, consumed in completion order
    then,          ///< one task per number; factor, then verify, then aggregate, all continuations
};

std::optional<executor_kind> parse_executor(std::string_view name) noexcept;
std::optional<mode> parse_mode(std::string_view name) noexcept;
const char* to_string(executor_kind e) noexcept;
const char* to_string(mode m) noexcept;

/// The outcome for one number: its prime factors, or what went wrong.
struct number_result {
    std::vector<u64> factors;
    std::string error;  ///< empty when the factors are there
    bool ok() const noexcept { return error.empty(); }
};

struct run_options {
    algorithm algo = algorithm::trial;
    mode driver = mode::map;
    /// map: numbers per task, 0 = the library's automatic choice. chunked: numbers per
    /// chunk, 0 = one equal chunk per worker (the study). Ignored by as-completed and then.
    std::size_t chunksize = 0;
    /// Check every result (ascending primes whose product is n); a failed check is an error.
    bool verify = false;
    /// Make the task of this number abort() its process (testing aid; processes only).
    std::optional<u64> crash_on;
    /// The pool's per-task timeout, only used to word the error message.
    std::optional<std::chrono::milliseconds> task_timeout;
    /// Called (on the driver's thread or a pool thread) with how many more numbers are done.
    std::function<void(std::size_t)> on_progress;
};

/// A sentence for a task's failure: "worker crashed (signal 6)", "timed out after 500 ms", ...
std::string describe_failure(std::exception_ptr e, const run_options& options);

/// Factorizes on the calling thread (options.driver, chunksize and crash_on are ignored).
std::vector<number_result> run_serial(const std::vector<u64>& numbers, const run_options& options);

/// Factorizes with options.driver on `ex`: a thread or a process pool, or an mpi_executor.
std::vector<number_result> run_on(asyncjobs::executor& ex, const std::vector<u64>& numbers, const run_options& options);

/// Makes the executor for `kind` (nullptr for serial).
struct pool_config {
    executor_kind kind = executor_kind::threads;
    std::size_t workers = 0;  ///< 0: hardware concurrency (not mpi: see workers_per_rank)
    std::optional<std::chrono::milliseconds> task_timeout;  ///< processes and mpi
    /// processes only: the program the workers run; empty = this program, re-executed (its
    /// main must start with asyncjobs::run_worker_if_requested). A test runner names the
    /// factorize binary, which registers the same tasks.
    std::string worker_executable;
    /// processes only: process_pool_options::worker_nice (0 to 19: how much lower the
    /// workers' CPU priority is than this program's).
    int worker_nice = 0;
    /// mpi only: mpi_executor_options::workers_per_rank, each worker rank's local process
    /// pool (0: that rank's hardware concurrency).
    std::size_t workers_per_rank = 0;
};
std::unique_ptr<asyncjobs::executor> make_executor(const pool_config& config);

/// make_executor + run_on (or run_serial) + shutdown.
std::vector<number_result> run(const pool_config& config, const std::vector<u64>& numbers, const run_options& options);

/// Sum over all numbers of the sum of their factors, modulo 2^64 (errors count 0).
u64 checksum(const std::vector<number_result>& results) noexcept;

} // namespace factorize

#endif
