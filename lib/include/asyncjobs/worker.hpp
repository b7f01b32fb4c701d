// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_WORKER_HPP
#define ASYNCJOBS_WORKER_HPP

#include <optional>

namespace asyncjobs {

/// A process pool starts its workers by running this program again in worker mode (the
/// role of Python's `if __name__ == "__main__":` guard). Put this line first in main:
///
///     if (auto code = asyncjobs::run_worker_if_requested(argc, argv)) return *code;
///
/// In a normal start it returns nullopt at once and main goes on; in a worker it runs the
/// worker loop and returns the exit code for main to return.
std::optional<int> run_worker_if_requested(int argc, char** argv);

/// The whole main of a separate worker executable (process_pool_options::worker_executable):
/// `int main(int argc, char** argv) { return asyncjobs::worker_main(argc, argv); }`.
/// It must link the same registered tasks as the program that starts the pool.
int worker_main(int argc, char** argv);

} // namespace asyncjobs

#endif
