// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_MPI_HPP
#define ASYNCJOBS_MPI_HPP

#include <optional>

namespace asyncjobs::mpi {

/// The one line an MPI program (started with `mpirun -n N prog args` or `srun`) puts
/// first in main, instead of asyncjobs::run_worker_if_requested:
///
///     if (auto code = asyncjobs::mpi::run_worker_if_requested(argc, argv)) return *code;
///
/// It initializes MPI (MPI_THREAD_SERIALIZED: one thread at a time calls MPI, here the
/// progress thread of an mpi_executor). On rank 0 it returns nullopt and main goes on to
/// build an mpi_executor; MPI is finalized when the program exits (after releasing the
/// other ranks). Ranks 1..N-1 serve the tasks rank 0 sends, each in a local
/// process_pool_executor, until rank 0 exits; then they return the exit code for main to
/// return. In a process-pool worker started by a rank it runs the worker loop, as
/// asyncjobs::run_worker_if_requested does (such a process never touches MPI).
/// Link the CMake target asyncjobs::mpi. Throws std::runtime_error when MPI cannot give
/// MPI_THREAD_SERIALIZED, or when MPI was already initialized by someone else.
std::optional<int> run_worker_if_requested(int argc, char** argv);

/// This process's rank in MPI_COMM_WORLD (0 before the worker line ran).
int rank() noexcept;

/// The number of ranks in MPI_COMM_WORLD (0 before the worker line ran).
int size() noexcept;

} // namespace asyncjobs::mpi

#endif
