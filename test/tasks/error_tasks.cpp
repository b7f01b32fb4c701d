// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "error_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <cerrno>
#include <functional>
#include <future>
#include <ios>
#include <optional>
#include <string>
#include <variant>

namespace error_tasks {

int throw_kind(int which)
{
    switch (which) {
    case user_logic:
        throw config_error("bad config");
    case user_invalid:
        throw bad_field("bad field");
    case user_overflow:
        throw counter_overflow("too many");
    case system_generic:
        throw std::system_error(ENOENT, std::generic_category(), "opening data.txt");
    case system_system:
        throw std::system_error(EACCES, std::system_category(), "opening data.txt");
    case user_system:
        throw io_failure(EPIPE, std::generic_category(), "writing");
    case ios_failure:
        throw std::ios_base::failure("stream broke");
    case future_failure:
        throw std::future_error(std::future_errc::no_state);
    case timeout:
        throw asyncjobs::timeout_error("inner wait");
    case crashed:
        throw asyncjobs::worker_crashed(3, 0, "inner worker died");
    case crashed_by_signal:
        throw asyncjobs::worker_crashed(-1, 9, "inner worker killed");
    case cancelled:
        throw asyncjobs::cancelled_error("inner cancelled");
    case shutdown:
        throw asyncjobs::shutdown_error("inner shut down");
    case broken:
        throw asyncjobs::broken_executor("inner broken");
    case invalid:
        throw asyncjobs::invalid_future("inner invalid");
    case task_timed_out:
        throw asyncjobs::task_timeout("inner task timeout");
    case protocol:
        throw asyncjobs::protocol_error("inner protocol");
    case not_registered:
        throw asyncjobs::task_not_registered("inner not registered");
    case memory_exceeded:
        throw asyncjobs::memory_limit_exceeded("inner memory limit");
    case plain_error:
        throw asyncjobs::error("inner error");
    case user_timeout:
        throw deadline_missed("missed");
    case plain:
        throw plain_failure();
    case non_std:
        throw not_an_exception{7};
    case an_int:
        throw 42;
    case bad_variant: {
        std::variant<int, std::string> v = 1;
        return static_cast<int>(std::get<std::string>(v).size());
    }
    case bad_optional: {
        std::optional<int> empty;
        return empty.value();
    }
    case bad_function: {
        std::function<int()> empty;
        return empty();
    }
    default:
        return which;
    }
}

} // namespace error_tasks

ASYNCJOBS_TASK(error_tasks::throw_kind);
