// The same registered tasks across machines: mpi_executor over Open MPI ranks. Start it
// with `mpirun -n 3 build/release/examples/mpi_cluster`: rank 0 runs main past the worker
// line, ranks 1 and 2 serve tasks in local process pools and exit with rank 0.
#include <asyncjobs/asyncjobs.hpp>
#include <asyncjobs/mpi_executor.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

long long collatz_steps(long long n)
{
    long long steps = 0;
    for (; n != 1; ++steps)
        n = n % 2 ? 3 * n + 1 : n / 2;
    return steps;
}
ASYNCJOBS_TASK(collatz_steps);

std::string where(int)
{
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return std::string(host) + " pid " + std::to_string(::getppid());
}
ASYNCJOBS_TASK(where);

int crash(int) { std::abort(); }
ASYNCJOBS_TASK(crash);

// readme:mpi:begin
int main(int argc, char** argv)
{
    // Ranks 1..N-1 serve tasks here and return when rank 0 exits.
    if (auto code = asyncjobs::mpi::run_worker_if_requested(argc, argv))
        return *code;

    asyncjobs::mpi_executor_options options;
    options.workers_per_rank = 2;  // each rank's local process pool (default: its cores)
    asyncjobs::mpi_executor cluster(options);
    std::printf("%zu workers on %zu ranks\n", cluster.max_workers(), cluster.ranks().size());

    std::vector<long long> inputs;
    for (long long n = 1; n <= 10000; ++n)
        inputs.push_back(n);
    long long longest = 0;
    for (long long steps : cluster.map(collatz_steps, inputs))  // in input order
        longest = std::max(longest, steps);

    auto crashed = cluster.submit(crash, 0);  // kills a local worker, not its rank
    try {
        crashed.get();
    } catch (const asyncjobs::worker_crashed& e) {
        std::printf("crashed: %s\n", e.what());
    }
    std::printf("longest chain below 10001: %lld steps; then a task ran on %s\n", longest,
                cluster.submit(where, 0).get().c_str());
    return longest == 261 ? 0 : 1;
}
// readme:mpi:end
