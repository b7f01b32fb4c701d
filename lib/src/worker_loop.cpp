// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/byte_buffer.hpp>
#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/worker.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace asyncjobs {
namespace detail {

void encode_hello(std::string& out, const worker_hello& hello)
{
    encode_values(out, hello.protocol, hello.registry_fingerprint, hello.pid, hello.duplicate_tasks);
}

worker_hello decode_hello(const std::byte* data, std::size_t size)
{
    worker_hello hello;
    decode_values(std::span<const std::byte>(data, size), hello.protocol, hello.registry_fingerprint, hello.pid,
                  hello.duplicate_tasks);
    return hello;
}

namespace {

/// Blocking, buffered frame I/O on the worker's two pipes.
class worker_channel {
public:
    worker_channel(int call_fd, int reply_fd, std::size_t max_payload)
        : call_fd_(call_fd), reply_fd_(reply_fd), max_payload_(max_payload)
    {
    }

    /// The next complete frame, or false at end of input. Malformed input ends the worker.
    /// The frame's payload stays valid until the next call.
    bool next(decode_result& frame)
    {
        input_.consume(pending_consume_);
        pending_consume_ = 0;
        input_.shrink();
        for (;;) {
            frame = decode_frame(input_.unread(), max_payload_);
            if (frame.status == decode_status::complete) {
                pending_consume_ = frame.consumed;
                return true;
            }
            if (frame.status == decode_status::malformed) {
                std::fprintf(stderr, "asyncjobs worker %ld: malformed frame from the parent (%s); exiting\n",
                             static_cast<long>(::getpid()), frame.error);
                std::_Exit(worker_exit_protocol_error);
            }
            std::size_t want = 1;
            if (input_.unread().size() >= frame_header_size)
                want = frame_header_size + frame.header.payload_size - input_.unread().size();
            if (!fill(want))
                return false;
        }
    }

    std::string& out() noexcept { return out_; }

    void flush()
    {
        std::size_t done = 0;
        while (done < out_.size()) {
            ssize_t n = ::write(reply_fd_, out_.data() + done, out_.size() - done);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                std::_Exit(0);  // the parent is gone: nobody wants the results
            }
            done += static_cast<std::size_t>(n);
        }
        out_.clear();
        if (out_.capacity() > (std::size_t{64} << 20))
            out_.shrink_to_fit();
    }

private:
    bool fill(std::size_t want)
    {
        auto space = input_.free_space(std::max<std::size_t>(want, 1 << 16));
        for (;;) {
            ssize_t n = ::read(call_fd_, space.data(), space.size());
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            input_.commit(static_cast<std::size_t>(n));
            return true;
        }
    }

    int call_fd_;
    int reply_fd_;
    std::size_t max_payload_;
    byte_buffer input_;
    std::size_t pending_consume_ = 0;
    std::string out_;
};

/// Runs one call frame and appends its result or failure frame.
bool run_call(const decode_result& frame, std::string& out)
{
    std::size_t start = begin_frame(out);
    call_payload call;
    try {
        if (!split_call_payload(frame.payload, call))
            throw std::invalid_argument("malformed call frame");
        const task_entry* entry = task_registry::instance().find(call.task_name);
        if (!entry)
            throw remote_error("asyncjobs::unknown_task",
                               "no task named '" + std::string(call.task_name) +
                                   "' is registered in the worker; register it with ASYNCJOBS_TASK in the worker's binary");
        if (frame.header.kind == frame_kind::map_call) {
            if (!entry->invoke_chunk)
                throw std::invalid_argument("map() needs a task of exactly one argument, and '" + entry->name +
                                            "' takes another number");
            entry->invoke_chunk(call.arguments, out);
        } else {
            entry->invoke(call.arguments, out);
        }
        finish_frame(out, start, frame_kind::result, frame.header.task_id);
        return true;
    } catch (...) {
        out.resize(start);
        start = begin_frame(out);
        encode_exception(out, std::current_exception());
        finish_frame(out, start, frame_kind::failure, frame.header.task_id);
        return false;
    }
}

} // namespace

int run_worker_loop(int call_fd, int reply_fd, long parent_pid, std::size_t max_payload)
{
    // The worker dies with its parent, even if the parent is SIGKILLed; if the parent died
    // before this line, getppid() already differs.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent_pid)
        return worker_exit_bad_start;
    // A parent that goes away mid-write makes write() fail with EPIPE instead of killing us
    // by signal; we own this process in worker mode, so changing the disposition is fine.
    std::signal(SIGPIPE, SIG_IGN);
    // Processes a task starts must not inherit the protocol pipes: they would keep them
    // open after the worker dies and hide its death from the parent.
    ::fcntl(call_fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(reply_fd, F_SETFD, FD_CLOEXEC);

    worker_channel channel(call_fd, reply_fd, max_payload);
    auto& registry = task_registry::instance();
    {
        worker_hello hello{protocol_version, registry.fingerprint(), static_cast<std::int64_t>(::getpid()),
                           registry.duplicates()};
        std::string& out = channel.out();
        std::size_t start = begin_frame(out);
        encode_hello(out, hello);
        finish_frame(out, start, frame_kind::hello, 0);
        channel.flush();
    }

    decode_result frame;
    while (channel.next(frame)) {
        switch (frame.header.kind) {
        case frame_kind::call:
        case frame_kind::map_call:
            run_call(frame, channel.out());
            break;
        case frame_kind::initialize:
            if (!run_call(frame, channel.out())) {
                channel.flush();
                return worker_exit_initializer_failed;
            }
            break;
        case frame_kind::goodbye:
            channel.flush();
            return 0;
        default:
            std::fprintf(stderr, "asyncjobs worker %ld: unexpected %s frame from the parent; exiting\n",
                         static_cast<long>(::getpid()), frame_kind_name(frame.header.kind));
            return worker_exit_protocol_error;
        }
        // Every result leaves before the next call starts: if that call kills the worker,
        // the results already computed must not die with it (the parent would take the
        // first unanswered call for the one that crashed).
        channel.flush();
    }
    channel.flush();
    return 0;
}

} // namespace detail

std::optional<int> run_worker_if_requested(int argc, char** argv)
{
    if (argc < 2 || std::string_view(argv[1]) != detail::worker_flag)
        return std::nullopt;
    return worker_main(argc, argv);
}

int worker_main(int argc, char** argv)
{
    if (argc < 4 || std::string_view(argv[1]) != detail::worker_flag) {
        std::fprintf(stderr, "asyncjobs: this is a process-pool worker; it is started by process_pool_executor, "
                             "not by hand\n");
        return detail::worker_exit_bad_start;
    }
    long parent = std::strtol(argv[2], nullptr, 10);
    auto max_payload = static_cast<std::size_t>(std::strtoull(argv[3], nullptr, 10));
    if (max_payload == 0)
        max_payload = detail::default_max_payload;
    int code = detail::run_worker_loop(detail::worker_call_fd, detail::worker_reply_fd, parent, max_payload);
    std::fflush(stdout);
    std::fflush(stderr);
    return code;
}

} // namespace asyncjobs
