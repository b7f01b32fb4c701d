// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// factorize on MPI ranks (--executor mpi): the worker line that serves ranks 1..N-1, and
// the mpi_executor of rank 0. Built with or without MPI (ASYNCJOBS_MPI): without it,
// --executor mpi is refused with a message that says how to get it.
#ifndef FACTORIZE_MPI_RUN_HPP
#define FACTORIZE_MPI_RUN_HPP

#include "drivers.hpp"

#include <asyncjobs/executor.hpp>

#include <cstddef>
#include <memory>
#include <optional>

namespace factorize {

/// The one line first in main. A process-pool worker runs its loop. A process started by an
/// MPI launcher (mpirun, srun) initializes MPI: ranks 1..N-1 serve tasks here until rank 0
/// exits, rank 0 goes on (nullopt). Anything else goes on without touching MPI, so that
/// factorize outside mpirun never starts MPI's runtime; the processes this one starts
/// (pool workers, --bench's runs of this program) inherit a mark that keeps them out of MPI.
std::optional<int> run_worker_line(int argc, char** argv);

/// The number of ranks of the MPI job this process is rank 0 of, 0 outside one.
int mpi_ranks() noexcept;

/// Throws input_error saying what to do when --executor mpi cannot run here: factorize
/// built without MPI, not started by mpirun, or no worker rank (mpirun -n 1).
void check_mpi_available();

/// The mpi_executor of rank 0 for `config` (workers_per_rank, task_timeout); throws as
/// check_mpi_available does.
std::unique_ptr<asyncjobs::executor> make_mpi_executor(const pool_config& config);

} // namespace factorize

#endif
