// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_ERRORS_HPP
#define ASYNCJOBS_ERRORS_HPP

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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

/// get() or wait() on work that can never run because the calling thread is the one that
/// would have to run it: a task or continuation of a one-thread pool (a thread_pool_executor
/// of max_workers 1, a process pool's completion thread with completion_threads 1) waiting
/// for work queued on that same pool. Thrown instead of hanging forever.
class deadlock_error : public error {
public:
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

/// An executor created before fork() was used in the child process. The child's copy of a
/// pool has none of the parent's threads, workers or pipes: it runs nothing, submit()
/// throws this, and its shutdown() and destructor do nothing (they leave the parent's pool
/// alone). Create a new executor in the child, or exec a new program.
class forked_executor : public error {
public:
    forked_executor();
    using error::error;
};

/// A worker process died while running the task: only that task fails; the pool replaces
/// the worker and goes on. Says the exit code or the signal of the last death, and, for a
/// task with retries (task_options::retries), every try in attempts().
class worker_crashed : public error {
public:
    /// One try of the task, ended by its worker's death.
    struct attempt {
        long pid = 0;        ///< the worker that ran it
        int exit_code = -1;  ///< its exit code, or -1 if a signal killed it
        int signal = 0;      ///< the signal that killed it, or 0 if it exited
    };

    worker_crashed(int exit_code, int signal, const std::string& detail);
    worker_crashed(int exit_code, int signal, const std::string& detail, std::vector<attempt> attempts);
    /// The worker's exit code, or -1 if a signal killed it (the last try's).
    int exit_code() const noexcept { return exit_code_; }
    /// The signal that killed the worker, or 0 if it exited (the last try's).
    int signal() const noexcept { return signal_; }
    /// Every try, oldest first, the last one included, when a process pool raised it; empty
    /// when it arrived from a worker process (a pool nested in a task).
    const std::vector<attempt>& attempts() const noexcept { return attempts_; }

private:
    int exit_code_;
    int signal_;
    std::vector<attempt> attempts_;
};

/// A process task ran past its timeout: its worker was killed (with whatever the task had
/// started) and replaced; the pool goes on.
class task_timeout : public error {
public:
    using error::error;
};

/// A process task's worker went over process_pool_options::memory_limit while it ran the
/// task: the pool killed the worker (with what the task started) and replaced it; other
/// tasks go on. Never retried.
class memory_limit_exceeded : public error {
public:
    using error::error;
};

/// A shared_buffer could not be allocated (larger than the shared arena's free space, or
/// the system has no memory left for it); the message says how large and what to do. A
/// worker's keeps its type in the parent.
class shared_buffer_error : public error {
public:
    using error::error;
};

/// A worker's output broke the wire protocol (garbage, a truncated or oversized frame, a
/// reply for a task it was not given) or it was built from a different program.
class protocol_error : public error {
public:
    using error::error;
};

/// A process pool was given something it cannot send to a worker: a lambda, a function
/// object, or a function not registered with ASYNCJOBS_TASK.
class task_not_registered : public error {
public:
    using error::error;
};

/// What every exception rebuilt from a worker process that is not exactly a standard or
/// asyncjobs type carries: the demangled name of the type the task threw and its what().
/// Not a std::exception itself, so that it can be mixed into remote_error_as<Base> without
/// making `catch (const std::exception&)` ambiguous: catch it by `const remote_origin&`,
/// or ask a caught exception with `dynamic_cast<const asyncjobs::remote_origin*>(&e)`.
class remote_origin {
public:
    remote_origin(std::string type_name, std::string message)
        : type_name_(std::move(type_name)), message_(std::move(message))
    {
    }
    remote_origin(const remote_origin&) = default;
    remote_origin& operator=(const remote_origin&) = default;
    virtual ~remote_origin() = default;
    /// The demangled name of the exception type the task threw (for a value that is not a
    /// std::exception, the name of its type, e.g. "int").
    const std::string& type_name() const noexcept { return type_name_; }
    /// What the original exception's what() said.
    const std::string& message() const noexcept { return message_; }

private:
    std::string type_name_;
    std::string message_;
};

/// An exception from a worker process with no standard or asyncjobs base to keep: a type
/// derived from std::exception only, or a value that is not a std::exception at all. It
/// keeps the original type's name and message; what() says "<type name>: <message>".
///
/// How a task's exception crosses the process boundary (the thread pool hands over the
/// object itself):
/// - the standard types std::logic_error, std::invalid_argument, std::domain_error,
///   std::length_error, std::out_of_range, std::runtime_error, std::range_error,
///   std::overflow_error, std::underflow_error, std::bad_alloc, std::bad_array_new_length,
///   std::bad_cast, std::bad_typeid, std::bad_function_call, std::bad_optional_access,
///   std::bad_variant_access and std::bad_exception arrive as themselves, with their message;
/// - std::system_error arrives as itself with its code when the code's category is
///   std::generic_category() or std::system_category(); another category's code cannot be
///   rebuilt here, so it arrives as remote_error_as<std::runtime_error>;
/// - asyncjobs' own errors (this file: timeout_error, worker_crashed with its exit code and
///   signal, ...) arrive as themselves, e.g. from a nested pool inside the task;
/// - any other type derived from one of those arrives as remote_error_as<nearest base>:
///   `catch (const std::logic_error&)` catches a user type derived from std::logic_error
///   on both executors;
/// - anything else arrives as remote_error.
class remote_error : public error, public remote_origin {
public:
    remote_error(std::string type_name, const std::string& message);
};

/// An exception from a worker process whose own type does not exist on this side but has a
/// standard or asyncjobs base `Base` (see remote_error): it is a `Base` (catch it as one;
/// a std::system_error base keeps its code), and a remote_origin with the original type's
/// name and message. what() says what the original what() said.
template <class Base>
class remote_error_as final : public Base, public remote_origin {
public:
    remote_error_as(Base base, std::string type_name, std::string message)
        : Base(std::move(base)), remote_origin(std::move(type_name), std::move(message))
    {
    }
    const char* what() const noexcept override { return message().c_str(); }
};

} // namespace asyncjobs

#endif
