// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// What the process pool's I/O thread knows of one worker and of the calls it holds.
#ifndef ASYNCJOBS_SRC_POOL_WORKER_HPP
#define ASYNCJOBS_SRC_POOL_WORKER_HPP

#include <asyncjobs/detail/byte_buffer.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/detail/task_entry.hpp>

#include "frame_buffer_pool.hpp"
#include "worker_process.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace asyncjobs::detail {

/// One call on its way to a worker.
struct call {
    call() = default;
    explicit call(frame_buffer_pool& frames) : frame(frames.take()), frames_(&frames) {}
    call(const call&) = delete;
    call& operator=(const call&) = delete;
    ~call()
    {
        if (frames_)
            frames_->give_back(std::move(frame));
    }

    state_ptr state;
    remote_call* remote = nullptr;
    const task_entry* entry = nullptr;
    std::string frame;
    std::uint64_t id = 0;
    std::optional<std::chrono::milliseconds> timeout;
    bool started = false;  ///< claimed (running); re-dispatched after a crash without a new claim
    bool initializer = false;
    bool abandoned = false;  ///< cancelled by cancel_and_kill while queued in a worker: drop its reply
    bool delivered = false;  ///< its whole frame reached the worker's pipe (the worker may have read it)
    bool running = false;    ///< the worker said it started running it (a `started` frame)
    bool gated = false;      ///< sent ahead under the worker's claim board: the worker decides when it starts
    bool cancelled_ahead = false;  ///< cancel() won on the claim board: the worker never runs it
    bool kill_requested = false;  ///< cancel_and_kill found it claimed but not yet first in line: kill when it is
    unsigned lost_workers = 0;  ///< workers that died holding it before it started
    std::uint64_t seq = 0;      ///< its place among the calls sent to its worker (the claim board's slot)
    std::chrono::steady_clock::time_point started_at{};  ///< when its `started` frame arrived

private:
    frame_buffer_pool* frames_ = nullptr;
};
using call_ptr = std::shared_ptr<call>;

enum class kill_reason { none, timeout, cancel, protocol, shutdown, terminate };

/// A frame to send: a call's own frame (not copied), a small control frame, or the
/// announcement of a call's frame placed in the shared region (owner and control both set).
struct outgoing {
    call_ptr owner;
    std::string control;
    const std::string& bytes() const noexcept { return owner && control.empty() ? owner->frame : control; }
};

struct worker {
    explicit worker(boost::asio::io_context& io, const std::string& exe, int image, std::size_t max_payload, int nice)
        : process(io, exe, image, max_payload, nice), timer(io), start_timer(io)
    {
    }
    worker_process process;
    boost::asio::steady_timer timer;
    boost::asio::steady_timer start_timer;  ///< process_pool_options::start_timeout, until the hello
    byte_buffer input;
    std::vector<outgoing> pending;  ///< frames waiting for the current write to finish
    std::vector<outgoing> writing;  ///< the frames of the write in progress
    std::vector<boost::asio::const_buffer> write_buffers;
    bool write_in_progress = false;
    std::deque<call_ptr> in_flight;  ///< sent, in order; the front one is running
    bool greeted = false;            ///< its hello arrived (the start timeout no longer applies)
    bool ready = false;              ///< hello received and checked, initializer done
    bool shared_regions = false;     ///< the worker mapped the shared regions (its hello says)
    bool claims = false;             ///< the worker mapped the claim board (its hello says): calls sent ahead are gated
    std::uint64_t calls_sent = 0;    ///< call frames sent, counted as the worker counts them
    bool discarding = false;         ///< output is no longer trusted: read and drop it
    bool retiring = false;           ///< goodbye sent or being killed: takes no more calls
    bool reader_done = false;
    bool read_pending = false;       ///< a read of the reply pipe is under way (it owns the input's free space)
    std::size_t input_wanted = 1;    ///< bytes the next frame still needs (what the next read asks for)
    bool exited = false;
    int exit_status = 0;
    std::size_t tasks_done = 0;
    kill_reason reason = kill_reason::none;
    std::string reason_detail;
    std::weak_ptr<call> kill_target;  ///< the call a timeout or cancel_and_kill kill was aimed at
};

} // namespace asyncjobs::detail

#endif
