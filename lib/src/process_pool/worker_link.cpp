// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The parent's end of a worker over pipes, on the I/O thread: gathered writes of calls and
// control frames into its call pipe, reading and decoding what it sends back (piped or
// through its shared region), and its exit.

#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/shared_region.hpp>

#include "large_call.hpp"
#include "worker_link.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <unistd.h>

namespace asyncjobs::detail {

namespace {
namespace asio = boost::asio;
static_assert(worker_link::direct_frame_limit <= PIPE_BUF, "a direct write must be atomic");
} // namespace

worker_link::worker_link(asio::io_context& io, const std::string& executable, int image, std::size_t max_payload,
                         int nice, worker_link_events& events)
    : events_(events), process_(io, executable, image, max_payload, nice), max_payload_(max_payload)
{
}

void worker_link::start()
{
    // write_now() must never block a submitting thread on a full pipe. Asio makes the
    // descriptor non-blocking only at its first write, which a worker without an
    // initializer has not had yet.
    int fd = process_.calls().native_handle();
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK))
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    read_more();
    process_.async_wait([this](int status) { on_process_exit(status); });
}

void worker_link::use_features(bool shared_regions, bool claim_board) noexcept
{
    shared_calls_ = shared_regions && process_.call_region().valid();
    gated_ = claim_board && process_.claims().valid();
}

void worker_link::place_call(call& c)
{
    shared_region& region = process_.call_region();
    c.placed = false;
    if (shared_calls_ && region.can_carry(c.deferred)) {
        std::byte* at = region.reserve(c.deferred);
        if (at && encode_call_into(c, at)) {
            c.placed = true;
            return;
        }
    }
    encode_call_whole(c);
}

void worker_link::send_call(call_ptr c)
{
    // The engine sends the next call from inside on_frame, once it has decoded the reply:
    // the reply region must be free before the worker can begin its next reply, or that
    // reply finds it busy and takes the pipe (every other 10 MiB echo did).
    release_shared_reply();
    if (c->placed) {  // place_call() encoded it in the region
        c->placed = false;
        process_.call_region().publish();
        std::string announcement;
        append_shared_frame(announcement, c->id, c->deferred);
        queue_write(outgoing{std::move(c), std::move(announcement)});
        return;
    }
    // A large call goes through the worker's shared region when it is free (the worker
    // is done with the last one): one copy instead of two and no wake-up per pipe buffer.
    // The call keeps its frame, to be sent again elsewhere if this worker dies.
    shared_region& region = process_.call_region();
    if (shared_calls_ && region.can_carry(c->frame.size()) &&
        region.put(std::as_bytes(std::span<const char>(c->frame.data(), c->frame.size())))) {
        std::string announcement;
        append_shared_frame(announcement, c->id, c->frame.size());
        queue_write(outgoing{std::move(c), std::move(announcement)});
        return;
    }
    queue_write(outgoing{std::move(c), {}});
}

bool worker_link::write_now(std::string_view frame) noexcept
{
    // The I/O thread blocks SIGPIPE for good; a submitting thread is the application's, so
    // it is blocked only around this write, and a SIGPIPE this write raised is taken back
    // before the old mask returns. (If the thread blocked SIGPIPE itself, one may have been
    // pending already and must stay: then the signal is left pending, as the thread asked.)
    sigset_t pipe_signal;
    sigset_t old;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
    ssize_t n;
    do {
        n = ::write(process_.calls().native_handle(), frame.data(), frame.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EPIPE && !sigismember(&old, SIGPIPE)) {
        const timespec now{};
        while (::sigtimedwait(&pipe_signal, nullptr, &now) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    // At most PIPE_BUF bytes: written whole or not at all (POSIX), never in part.
    return n == static_cast<ssize_t>(frame.size());
}

void worker_link::say_goodbye()
{
    close_when_written_ = true;
    outgoing goodbye;
    append_frame(goodbye.control, frame_kind::goodbye, 0, {});
    queue_write(std::move(goodbye));
}

void worker_link::kill() noexcept
{
    close_when_written_ = false;
    process_.signal_group(SIGKILL);
}

void worker_link::queue_write(outgoing frame)
{
    pending_.push_back(std::move(frame));
    start_write();
}

void worker_link::start_write()
{
    if (write_in_progress_ || pending_.empty() || exited_)
        return;
    // Many small frames leave in one gathered write; large ones are not copied.
    writing_.swap(pending_);
    pending_.clear();
    write_buffers_.clear();
    for (auto& frame : writing_)
        write_buffers_.push_back(asio::buffer(frame.bytes()));
    write_in_progress_ = true;
    asio::async_write(process_.calls(), write_buffers_, [this](boost::system::error_code ec, std::size_t written) {
        write_in_progress_ = false;
        // Frames written whole may have been read; a frame cut short or never written
        // (EPIPE: the worker was already dead) was not.
        std::size_t offset = 0;
        for (auto& frame : writing_) {
            offset += frame.bytes().size();
            if (frame.owner && offset <= written)
                frame.owner->delivered = true;
        }
        writing_.clear();
        if (ec) {
            // The worker is gone; its exit and the reader account for it.
            pending_.clear();
            maybe_close();
            return;
        }
        if (close_when_written_ && pending_.empty()) {
            boost::system::error_code ignored;
            process_.calls().close(ignored);
            return;
        }
        start_write();
    });
}

void worker_link::read_more(std::size_t want)
{
    auto space = input_.free_space(std::max<std::size_t>(want, 1 << 16));
    read_pending_ = true;
    process_.replies().async_read_some(asio::buffer(space.data(), space.size()),
                                       [this](boost::system::error_code ec, std::size_t n) {
                                           read_pending_ = false;
                                           if (ec) {
                                               if (exited_ && !reader_done_) {
                                                   drain_after_exit();  // the exit cancelled this read
                                                   return;
                                               }
                                               reader_done_ = true;
                                               maybe_close();
                                               return;
                                           }
                                           take_input(n);
                                           if (exited_) {
                                               drain_after_exit();
                                               return;
                                           }
                                           read_more(input_wanted_);
                                       });
}

void worker_link::take_input(std::size_t n)
{
    input_.commit(n);
    std::optional<std::size_t> want;
    if (!discarding_)
        want = process_input();
    if (!want) {
        // Being killed: drain until end of file, which tells us the pipe is done with.
        discarding_ = true;
        input_.consume(input_.unread().size());
    }
    input_wanted_ = want.value_or(1);
}

std::optional<std::size_t> worker_link::process_input()
{
    for (;;) {
        auto frame = decode_frame(input_.unread(), max_payload_);
        if (frame.status == decode_status::incomplete) {
            input_.shrink();
            if (input_.unread().size() >= frame_header_size)
                return frame_header_size + frame.header.payload_size - input_.unread().size();
            return 1;
        }
        if (frame.status == decode_status::malformed) {
            events_.on_bad_output(std::string("malformed output from the worker: ") + frame.error);
            return std::nullopt;
        }
        bool keep_going = deliver(frame);
        input_.consume(frame.consumed);
        if (!keep_going)
            return std::nullopt;
    }
}

bool worker_link::deliver(const decode_result& frame)
{
    if (frame.header.kind != frame_kind::shared)
        return events_.on_frame(frame);
    std::uint64_t size = 0;
    shared_region& region = process_.reply_region();
    std::span<const std::byte> bytes;
    if (read_shared_size(frame.payload, size))
        bytes = region.frame(static_cast<std::size_t>(size));
    if (bytes.empty()) {
        events_.on_bad_output("the worker announced a shared reply that its region does not hold");
        return false;
    }
    auto inner = decode_frame(bytes, max_payload_);
    bool valid = inner.status == decode_status::complete && inner.consumed == bytes.size() &&
                 inner.header.task_id == frame.header.task_id &&
                 (inner.header.kind == frame_kind::result || inner.header.kind == frame_kind::failure);
    if (!valid) {
        events_.on_bad_output(std::string("the worker's shared reply is malformed: ") +
                              (inner.error ? inner.error : "not one whole result or failure frame for the announced task"));
        return false;
    }
    shared_reply_ = bytes.size();
    bool keep_going = events_.on_frame(inner);
    release_shared_reply();
    return keep_going;
}

void worker_link::release_shared_reply() noexcept
{
    if (shared_reply_)
        process_.reply_region().release(std::exchange(shared_reply_, 0));
}

void worker_link::on_process_exit(int status)
{
    exited_ = true;
    events_.on_exit(status);
    // What its tasks started dies with the worker, whatever ended it: a process forked
    // without exec holds the worker's pipes, and would otherwise outlive the pool.
    process_.kill_leftovers();
    // Its output is complete now, and a process that escaped the group (setsid) may still
    // hold the pipes, so neither end of file nor EPIPE is sure to come: stop waiting for them.
    boost::system::error_code ignored;
    if (write_in_progress_)
        process_.calls().cancel(ignored);  // its handler closes the link
    if (!reader_done_) {
        if (read_pending_)
            process_.replies().cancel(ignored);  // its handler drains what is left
        else
            drain_after_exit();
        return;
    }
    maybe_close();
}

void worker_link::drain_after_exit()
{
    int fd = process_.replies().native_handle();
    if (fd >= 0) {
        int flags = ::fcntl(fd, F_GETFL);
        if (flags >= 0)
            ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        for (;;) {
            auto space = input_.free_space(std::max<std::size_t>(input_wanted_, 1 << 16));
            ssize_t n = ::read(fd, space.data(), space.size());
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;  // end of file, or empty with a writer left (EAGAIN)
            take_input(static_cast<std::size_t>(n));
        }
    }
    boost::system::error_code ignored;
    process_.replies().close(ignored);
    reader_done_ = true;
    maybe_close();
}

void worker_link::maybe_close()
{
    if (exited_ && reader_done_ && !write_in_progress_)
        events_.on_closed();  // may destroy this link
}

} // namespace asyncjobs::detail
