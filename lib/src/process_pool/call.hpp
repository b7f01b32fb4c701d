// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// One call of the process pool, from submit until its reply or its worker's death.
#ifndef ASYNCJOBS_SRC_CALL_HPP
#define ASYNCJOBS_SRC_CALL_HPP

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
    unsigned retries = 0;            ///< task_options::retries, resolved against the pool's
    bool retry_on_timeout = false;   ///< task_options::retry_on_timeout, resolved
    std::chrono::milliseconds retry_backoff{0};
    std::vector<worker_crashed::attempt> attempts;  ///< tries its workers died under (empty until one does)
    std::string deaths;  ///< the same, in words, for the final error's message

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
