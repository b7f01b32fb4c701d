// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The command line's run: numbers read as they come, factorized serially or in blocks on a
// pool, each result printed in input order as soon as it and all before it are ready.
// Memory stays bounded by the window of blocks in flight, whatever the input's length.
#ifndef FACTORIZE_STREAM_RUN_HPP
#define FACTORIZE_STREAM_RUN_HPP

#include "drivers.hpp"
#include "number_stream.hpp"
#include "output.hpp"

#include <cstddef>
#include <string>

namespace factorize {

struct stream_config {
    pool_config pool;
    run_options options;  ///< on_progress is set by run_streaming
    bool json = false;
    bool summary = true;      ///< the summary line on stderr
    bool progress = false;    ///< the progress bar on stderr
    int output_fd = 1;
};

/// Runs the whole input; returns the exit status (0, or 1 if a number failed). A bad token
/// throws input_error after every result before it has been printed (JSON: the document is
/// closed first, with an "error" member naming the token).
int run_streaming(number_stream& in, const stream_config& config);

} // namespace factorize

#endif
