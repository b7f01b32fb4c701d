// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "mpi_run.hpp"

#include "workload.hpp"

#include <asyncjobs/worker.hpp>

#if FACTORIZE_MPI
#include <asyncjobs/mpi.hpp>
#include <asyncjobs/mpi_executor.hpp>
#endif

#include <cstdlib>
#include <string>

namespace factorize {

#if FACTORIZE_MPI
namespace {

// Set in the environment of every process of an MPI job before MPI starts: the processes it
// starts inherit the launcher's variables too, and one of them calling MPI_Init would try to
// join the job as a rank it is not.
constexpr const char* not_a_rank = "FACTORIZE_MPI_CHILD";

bool in_mpi_job_flag = false;

/// Started by an MPI launcher: Open MPI's mpirun (OMPI_COMM_WORLD_SIZE), a PMIx launcher
/// such as srun --mpi=pmix (PMIX_RANK), or a PMI-1/2 one such as MPICH's or srun --mpi=pmi2
/// (PMI_RANK); and not a child of such a process.
bool started_by_mpi_launcher() noexcept
{
    if (std::getenv(not_a_rank))
        return false;
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
        if (std::getenv(name))
            return true;
    return false;
}

} // namespace
#endif

std::optional<int> run_worker_line(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return code;
#if FACTORIZE_MPI
    if (started_by_mpi_launcher()) {
        ::setenv(not_a_rank, "1", 1);
        in_mpi_job_flag = true;
        return asyncjobs::mpi::run_worker_if_requested(argc, argv);
    }
#endif
    return std::nullopt;
}

int mpi_ranks() noexcept
{
#if FACTORIZE_MPI
    if (in_mpi_job_flag)
        return asyncjobs::mpi::size();
#endif
    return 0;
}

void check_mpi_available()
{
#if FACTORIZE_MPI
    int ranks = mpi_ranks();
    if (ranks == 0)
        throw input_error("--executor mpi: factorize was not started by mpirun or srun; start it as rank 0 of an MPI "
                          "job with at least 2 ranks, e.g. `mpirun -n 3 factorize --executor mpi ...` (rank 0 reads "
                          "and prints, ranks 1..N-1 factorize, --workers-per-rank each); on one machine "
                          "--executor processes does the same");
    if (ranks < 2)
        throw input_error("--executor mpi: this MPI job has 1 rank, and rank 0 only reads and prints: start at least "
                          "2, e.g. `mpirun -n 3 factorize --executor mpi ...`");
#else
    throw input_error("--executor mpi: this factorize was built without MPI (ASYNCJOBS_MPI is off: no MPI was found, "
                      "or it was turned off): install openmpi-bin and libopenmpi-dev (scripts/install-deps.sh), "
                      "configure and build again; or use --executor processes");
#endif
}

std::unique_ptr<asyncjobs::executor> make_mpi_executor(const pool_config& config)
{
    check_mpi_available();
#if FACTORIZE_MPI
    asyncjobs::mpi_executor_options o;
    o.workers_per_rank = config.workers_per_rank;
    o.task_timeout = config.task_timeout;
    return std::make_unique<asyncjobs::mpi_executor>(std::move(o));
#else
    (void)config;
    return nullptr;
#endif
}

} // namespace factorize
