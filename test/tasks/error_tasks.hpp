// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks that throw every kind of exception, for the remote-errors suite: registered in
// test_worker too, and plain functions that a thread pool runs as well.
#ifndef ASYNCJOBS_TEST_PROCESS_ERROR_TASKS_HPP
#define ASYNCJOBS_TEST_PROCESS_ERROR_TASKS_HPP

#include <stdexcept>
#include <system_error>

#include <asyncjobs/errors.hpp>

namespace error_tasks {

/// User types derived from standard and asyncjobs bases.
struct config_error : std::logic_error {
    using std::logic_error::logic_error;
};
struct bad_field : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};
struct counter_overflow : std::overflow_error {
    using std::overflow_error::overflow_error;
};
struct io_failure : std::system_error {
    using std::system_error::system_error;
};
struct deadline_missed : asyncjobs::timeout_error {
    using asyncjobs::timeout_error::timeout_error;
};
/// Derived from std::exception alone.
struct plain_failure : std::exception {
    const char* what() const noexcept override { return "plain failure"; }
};
/// Not a std::exception at all.
struct not_an_exception {
    int value = 0;
};

/// The kinds of throw_kind, by number.
enum kind : int {
    user_logic,         // config_error("bad config")
    user_invalid,       // bad_field("bad field")
    user_overflow,      // counter_overflow("too many")
    system_generic,     // std::system_error(ENOENT, generic_category(), "opening data.txt")
    system_system,      // std::system_error(EACCES, system_category(), "opening data.txt")
    user_system,        // io_failure(EPIPE, generic_category(), "writing")
    ios_failure,        // std::ios_base::failure("stream broke") (iostream category)
    future_failure,     // std::future_error(no_state)
    timeout,            // asyncjobs::timeout_error("inner wait")
    crashed,            // asyncjobs::worker_crashed(3, 0, "inner worker died")
    crashed_by_signal,  // asyncjobs::worker_crashed(-1, 9, "inner worker killed")
    cancelled,          // asyncjobs::cancelled_error("inner cancelled")
    shutdown,           // asyncjobs::shutdown_error("inner shut down")
    broken,             // asyncjobs::broken_executor("inner broken")
    invalid,            // asyncjobs::invalid_future("inner invalid")
    task_timed_out,     // asyncjobs::task_timeout("inner task timeout")
    protocol,           // asyncjobs::protocol_error("inner protocol")
    not_registered,     // asyncjobs::task_not_registered("inner not registered")
    plain_error,        // asyncjobs::error("inner error")
    user_timeout,       // deadline_missed("missed")
    plain,              // plain_failure
    non_std,            // not_an_exception{7}
    an_int,             // 42
    bad_variant,        // std::get of the wrong alternative
    bad_optional,       // value() of an empty optional
    bad_function,       // an empty std::function called
    memory_exceeded,    // asyncjobs::memory_limit_exceeded("inner memory limit")
    kind_count
};

/// Throws the exception `which` names (kind); returns nothing.
int throw_kind(int which);

} // namespace error_tasks

#endif
