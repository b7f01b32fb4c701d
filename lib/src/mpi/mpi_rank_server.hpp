// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_SRC_MPI_RANK_SERVER_HPP
#define ASYNCJOBS_SRC_MPI_RANK_SERVER_HPP

namespace asyncjobs::detail {

/// A worker rank's life: serves rank 0's executors until rank 0 says stop; the exit code.
int serve_rank();

} // namespace asyncjobs::detail

#endif
