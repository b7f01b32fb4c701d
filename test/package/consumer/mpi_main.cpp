// An outside MPI program using asyncjobs::mpi, built from the CMake package and from
// asyncjobs-mpi.pc by pkg-config alone, run under mpirun -n 2: rank 0 sends a task to rank
// 1's local process pool, so the package must carry what asyncjobs::mpi links (MPI)
// besides asyncjobs itself.
#include <asyncjobs/mpi_executor.hpp>
#include <asyncjobs/task.hpp>

#include <cstdio>

long cube(long x)
{
    return x * x * x;
}
ASYNCJOBS_TASK(cube);

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::mpi::run_worker_if_requested(argc, argv))
        return *code;
    asyncjobs::mpi_executor_options options;
    options.workers_per_rank = 1;
    asyncjobs::mpi_executor ex(options);
    long got = ex.submit(cube, 3L).get();
    std::printf("mpi_executor over %zu worker rank(s): cube(3) = %ld (want 27)\n", ex.ranks().size(), got);
    return got == 27 ? 0 : 1;
}
