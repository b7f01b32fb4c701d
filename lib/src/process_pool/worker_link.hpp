// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The parent's end of one worker, the mirror of the worker's worker_channel: the process,
// its pipes and shared regions, the write queue, the read loop and frame decoding. The
// engine hands it frames to send and hears, through worker_link_events, the frames that
// come back and the end of the worker; it touches no descriptor itself. A transport other
// than a child process over pipes (MPI) is another class with this interface.
#ifndef ASYNCJOBS_SRC_WORKER_LINK_HPP
#define ASYNCJOBS_SRC_WORKER_LINK_HPP

#include <asyncjobs/detail/byte_buffer.hpp>
#include <asyncjobs/detail/frame.hpp>

#include "call.hpp"
#include "common/claim_board.hpp"
#include "worker_process.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asyncjobs::detail {

/// What a worker_link reports, on the I/O thread.
class worker_link_events {
public:
    /// A whole frame from the worker; a reply left in the shared region arrives as the
    /// result or failure frame it announced. False: the worker is being killed, so the rest
    /// of its output is read and dropped.
    virtual bool on_frame(const decode_result& frame) = 0;
    /// The worker's output broke the protocol (`why` says how); the rest is dropped.
    virtual void on_bad_output(std::string why) = 0;
    /// The worker was reaped (`status`: its raw wait status, -1 if unknown); what it wrote
    /// before is still to come through on_frame.
    virtual void on_exit(int status) = 0;
    /// Exited, its output drained, no write under way: the link may be destroyed now, and
    /// must not be touched after this returns.
    virtual void on_closed() = 0;

protected:
    ~worker_link_events() = default;
};

/// A frame to send: a call's own frame (not copied), a small control frame, or the
/// announcement of a call's frame placed in the shared region (owner and control both set).
struct outgoing {
    call_ptr owner;
    std::string control;
    const std::string& bytes() const noexcept { return owner && control.empty() ? owner->frame : control; }
};

class worker_link {
public:
    /// Starts the worker process (worker_process's constructor says what it throws).
    worker_link(boost::asio::io_context& io, const std::string& executable, int image, std::size_t max_payload,
                int nice, worker_link_events& events);
    worker_link(const worker_link&) = delete;
    worker_link& operator=(const worker_link&) = delete;

    /// Begins reading the worker's output and watching for its exit.
    void start();

    long pid() const noexcept { return process_.pid(); }

    /// What the worker's hello says it mapped: the shared regions (large calls go through
    /// them) and the claim board (calls sent ahead are gated). Each counts only if this
    /// side has it too.
    void use_features(bool shared_regions, bool claim_board) noexcept;
    bool gates_calls() const noexcept { return gated_; }
    /// Who starts each call sent ahead: the worker or a cancel (claim_board.hpp).
    claim_board& claims() noexcept { return process_.claims(); }

    /// Encodes a call whose large arguments were only measured at submit (call::deferred):
    /// straight into the worker's call region when it is free (the next send_call announces
    /// it), else into the call's own frame. Throws what the arguments' encoding throws.
    void place_call(call& c);

    /// Sends a call's frame: through the shared region when it is large and the region is
    /// free, else down the pipe. Marks the call delivered once its whole frame is written.
    void send_call(call_ptr c);

    /// Whether a frame may be written straight from another thread (write_now): nothing
    /// queued or being written, no goodbye sent, the worker not known to have exited.
    bool writes_idle() const noexcept
    {
        return !write_in_progress_ && pending_.empty() && !close_when_written_ && !exited_;
    }

    /// The largest frame write_now() takes: a pipe writes up to PIPE_BUF bytes whole or not
    /// at all, so a direct write never leaves half a frame for the I/O thread to finish.
    static constexpr std::size_t direct_frame_limit = 4096;

    /// From a submitting thread, while the engine has lent it this idle link (under the
    /// engine's mutex, writes_idle() true when lent): writes `frame` (at most
    /// direct_frame_limit bytes) down the call pipe without blocking. True: written whole.
    /// False: nothing written (pipe full, or the worker is gone: EPIPE, and no SIGPIPE
    /// reaches the caller's thread); the I/O thread then sends it as any other.
    bool write_now(std::string_view frame) noexcept;

    /// Sends goodbye, then closes the call pipe once everything queued is written.
    void say_goodbye();

    /// SIGKILLs the worker and what its tasks started. A goodbye sent before no longer
    /// closes the call pipe: the worker ends by the signal, not by reading its input out.
    void kill() noexcept;

    /// Sends `signal` to the worker and what its tasks started (shutdown's SIGTERM, SIGKILL).
    void signal(int signal) noexcept { process_.signal_group(signal); }

    /// Bytes of a frame cut short at the end of its output (0 if its output was dropped).
    std::size_t partial_frame_bytes() const noexcept { return discarding_ ? 0 : input_.unread().size(); }

private:
    void queue_write(outgoing frame);
    void start_write();
    void read_more(std::size_t want = 1);
    /// Appends `n` bytes just read to the input and acts on its complete frames.
    void take_input(std::size_t n);
    /// Handles every complete frame in the buffer. Returns how many bytes the next frame
    /// still needs, or nullopt once the worker is being killed.
    std::optional<std::size_t> process_input();
    /// A shared reply is decoded in place, like a piped one.
    bool deliver(const decode_result& frame);
    /// Lets the worker reuse its reply region: the reply read from it has been decoded.
    void release_shared_reply() noexcept;
    void on_process_exit(int status);
    /// Once the worker is dead, its output is whatever its pipe holds now: a process its
    /// task forked may keep the write end open, so end of file may never come. Reads what
    /// is there without blocking, closes the pipe and finishes.
    void drain_after_exit();
    void maybe_close();

    worker_link_events& events_;
    worker_process process_;
    const std::size_t max_payload_;
    byte_buffer input_;
    std::vector<outgoing> pending_;  ///< frames waiting for the current write to finish
    std::vector<outgoing> writing_;  ///< the frames of the write in progress
    std::vector<boost::asio::const_buffer> write_buffers_;
    bool write_in_progress_ = false;
    bool close_when_written_ = false;  ///< goodbye sent: the worker needs no more input
    bool shared_calls_ = false;
    bool gated_ = false;
    bool discarding_ = false;     ///< output is no longer trusted: read and drop it
    bool reader_done_ = false;
    bool read_pending_ = false;   ///< a read of the reply pipe is under way (it owns the input's free space)
    std::size_t input_wanted_ = 1;  ///< bytes the next frame still needs (what the next read asks for)
    bool exited_ = false;
    std::size_t shared_reply_ = 0;  ///< size of the reply being delivered from the reply region, until released
};

} // namespace asyncjobs::detail

#endif
