// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/byte_buffer.hpp>
#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/reply_buffer.hpp>
#include <asyncjobs/detail/run_call.hpp>
#include <asyncjobs/detail/shared_region.hpp>
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/worker.hpp>

#include "common/claim_board.hpp"
#include "common/shared_arena.hpp"
#include "parent_watch.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

namespace asyncjobs {
namespace detail {

namespace {

/// Blocking, buffered frame I/O on the worker's two pipes.
class worker_channel {
public:
    worker_channel(int call_fd, int reply_fd, std::size_t max_payload, shared_region call_region,
                   shared_region reply_region, claim_board claims)
        : call_fd_(call_fd)
        , reply_fd_(reply_fd)
        , max_payload_(max_payload)
        , call_region_(std::move(call_region))
        , reply_region_(std::move(reply_region))
        , claims_(std::move(claims))
    {
    }

    /// The next complete frame, or false at end of input. Malformed input ends the worker.
    /// The frame's payload stays valid until the next call to next() or done_with_frame().
    bool next(decode_result& frame)
    {
        input_.consume(pending_consume_);
        pending_consume_ = 0;
        input_.shrink();
        for (;;) {
            frame = decode_frame(input_.unread(), max_payload_);
            if (frame.status == decode_status::complete) {
                pending_consume_ = frame.consumed;
                if (frame.header.kind == frame_kind::shared)
                    frame = shared_call(frame);
                return true;
            }
            if (frame.status == decode_status::malformed)
                protocol_failure(frame.error);
            std::size_t want = 1;
            if (input_.unread().size() >= frame_header_size)
                want = frame_header_size + frame.header.payload_size - input_.unread().size();
            if (!fill(want))
                return false;
        }
    }

    /// The parent may reuse the call region: the call read from it has run.
    void done_with_frame() noexcept
    {
        if (region_frame_size_) {
            call_region_.release(region_frame_size_);
            region_frame_size_ = 0;
        }
    }

    /// The buffer for the next reply: the shared region while the parent is done with it.
    reply_buffer& begin_reply() noexcept
    {
        out_.start(reply_region_.valid() ? &reply_region_ : nullptr);
        return out_;
    }

    /// Claims the next call (`task_id`) on the claim board and tells the parent it runs now,
    /// unless the last flush already did both. With a board the claim itself tells the
    /// parent (it reads the board when it needs to know); only a skip is sent. False: the parent cancelled it first; the
    /// parent is told it was skipped, and it must not run.
    bool begin_call(std::uint64_t task_id)
    {
        std::uint64_t seq = next_seq_++;
        if (decided_ && decided_seq_ == seq) {
            decided_ = false;
            return decided_run_;
        }
        bool run = claim(seq);
        if (run && claims_.valid())
            return true;  // the board tells the parent: no `started` frame (a write and a wake-up a call)
        control_.clear();  // kept: a 16-byte frame is past std::string's inline room, an allocation a call
        append_frame(control_, run ? frame_kind::started : frame_kind::skipped, task_id, {});
        write_all(std::as_bytes(std::span<const char>(control_.data(), control_.size())));
        return run;
    }
    /// Sends the reply: a large one left in the shared region is only announced on the
    /// pipe; anything else goes through the pipe. When the next call has already arrived,
    /// its start is announced in the same write.
    void flush()
    {
        if (out_.size() == 0)
            return;
        // The next call, if it is already here, is claimed now and its start (or skip)
        // leaves with this reply: one write instead of two.
        std::string& tail = control_;
        tail.clear();
        if (auto next = next_call_id()) {
            decided_ = true;
            decided_seq_ = next_seq_;
            decided_run_ = claim(decided_seq_);
            if (!decided_run_ || !claims_.valid())
                append_frame(tail, decided_run_ ? frame_kind::started : frame_kind::skipped, *next, {});
        }
        if (out_.in_region() && out_.size() >= shared_region::min_frame) {
            auto header = decode_frame(out_.bytes().first(frame_header_size), max_payload_);
            reply_region_.publish();
            std::string announcement;
            append_shared_frame(announcement, header.header.task_id, out_.size());
            announcement += tail;
            write_all(std::as_bytes(std::span<const char>(announcement.data(), announcement.size())));
        } else {
            out_.append(tail.data(), tail.size());
            write_all(out_.bytes());
        }
        out_.clear();
    }

private:
    bool claim(std::uint64_t seq) noexcept { return !claims_.valid() || claims_.start(seq); }

    [[noreturn]] static void protocol_failure(const char* what)
    {
        std::fprintf(stderr, "asyncjobs worker %ld: malformed frame from the parent (%s); exiting\n",
                     static_cast<long>(::getpid()), what);
        std::_Exit(worker_exit_protocol_error);
    }

    /// The call the parent placed in the shared region, announced by `announcement`.
    decode_result shared_call(const decode_result& announcement)
    {
        std::uint64_t size = 0;
        std::span<const std::byte> bytes;
        if (read_shared_size(announcement.payload, size))
            bytes = call_region_.frame(static_cast<std::size_t>(size));
        if (bytes.empty())
            protocol_failure("a shared call that the region does not hold");
        decode_result inner = decode_frame(bytes, max_payload_);
        if (inner.status != decode_status::complete || inner.consumed != bytes.size() ||
            inner.header.task_id != announcement.header.task_id || inner.header.kind == frame_kind::shared)
            protocol_failure(inner.error ? inner.error : "a shared call that is not one whole frame");
        region_frame_size_ = bytes.size();
        return inner;
    }

    /// The task id of the call after the current frame, if it is already in the buffer.
    std::optional<std::uint64_t> next_call_id() const noexcept
    {
        auto rest = input_.unread();
        if (rest.size() < pending_consume_)
            return std::nullopt;
        auto frame = decode_frame(rest.subspan(pending_consume_), max_payload_);
        if (frame.status != decode_status::complete)
            return std::nullopt;
        switch (frame.header.kind) {
        case frame_kind::call:
        case frame_kind::map_call:
        case frame_kind::shared:
            return frame.header.task_id;
        default:
            return std::nullopt;
        }
    }

    void write_all(std::span<const std::byte> bytes)
    {
        std::size_t done = 0;
        while (done < bytes.size()) {
            ssize_t n = ::write(reply_fd_, bytes.data() + done, bytes.size() - done);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                std::_Exit(0);  // the parent is gone: nobody wants the results
            }
            done += static_cast<std::size_t>(n);
        }
    }

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
    shared_region call_region_;
    shared_region reply_region_;
    std::size_t region_frame_size_ = 0;  ///< size of the call frame read from the region, until it has run
    claim_board claims_;
    std::uint64_t next_seq_ = 0;  ///< calls received so far: the next one's slot on the claim board
    bool decided_ = false;        ///< the call `decided_seq_` was claimed (or found cancelled) by a flush
    std::uint64_t decided_seq_ = 0;
    bool decided_run_ = false;
    reply_buffer out_;  // after reply_region_: it may point into it
    std::string control_;  ///< a started or skipped frame on its way out
};

} // namespace

/// Runs one call frame and appends its result or failure frame.
bool run_call(const decode_result& frame, reply_buffer& out, std::size_t max_payload)
{
    std::size_t start = out.begin_frame();
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
        // Said here, where the task is known: the parent would refuse the frame as malformed
        // and replace this worker, and the caller would learn nothing of the option to raise.
        std::size_t encoded = out.size() - start - frame_header_size;
        if (encoded > max_payload)
            throw std::length_error("asyncjobs: the result of task '" + entry->name + "' encodes to " +
                                    std::to_string(encoded) + " bytes, more than process_pool_options::max_payload (" +
                                    std::to_string(max_payload) +
                                    "); raise max_payload, return less, or return an asyncjobs::shared_buffer");
        out.finish_frame(start, frame_kind::result, frame.header.task_id);
        return true;
    } catch (...) {
        out.truncate(start);
        start = out.begin_frame();
        std::string failure;
        encode_exception(failure, std::current_exception());
        out.append(failure.data(), failure.size());
        out.finish_frame(start, frame_kind::failure, frame.header.task_id);
        return false;
    }
}

int run_worker_loop(int call_fd, int reply_fd, long parent_pid, std::size_t max_payload)
{
    // The worker dies with its parent, even if the parent is SIGKILLed, and takes what its
    // task started with it (parent_watch.hpp).
    if (!die_with_parent(parent_pid))
        return worker_exit_bad_start;
    // A parent that goes away mid-write makes write() fail with EPIPE instead of killing us
    // by signal; we own this process in worker mode, so changing the disposition is fine.
    std::signal(SIGPIPE, SIG_IGN);
    // Large arguments and results are allocated and freed once per call. By default glibc
    // maps each of them afresh and unmaps it after, so every call pays a page fault per
    // 4 KiB twice over; in a worker (we own the process) keep blocks up to 32 MiB on the heap
    // for reuse, and give memory back only past 64 MiB of free heap.
    ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
    // Processes a task starts must not inherit the protocol pipes: they would keep them
    // open after the worker dies and hide its death from the parent.
    ::fcntl(call_fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(reply_fd, F_SETFD, FD_CLOEXEC);
    // The shared regions, if the parent passed them (it does when the system has memfd).
    shared_region call_region;
    shared_region reply_region;
    if (::fcntl(worker_call_region_fd, F_SETFD, FD_CLOEXEC) == 0 &&
        ::fcntl(worker_reply_region_fd, F_SETFD, FD_CLOEXEC) == 0) {
        call_region = shared_region::adopt(worker_call_region_fd, frame_header_size + max_payload);
        reply_region = shared_region::adopt(worker_reply_region_fd, frame_header_size + max_payload);
    }
    // Both or neither: the parent learns from the hello which it is.
    if (!call_region.valid() || !reply_region.valid()) {
        call_region = {};
        reply_region = {};
    }
    bool shared_regions = call_region.valid();
    // The claim board comes with the regions (both need memfd).
    claim_board claims;
    if (shared_regions && ::fcntl(worker_claim_board_fd, F_SETFD, FD_CLOEXEC) == 0)
        claims = claim_board::adopt(worker_claim_board_fd);
    bool claim_board_mapped = claims.valid();

    worker_channel channel(call_fd, reply_fd, max_payload, std::move(call_region), std::move(reply_region),
                           std::move(claims));
    auto& registry = task_registry::instance();
    {
        worker_hello hello{protocol_version, registry.fingerprint(), static_cast<std::int64_t>(::getpid()),
                           registry.duplicates(), shared_regions, claim_board_mapped};
        std::string out;
        std::size_t start = begin_frame(out);
        encode_hello(out, hello);
        finish_frame(out, start, frame_kind::hello, 0);
        reply_buffer& reply = channel.begin_reply();
        reply.append(out.data(), out.size());
        channel.flush();
    }

    decode_result frame;
    while (channel.next(frame)) {
        switch (frame.header.kind) {
        case frame_kind::call:
        case frame_kind::map_call:
            if (channel.begin_call(frame.header.task_id))
                run_call(frame, channel.begin_reply(), max_payload);
            channel.done_with_frame();
            break;
        case frame_kind::initialize: {
            bool initialized = run_call(frame, channel.begin_reply(), max_payload);
            channel.done_with_frame();
            if (!initialized) {
                channel.flush();
                return worker_exit_initializer_failed;
            }
            break;
        }
        case frame_kind::goodbye:
            channel.flush();
            return 0;
        default:
            std::fprintf(stderr, "asyncjobs worker %ld: unexpected %s frame from the parent; exiting\n",
                         static_cast<long>(::getpid()), frame_kind_name(frame.header.kind));
            return worker_exit_protocol_error;
        }
        // What the task printed leaves before its reply: if a later call (or a kill) ends
        // this worker, stdio buffers that were never flushed would die with it.
        std::fflush(stdout);
        std::fflush(stderr);
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
    // The marker kept this process from building a pool before it got here (a main
    // without the worker line); from now on it is a worker, and what its tasks start,
    // process pools included, must not inherit the marker or the image descriptor.
    if (const char* marker = std::getenv(detail::worker_marker_variable)) {
        if (std::strtol(marker, nullptr, 10) == detail::worker_executable_fd)
            ::close(detail::worker_executable_fd);
        ::unsetenv(detail::worker_marker_variable);
    }
    detail::adopt_parent_arena();
    // process_pool_options::worker_nice, before any thread exists: Linux keeps a nice value
    // per thread, and threads inherit their creator's. Lowering one's own priority needs no
    // privilege; should it fail anyway, the worker still works, so it says why and goes on.
    if (argc >= 5) {
        int increment = static_cast<int>(std::strtol(argv[4], nullptr, 10));
        errno = 0;
        if (increment > 0 && ::nice(increment) == -1 && errno != 0)
            std::fprintf(stderr, "asyncjobs worker %ld: cannot lower its priority by %d: %s\n",
                         static_cast<long>(::getpid()), increment, std::strerror(errno));
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
