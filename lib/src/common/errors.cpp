// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/errors.hpp>

namespace asyncjobs {

cancelled_error::cancelled_error()
    : error("asyncjobs: the task was cancelled before it started; "
            "check future::cancelled() before get() if cancellation is expected")
{
}

timeout_error::timeout_error()
    : error("asyncjobs: the deadline passed before the work finished; "
            "the work goes on: wait again, cancel it, or use a longer timeout")
{
}

shutdown_error::shutdown_error()
    : error("asyncjobs: the executor is shut down and accepts no more work; "
            "submit before shutdown(), or attach continuations to an executor that is still running")
{
}

invalid_future::invalid_future()
    : error("asyncjobs: this future has no shared state (default-constructed, moved from, "
            "or consumed by then() or a conversion); keep the future that then() returned instead")
{
}

forked_executor::forked_executor()
    : error("asyncjobs: this executor was created before fork(), and this is the child process: the child's copy "
            "has none of the pool's threads or workers and runs nothing (the parent's pool goes on unharmed); "
            "create a new executor in the child, or exec a new program")
{
}

worker_crashed::worker_crashed(int exit_code, int signal, const std::string& detail)
    : error(detail), exit_code_(exit_code), signal_(signal)
{
}

worker_crashed::worker_crashed(int exit_code, int signal, const std::string& detail, std::vector<attempt> attempts)
    : error(detail), exit_code_(exit_code), signal_(signal), attempts_(std::move(attempts))
{
}

remote_error::remote_error(std::string type_name, const std::string& message)
    : error(type_name + ": " + message), remote_origin(std::move(type_name), message)
{
}

} // namespace asyncjobs
