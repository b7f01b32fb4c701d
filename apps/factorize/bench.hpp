// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// factorize --bench: one workload, serially and on every executor and driver (mpi_executor's
// too, under mpirun), side by side with the Python peer of the study
// (apps/bench/factorize_peer.py, on a ProcessPoolExecutor and, under mpirun, on mpi4py.futures).
#ifndef FACTORIZE_BENCH_HPP
#define FACTORIZE_BENCH_HPP

#include "factorize_core.hpp"
#include "workload.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace factorize {

/// The default --bench workload: 4000 numbers in [5e12, 5e13], seed 1 (about 2.6 s of serial
/// trial division on the project's machines). Numbers this large cost ~0.65 ms each, so one
/// task per number (as-completed, then) pays a few percent of per-task overhead on a process
/// pool (~15-25 us of CPU a task), while the study's one-chunk-per-worker split stays within
/// a few percent of balanced (the heavy numbers are rarer the larger they are: fewer, larger
/// numbers would unbalance the two chunks more).
random_spec default_bench_workload() noexcept;

/// The Python peer's workload: the study's range, 4000 numbers in [1e9, 1e10], seed 1.
/// Python's trial division is tens of times slower than C++'s, so it gets a smaller workload of its
/// own; the C++ side factorizes the very same numbers to compare checksums and times.
random_spec default_python_workload() noexcept;

struct bench_config {
    std::vector<u64> numbers;
    std::string workload;                ///< how the numbers were made, for the header
    algorithm algo = algorithm::trial;
    std::size_t workers = 0;             ///< 0: hardware concurrency
    std::size_t repeat = 1;              ///< best of this many runs per row
    bool python = true;                  ///< run the peer when python3 is on PATH
    random_spec python_workload = default_python_workload();
    std::string peer_script;             ///< empty: looked for (see find_peer_script)
    std::string program;                 ///< argv[0], for the runs of this program as a child
    bool gnu_factor = true;              ///< the rows against GNU coreutils' factor
    std::size_t gnu_range = 1'000'000;   ///< 1..N against factor (0 skips)
    std::size_t gnu_random = 200'000;    ///< random 64-bit numbers against factor (0 skips)
    std::size_t stream_count = 300'000;  ///< --input FILE of numbers in [1e9, 1e10] (0 skips)
    /// Under mpirun (mpi_run.hpp): the mpi rows' workers per rank (0: `workers` split over the
    /// worker ranks, so that they have as many workers as the pools' rows).
    std::size_t workers_per_rank = 0;
    /// Under mpirun: the Python that runs the peer on mpi4py.futures' MPIPoolExecutor, in an
    /// MPI job of its own (empty skips it).
    std::string mpi_peer_python = "/usr/bin/python3";
};

/// Where the Python peer is: factorize_peer.py next to this program, then in
/// ../share/asyncjobs/ from it (an installed factorize), then in the source tree it was
/// built from. Every place looked at is appended to `looked`.
std::optional<std::string> find_peer_script(std::vector<std::string>& looked);

/// Prints the table on stdout; returns 0, or 1 if a checksum disagreed or a run failed.
int run_bench(const bench_config& config);

} // namespace factorize

#endif
