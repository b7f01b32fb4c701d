// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// One call of the process pool, from submit until its reply or its worker's death.
#ifndef ASYNCJOBS_SRC_CALL_HPP
#define ASYNCJOBS_SRC_CALL_HPP

#include <asyncjobs/detail/buffer_block.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/detail/task_entry.hpp>
#include <asyncjobs/errors.hpp>

#include "frame_buffer_pool.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asyncjobs::detail {

/// The tries of a call whose workers died under it: each one, and the same in words for
/// the final error's message.
struct call_deaths {
    std::vector<worker_crashed::attempt> attempts;
    std::string words;
    /// task_options::retry_backoff when the task set its own (made at submit then); else
    /// the pool's applies.
    std::optional<std::chrono::milliseconds> backoff;
};

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
    std::size_t deferred = 0;  ///< large arguments, not encoded yet (frame empty): the frame's size (large_call.hpp)
    bool placed = false;       ///< its frame was just encoded into its worker's call region, to be announced
    std::uint64_t id = 0;
    std::chrono::milliseconds timeout{0};  ///< zero: none (a timeout set is positive)
    bool started = false;  ///< claimed (running); re-dispatched after a crash without a new claim
    bool initializer = false;
    bool abandoned = false;  ///< cancelled by cancel_and_kill while queued in a worker: drop its reply
    bool delivered = false;  ///< its whole frame reached the worker's pipe (the worker may have read it)
    bool running = false;    ///< the worker began it (its `started` frame, or the claim board when settled)
    bool gated = false;      ///< sent ahead under the worker's claim board: the worker decides when it starts
    bool cancelled_ahead = false;  ///< cancel() won on the claim board: the worker never runs it
    bool kill_requested = false;  ///< cancel_and_kill found it claimed but not yet first in line: kill when it is
    bool retry_on_timeout = false;   ///< task_options::retry_on_timeout, resolved
    std::uint16_t retries = 0;       ///< task_options::retries, resolved against the pool's (at most policy::max_retries)
    std::uint16_t lost_workers = 0;  ///< workers that died holding it before it started
    std::uint64_t seq = 0;      ///< its place among the calls sent to its worker (the claim board's slot)
    std::chrono::steady_clock::time_point started_at{};  ///< when it became first in line (or its `started` frame came)
    /// The tries its workers died under, made at its first death (or at submit, to hold its
    /// own retry_backoff). Apart because a call is paid for per byte: a bulk submit holds
    /// thousands at once, and their memory moving between the cores showed as time (issue
    /// 14: 192 bytes a call against 120 before the pool policies; 120 again now).
    std::unique_ptr<call_deaths> deaths;
    /// The shared_buffers its arguments sent by handle, kept alive until the call is over
    /// (its reply decoded, or its worker dead): a worker may write them until then.
    mutable std::unique_ptr<pinned_blocks> pins;

private:
    frame_buffer_pool* frames_ = nullptr;
};
using call_ptr = std::shared_ptr<call>;

/// Appends a call frame of `kind` (call, map_call or initialize) to `out`: the task's name,
/// then the arguments `append_arguments(out)` appends, encoded in place.
template <class AppendArguments>
void encode_call_frame(std::string& out, frame_kind kind, std::uint64_t id, std::string_view task_name,
                       AppendArguments&& append_arguments)
{
    std::size_t start = begin_frame(out);
    append_call_payload_name(out, task_name);
    append_arguments(out);
    finish_frame(out, start, kind, id);
}

} // namespace asyncjobs::detail

#endif
