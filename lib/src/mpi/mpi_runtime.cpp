// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// MPI's start and end, the worker line, and the public mpi_executor's wrappers.
#include "mpi_runtime.hpp"
#include "mpi_engine.hpp"
#include "mpi_rank_server.hpp"
#include "mpi_transport.hpp"
#include "mpi_wire.hpp"

#include <asyncjobs/mpi.hpp>
#include <asyncjobs/mpi_executor.hpp>
#include <asyncjobs/worker.hpp>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace asyncjobs {

namespace detail {

mpi_runtime& mpi_runtime::instance() noexcept
{
    static mpi_runtime runtime;
    return runtime;
}

void mpi_runtime::init(int* argc, char*** argv)
{
    int already = 0;
    MPI_Initialized(&already);
    if (already)
        throw std::runtime_error("asyncjobs: MPI is already initialized: asyncjobs::mpi::run_worker_if_requested "
                                 "initializes it itself, first in main; remove the program's own MPI_Init");
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        throw std::runtime_error("asyncjobs: MPI_Init_thread failed");
    if (provided < MPI_THREAD_SERIALIZED) {
        MPI_Finalize();
        throw std::runtime_error("asyncjobs: this MPI library cannot give MPI_THREAD_SERIALIZED, which "
                                 "mpi_executor needs (its progress thread is not the main thread)");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
    ready_ = true;
}

void mpi_runtime::finalize() noexcept
{
    if (!ready_ || finalized_)
        return;
    finalized_ = true;
    MPI_Comm_free(&comm_);
    MPI_Finalize();
}

void mpi_runtime::claim(mpi_engine* engine)
{
    std::lock_guard lock(mutex_);
    if (live_)
        throw std::logic_error("asyncjobs: only one mpi_executor may live at a time (only one thread calls MPI); "
                               "destroy the first before building another");
    live_ = engine;
}

void mpi_runtime::release(mpi_engine* engine) noexcept
{
    std::lock_guard lock(mutex_);
    if (live_ == engine)
        live_ = nullptr;
}

mpi_engine* mpi_runtime::live() noexcept
{
    std::lock_guard lock(mutex_);
    return live_;
}

namespace {

/// Rank 0 at exit: stops a leaked executor's progress thread, releases the worker ranks
/// (they return from the worker line), and finalizes MPI.
void release_ranks_at_exit()
{
    auto& rt = mpi_runtime::instance();
    if (!rt.ready())
        return;
    if (mpi_engine* live = rt.live())
        live->stop();
    {
        mpi_transport transport;
        for (int r = 1; r < rt.size(); ++r)
            transport.send(r, mpi_wire::stop, {});
        while (!transport.flush())
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    rt.finalize();
}

} // namespace

} // namespace detail

namespace mpi {

std::optional<int> run_worker_if_requested(int argc, char** argv)
{
    // A process-pool worker of a rank: the worker loop, and never MPI.
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return code;
    auto& rt = detail::mpi_runtime::instance();
    rt.init(&argc, &argv);
    if (rt.rank() == 0) {
        std::atexit(detail::release_ranks_at_exit);
        return std::nullopt;
    }
    int code = detail::serve_rank();
    rt.finalize();
    return code;
}

int rank() noexcept { return detail::mpi_runtime::instance().rank(); }
int size() noexcept { return detail::mpi_runtime::instance().size(); }

} // namespace mpi

mpi_executor::mpi_executor() : mpi_executor(mpi_executor_options{}) {}

mpi_executor::mpi_executor(mpi_executor_options options)
    : remote_executor(detail::scheduler_ptr(new detail::mpi_engine(std::move(options))))
    , engine_(static_cast<detail::mpi_engine*>(engine().get()))
{
}

mpi_executor::~mpi_executor()
{
    engine_->shutdown(true, false);
    engine_->stop();
}

void mpi_executor::shutdown(bool wait, bool cancel_futures) { engine_->shutdown(wait, cancel_futures); }
std::size_t mpi_executor::max_workers() const noexcept { return engine_->max_workers(); }
std::vector<mpi_rank_info> mpi_executor::ranks() const { return engine_->ranks(); }
pool_stats mpi_executor::stats() const { return engine_->stats(); }
void mpi_executor::submit_task(const detail::state_ptr& task, const task_options& options)
{
    engine_->submit_with(task, options);
}
bool mpi_executor::kill_task(detail::state_base* task) { return engine_->kill_task(task); }

} // namespace asyncjobs
