// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_ERRORS_HPP
#define ASYNCJOBS_ERRORS_HPP

#include <stdexcept>
#include <string>

namespace asyncjobs {

/// Base of every error asyncjobs itself raises; a task's own exceptions keep their type.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// get() on a future whose work was cancelled before it started.
class cancelled_error : public error {
public:
    cancelled_error();
    using error::error;
};

/// A wait with a deadline (as_completed, wait, map) ran out of time; the work goes on.
class timeout_error : public error {
public:
    timeout_error();
    using error::error;
};

/// submit() or map() on an executor that is shut down, or work that an executor
/// could no longer run because it was shut down or destroyed first.
class shutdown_error : public error {
public:
    shutdown_error();
    using error::error;
};

/// The executor cannot run work any more (a worker initializer failed, workers keep
/// dying at start-up); pending futures fail with it and submit() throws it.
class broken_executor : public error {
public:
    using error::error;
};

/// A future with no shared state (default-constructed, moved from, consumed by then()),
/// or whose value get() already took.
class invalid_future : public error {
public:
    invalid_future();
    using error::error;
};

/// An exception from a worker process whose type does not exist on this side: it keeps
/// the original type's name and message. Standard exception types arrive as themselves.
class remote_error : public error {
public:
    remote_error(std::string type_name, const std::string& message);
    /// The demangled name of the exception type the task threw.
    const std::string& type_name() const noexcept { return type_name_; }
    /// What the original exception's what() said.
    const std::string& message() const noexcept { return message_; }

private:
    std::string type_name_;
    std::string message_;
};

} // namespace asyncjobs

#endif
