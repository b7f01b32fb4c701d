// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks of the interface suites (future, then, map, combinators, shutdown), which run each
// case on a thread pool and on a process pool: registered functions, so that both pools
// can run them, and gates made of files, so that a test can hold a task in a worker process
// the way test::gate holds one on a thread.
#ifndef ASYNCJOBS_TEST_INTERFACE_TASKS_HPP
#define ASYNCJOBS_TEST_INTERFACE_TASKS_HPP

#include <string>

namespace interface_tasks {

int value(int x);
int add(int a, int b);
int increment(int x);
int square(int x);
long square_long(int x);
/// Throws std::out_of_range("five") for 5, std::logic_error("eight") for 8; else returns x.
int fail_at_5_and_8(int x);
std::string text(std::string s);
void nothing();
/// Throws the standard exception named by `type` (invalid_argument, length_error,
/// out_of_range, range_error, runtime_error) with `what` as its message.
int fail(std::string type, std::string what);
void fail_void(std::string type, std::string what);
/// Creates the file `path` (a task's trace that it ran), then returns `x`.
int mark_run(std::string path, int x);
void mark_run_void(std::string path);
/// Creates the file `started`, then waits until the file `release` exists: true, or false
/// after test::long_wait (a test that forgot to release fails instead of hanging).
bool hold(std::string started, std::string release);
/// hold(), then returns `x`.
int hold_then_value(std::string started, std::string release, int x);

} // namespace interface_tasks

#endif
