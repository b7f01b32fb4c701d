// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// factorize --bench's comparison with GNU coreutils' `factor`, and the streaming runs of the
// command line: each program run as a child process the way a user would run it (numbers
// on stdin or --input FILE, results to a file), timed from its start to its exit, its peak
// resident memory (VmHWM, sampled), its output compared byte for byte.
#ifndef FACTORIZE_BENCH_GNU_HPP
#define FACTORIZE_BENCH_GNU_HPP

#include <cstddef>
#include <string>

namespace factorize {

struct program_bench_config {
    std::string self;             ///< this program's path (/proc/self/exe)
    std::size_t workers = 2;
    std::size_t repeat = 1;       ///< best of this many runs per row
    std::size_t range = 1'000'000;       ///< 1..range, as `seq 1 range` writes it
    std::size_t random64 = 200'000;      ///< random 64-bit numbers (splitmix64, seed 1)
    std::size_t file_count = 300'000;    ///< numbers in [1e9, 1e10] in a file, for --input
    bool gnu_factor = true;       ///< compare with `factor` when it is on PATH
};

/// Prints the tables and the targets' PASS/MISS lines; returns 1 if an output differed
/// (from factor's, or from the serial run's) or a run failed, else 0.
int run_program_bench(const program_bench_config& config);

} // namespace factorize

#endif
