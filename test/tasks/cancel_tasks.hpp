// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks for the cancellation suite, registered in test_worker too: they leave a trace of
// having run, so that a test can tell a call that never ran from one that did.
#ifndef ASYNCJOBS_TEST_PROCESS_CANCEL_TASKS_HPP
#define ASYNCJOBS_TEST_PROCESS_CANCEL_TASKS_HPP

#include <string>
#include <vector>

namespace cancel_tasks {

/// Appends "<id>\n" to the file at `log` (O_APPEND: workers may share it), then sleeps `ms`.
int record_run(std::string log, int id, int ms);

/// The ids in a log written by record_run, in the order they were written.
std::vector<int> read_log(const std::string& log);

} // namespace cancel_tasks

#endif
