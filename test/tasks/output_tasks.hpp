// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks for the worker-output suite, registered in test_worker too.
#ifndef ASYNCJOBS_TEST_PROCESS_OUTPUT_TASKS_HPP
#define ASYNCJOBS_TEST_PROCESS_OUTPUT_TASKS_HPP

#include <string>

namespace output_tasks {

/// Writes `text` to stdout (fully buffered when it is a file) with no newline and no
/// flush: only the worker loop flushing after the call gets it out before a later crash.
/// Returns its size.
int print_unflushed(std::string text);

} // namespace output_tasks

#endif
