// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// MPI's lifetime in an asyncjobs program: initialized by the worker line, finalized at
// exit (rank 0, after releasing the worker ranks) or when a worker rank stops serving.
#ifndef ASYNCJOBS_SRC_MPI_RUNTIME_HPP
#define ASYNCJOBS_SRC_MPI_RUNTIME_HPP

#include <mpi.h>

#include <mutex>

namespace asyncjobs::detail {

class mpi_engine;

class mpi_runtime {
public:
    static mpi_runtime& instance() noexcept;

    /// MPI_Init_thread (MPI_THREAD_SERIALIZED) and asyncjobs' own communicator.
    void init(int* argc, char*** argv);
    /// Frees the communicator and finalizes MPI (once).
    void finalize() noexcept;

    bool ready() const noexcept { return ready_; }
    int rank() const noexcept { return rank_; }
    int size() const noexcept { return size_; }
    MPI_Comm comm() const noexcept { return comm_; }

    /// Rank 0: the live mpi_executor's engine (one at a time: only one thread may call MPI).
    /// claim() throws std::logic_error when another one lives.
    void claim(mpi_engine* engine);
    void release(mpi_engine* engine) noexcept;
    /// The live engine (for the exit handler, which must stop its thread before finalizing).
    mpi_engine* live() noexcept;

private:
    bool ready_ = false;
    bool finalized_ = false;
    int rank_ = 0;
    int size_ = 0;
    MPI_Comm comm_ = MPI_COMM_NULL;
    std::mutex mutex_;
    mpi_engine* live_ = nullptr;
};

} // namespace asyncjobs::detail

#endif
