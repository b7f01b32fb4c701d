// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The process pool's decisions, as pure functions of what the engine knows: how far ahead
// calls are sent, which worker gets the next call, what becomes of the calls a dead
// worker held and whether the one it ran runs again (retries), which idle workers exit,
// and what a worker's memory calls for. The engine gathers the facts and acts; the rules live here, where a table of
// cases can test them (test/test_pool_policy.cpp) without starting a process.
#ifndef ASYNCJOBS_SRC_PROCESS_POOL_POLICY_HPP
#define ASYNCJOBS_SRC_PROCESS_POOL_POLICY_HPP

#include <asyncjobs/task_options.hpp>

#include "worker_life.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace asyncjobs::detail::policy {

/// The deepest automatic pipeline: calls sent ahead to one worker.
inline constexpr std::size_t deepest_pipeline = 64;
/// The shallowest: one running and one waiting hides the round trip between calls.
inline constexpr std::size_t shallowest_pipeline = 2;
/// How much work (by the average task's time) is worth sending ahead of a worker.
inline constexpr std::chrono::nanoseconds work_sent_ahead = std::chrono::milliseconds(2);

/// How deep the automatic pipeline may go, given the moving average of the task time (zero
/// while nothing has run). Sending ahead hides a pipe round trip, which only matters for
/// short tasks; a call sent ahead waits behind the running one, so long tasks (100 ms) are
/// not queued behind each other: that would starve workers that free up and delay a
/// cancel-by-kill of the ones behind.
constexpr std::size_t pipeline_cap(std::chrono::nanoseconds average_task) noexcept
{
    if (average_task.count() <= 0)
        return deepest_pipeline;
    auto ahead = static_cast<std::size_t>(work_sent_ahead / average_task);
    return std::clamp<std::size_t>(shallowest_pipeline + std::min(ahead, deepest_pipeline), shallowest_pipeline,
                                   deepest_pipeline);
}

/// The pipeline depth for the next call: `configured` (process_pool_options::pipeline_depth)
/// when set, else the queue shared among the ready workers, between 2 and `cap`; never more
/// than the claim board has slots for (`board_slots` - 1: one slot stays free to tell a new
/// call from an old one).
constexpr std::size_t pipeline_depth(std::size_t configured, std::size_t queued, std::size_t ready_workers,
                                     std::size_t cap, std::size_t board_slots) noexcept
{
    std::size_t depth = configured;
    if (depth == 0)
        depth = ready_workers ? std::clamp<std::size_t>(queued / ready_workers, shallowest_pipeline,
                                                        std::max(cap, shallowest_pipeline))
                              : shallowest_pipeline;
    return std::min(depth, board_slots - 1);
}

/// What pick_worker() knows of one worker.
struct worker_load {
    bool ready = false;     ///< hello received, initializer done
    bool retiring = false;  ///< takes no more calls
    std::size_t in_flight = 0;
    std::size_t tasks_done = 0;
};

/// What pick_worker() knows of the pool.
struct pool_load {
    std::size_t queued = 0;               ///< calls waiting in the parent's queue
    std::size_t depth = 0;                ///< pipeline_depth() for this round
    std::size_t max_workers = 0;
    std::size_t max_tasks_per_child = 0;  ///< 0: unlimited
};

/// The index of the least-loaded ready worker with room in its pipeline, or none. A worker
/// near max_tasks_per_child takes only the calls it may still run (whatever it holds when
/// it retires, it runs). None as well when the best one is busy and the workers that are
/// starting, or may still be started, could take all the waiting work: a call must not
/// queue behind a running task then.
inline std::optional<std::size_t> pick_worker(std::span<const worker_load> workers, const pool_load& pool) noexcept
{
    std::optional<std::size_t> best;
    std::size_t starting = 0;
    std::size_t live = 0;
    for (std::size_t i = 0; i < workers.size(); ++i) {
        const worker_load& w = workers[i];
        if (w.retiring)
            continue;
        ++live;
        if (!w.ready) {
            ++starting;
            continue;
        }
        if (w.in_flight >= pool.depth)
            continue;
        if (pool.max_tasks_per_child && w.tasks_done + w.in_flight >= pool.max_tasks_per_child)
            continue;
        if (!best || w.in_flight < workers[*best].in_flight)
            best = i;
    }
    std::size_t spare = starting + (pool.max_workers > live ? pool.max_workers - live : 0);
    if (best && workers[*best].in_flight != 0 && pool.queued <= spare)
        return std::nullopt;
    return best;
}

/// Deaths of workers holding a call that had not started, before that call fails instead
/// of going to yet another worker.
inline constexpr unsigned max_lost_workers = 3;

/// What happened to the first call a dead worker held (the ones behind it never started).
struct first_call_facts {
    bool running = false;         ///< the worker said it started it, or claimed it on the board
    bool delivered = false;       ///< its whole frame reached the worker's pipe
    bool killed_by_pool = false;  ///< the pool killed the worker (timeout, cancel, protocol error; not shutdown)
    unsigned lost_workers = 0;    ///< workers that died holding it before, not counting this one
};

enum class held_call_verdict {
    fail,        ///< the call fails (worker_crashed, task_timeout, cancelled ...)
    redispatch,  ///< the call goes back to the front of the queue for another worker
};

/// The verdict on the first call a dead worker held. It fails if it was running, if the
/// pool killed the worker while it held it, or if workers keep dying before they start it
/// (so that a call that kills every worker fails rather than go round forever); otherwise
/// another worker gets it. A worker that never became ready blames nothing. The calls
/// behind the first are always re-dispatched.
constexpr held_call_verdict dead_worker_verdict(bool worker_was_ready, const first_call_facts& first) noexcept
{
    if (!worker_was_ready)
        return held_call_verdict::redispatch;
    if (first.running || (first.killed_by_pool && first.delivered))
        return held_call_verdict::fail;
    if (first.delivered && first.lost_workers + 1 >= max_lost_workers)
        return held_call_verdict::fail;
    return held_call_verdict::redispatch;
}

/// What ended the call a dead worker was running, as its future will say.
enum class death_cause {
    crashed,     ///< the worker died on its own: a crash, a kill from outside, the OOM killer
    timeout,     ///< the pool killed it for this call's timeout
    cancelled,   ///< cancel_and_kill aimed at this call
    protocol,    ///< the worker broke the wire protocol
    terminated,  ///< terminate()
    memory_limit,  ///< the pool killed it for going over memory_limit while it ran this call
};

/// The cause of death for a call that was running. A kill aimed at another call (its
/// timeout, its cancel_and_kill, which finished while the signal was on its way) is no
/// fault of this one: for it, the worker simply died.
constexpr death_cause cause_of_death(kill_reason reason, bool aimed_at_this_call) noexcept
{
    switch (reason) {
    case kill_reason::timeout:
        return aimed_at_this_call ? death_cause::timeout : death_cause::crashed;
    case kill_reason::cancel:
        return aimed_at_this_call ? death_cause::cancelled : death_cause::crashed;
    case kill_reason::memory:
        return aimed_at_this_call ? death_cause::memory_limit : death_cause::crashed;
    case kill_reason::protocol:
        return death_cause::protocol;
    case kill_reason::terminate:
        return death_cause::terminated;
    case kill_reason::none:
    case kill_reason::shutdown:  // a retiring worker that died before it finished what it held
        break;
    }
    return death_cause::crashed;
}

/// The largest task_options::retries / process_pool_options::retries (task_options.hpp).
inline constexpr unsigned max_retries = task_max_retries;

/// What retry_after_death() knows of a call whose worker died under it.
struct retry_facts {
    death_cause cause = death_cause::crashed;
    unsigned tries = 0;    ///< tries ended by a death so far, this one included
    unsigned retries = 0;  ///< how many times it may run again (task_options::retries)
    bool retry_on_timeout = false;
};

/// Whether the call runs again on another worker. Only a death that is no decision of the
/// task's caller or of the protocol is retried: a crash or a kill from outside, and a
/// timeout when asked for. A task's own exception never reaches here (the worker lived).
constexpr bool retry_after_death(const retry_facts& f) noexcept
{
    if (f.tries > f.retries)
        return false;
    switch (f.cause) {
    case death_cause::crashed:
        return true;
    case death_cause::timeout:
        return f.retry_on_timeout;
    default:
        return false;
    }
}

/// The longest wait before a retry.
inline constexpr std::chrono::milliseconds longest_retry_delay = std::chrono::minutes(1);

/// How long the `retry`-th retry (1 for the first) waits before it goes back to the queue:
/// `backoff`, doubling with each retry, at most longest_retry_delay (or `backoff` itself if
/// that is longer). Zero: at once, ahead of the queue.
constexpr std::chrono::milliseconds retry_delay(std::chrono::milliseconds backoff, unsigned retry) noexcept
{
    if (backoff.count() <= 0 || retry == 0)
        return std::chrono::milliseconds::zero();
    auto cap = std::max(backoff, longest_retry_delay);
    auto delay = backoff;
    for (unsigned i = 1; i < retry && delay < cap; ++i)
        delay = delay > cap / 2 ? cap : delay * 2;
    return std::min(delay, cap);
}

/// What becomes of a worker given its resident memory (`resident`, bytes; 0: unknown).
enum class memory_verdict {
    keep,
    replace,  ///< retire it: it finishes what it holds and a new worker takes its place
    kill,     ///< kill it now: the call it runs fails with memory_limit_exceeded
};

/// The memory guard. Over `memory_limit` (the hard cap, 0: none) a worker running a call is
/// killed, and an idle one replaced; over `max_worker_memory` (0: none) a worker is
/// replaced once it is between calls (loky's rule, with a threshold of the user's).
constexpr memory_verdict judge_memory(std::uint64_t resident, bool running, std::uint64_t max_worker_memory,
                                      std::uint64_t memory_limit) noexcept
{
    if (resident == 0)
        return memory_verdict::keep;
    if (memory_limit && resident > memory_limit)
        return running ? memory_verdict::kill : memory_verdict::replace;
    if (max_worker_memory && resident > max_worker_memory && !running)
        return memory_verdict::replace;
    return memory_verdict::keep;
}

/// How often the memory of running workers is read while memory_limit is set: an
/// allocation faster than this may overshoot the limit before the kill.
inline constexpr std::chrono::milliseconds memory_poll_interval{10};

/// Whether an idle worker exits (process_pool_options::idle_timeout): it has been idle
/// that long, and the live workers that stay (`staying`, this one included) are more than
/// `min_workers`. Unset: never.
constexpr bool reap_idle(std::optional<std::chrono::nanoseconds> idle_timeout, std::chrono::nanoseconds idle_for,
                         std::size_t staying, std::size_t min_workers) noexcept
{
    return idle_timeout && idle_for >= *idle_timeout && staying > min_workers;
}

/// How often the pool looks for idle workers: a quarter of idle_timeout (so a worker
/// leaves at most a quarter late), between 1 ms and 5 s.
constexpr std::chrono::nanoseconds idle_sweep_interval(std::chrono::nanoseconds idle_timeout) noexcept
{
    return std::clamp<std::chrono::nanoseconds>(idle_timeout / 4, std::chrono::milliseconds(1),
                                                std::chrono::seconds(5));
}

} // namespace asyncjobs::detail::policy

#endif
