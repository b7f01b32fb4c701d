// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Acting on the frames a worker's link delivers, on the I/O thread: hello, started,
// skipped, results and failures.

#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>
#include <asyncjobs/errors.hpp>

#include "process_pool_engine.hpp"

#include <exception>
#include <mutex>
#include <span>
#include <string>
#include <utility>

namespace asyncjobs::detail {

namespace {

std::string describe_exception(std::span<const std::byte> payload)
{
    try {
        std::rethrow_exception(decode_exception(payload));
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an unknown exception";
    }
}

} // namespace

// Each event first takes the lent workers back (reclaim_lent): a call a submitter sent
// this worker directly must be in its in_flight before its reply, its death or its end is
// acted on.

bool worker::on_frame(const decode_result& frame)
{
    engine.reclaim_lent();
    return engine.handle_frame(*this, frame);
}

void worker::on_bad_output(std::string why) { engine.kill_worker(*this, kill_reason::protocol, std::move(why)); }

void worker::on_exit(int status)
{
    engine.reclaim_lent();  // before it stops taking calls: what was sent it directly, it held
    life.exit(status);  // the replies drained after this may dispatch: not to this worker
    gone.store(true, std::memory_order_relaxed);
}

void worker::on_closed()
{
    engine.reclaim_lent();
    engine.finish_worker(*this);
}

bool process_pool_engine::handle_frame(worker& w, const decode_result& frame)
{
    switch (frame.header.kind) {
    case frame_kind::hello:
        return handle_hello(w, frame);
    case frame_kind::result:
    case frame_kind::failure:
        return handle_reply(w, frame);
    case frame_kind::started:
        return handle_started(w, frame);
    case frame_kind::skipped:
        return handle_skipped(w, frame);
    default:
        kill_worker(w, kill_reason::protocol,
                    std::string("the worker sent an unexpected ") + frame_kind_name(frame.header.kind) + " frame");
        return false;
    }
}

bool process_pool_engine::handle_hello(worker& w, const decode_result& frame)
{
    if (w.life.was_ready()) {
        kill_worker(w, kill_reason::protocol, "the worker said hello twice");
        return false;
    }
    worker_hello hello;
    try {
        hello = decode_hello(frame.payload.data(), frame.payload.size());
    } catch (...) {
        kill_worker(w, kill_reason::protocol, "the worker's hello frame is malformed");
        return false;
    }
    auto fingerprint = task_registry::instance().fingerprint();
    if (hello.protocol != protocol_version || hello.registry_fingerprint != fingerprint) {
        std::string why = "asyncjobs: the worker program '" + executable_ +
                          "' was built from a different program or asyncjobs version (its task registry or protocol "
                          "differs from this one's); rebuild it with the same registered tasks";
        break_pool(std::make_exception_ptr(protocol_error(why)));
        kill_worker(w, kill_reason::protocol, why);
        return false;
    }
    // With an initializer, the worker is ready once it has succeeded (handle_reply).
    bool initializer_pending = !w.in_flight.empty() && w.in_flight.front()->initializer;
    w.life.said_hello(initializer_pending);
    w.start_timer.cancel();
    w.link.use_features(hello.shared_regions, hello.claim_board);
    if (!initializer_pending) {
        start_failures_ = 0;
        killed_starts_ = 0;
        dispatch();
    }
    return true;
}

bool process_pool_engine::handle_started(worker& w, const decode_result& frame)
{
    if (w.in_flight.empty() || w.in_flight.front()->initializer || w.in_flight.front()->id != frame.header.task_id ||
        !frame.payload.empty()) {
        kill_worker(w, kill_reason::protocol,
                    "the worker said it started task id " + std::to_string(frame.header.task_id) +
                        ", which is not the next call it holds");
        return false;
    }
    call& c = *w.in_flight.front();
    if (c.gated) {
        std::lock_guard lock(mutex_);
        settle_gate_locked(w, c);
        if (!c.started) {
            kill_worker(w, kill_reason::protocol,
                        "the worker said it started task id " + std::to_string(frame.header.task_id) +
                            " without claiming it on the claim board");
            return false;
        }
    }
    c.running = true;
    w.busy.store(true, std::memory_order_relaxed);
    c.started_at = std::chrono::steady_clock::now();
    kill_if_requested(w);
    return true;
}

bool process_pool_engine::handle_skipped(worker& w, const decode_result& frame)
{
    // Only a call the parent cancelled on the board may be skipped (its gate settled by
    // arbitrate_cancel() or cancel_gated_locked(); its state may still be completing).
    if (w.in_flight.empty() || w.in_flight.front()->initializer || w.in_flight.front()->id != frame.header.task_id ||
        !frame.payload.empty() || !w.in_flight.front()->gated ||
        !w.link.claims().cancelled(w.in_flight.front()->seq)) {
        kill_worker(w, kill_reason::protocol,
                    "the worker skipped task id " + std::to_string(frame.header.task_id) +
                        ", which is not a cancelled call it holds next");
        return false;
    }
    call_ptr c = std::move(w.in_flight.front());
    w.in_flight.pop_front();
    w.timer.cancel();
    {
        std::lock_guard lock(mutex_);
        c->gated = false;
        count_end(ending::cancelled);  // by a cancel() that won on the claim board
        finished_one_locked();
    }
    w.now_first();
    if (!w.in_flight.empty()) {
        arm_timer(w);
        kill_if_requested(w);
    } else if (options_.idle_timeout) {
        w.idle_since = std::chrono::steady_clock::now();
    }
    dispatch();
    return true;
}

void process_pool_engine::kill_if_requested(worker& w)
{
    if (!w.in_flight.empty() && w.in_flight.front()->kill_requested && !w.in_flight.front()->state->ready())
        kill_worker(w, kill_reason::cancel, {}, w.in_flight.front());
}

bool process_pool_engine::handle_reply(worker& w, const decode_result& frame)
{
    if (w.in_flight.empty() || w.in_flight.front()->id != frame.header.task_id) {
        kill_worker(w, kill_reason::protocol,
                    "the worker replied for task id " + std::to_string(frame.header.task_id) +
                        (w.in_flight.empty() ? ", but it was given no task"
                                             : ", but it was running task id " + std::to_string(w.in_flight.front()->id)));
        return false;
    }
    call_ptr c = std::move(w.in_flight.front());
    w.in_flight.pop_front();
    w.timer.cancel();
    w.busy.store(false, std::memory_order_relaxed);
    w.now_first();  // before the workers are lent: a direct send's first_seq must not be overwritten
    // The caller this reply wakes often submits its next call at once: lend the idle
    // workers before it can (not only at dispatch()'s end), or that call finds none lent
    // and waits for this thread. Not when this worker must be judged or retired before its
    // next call (memory guard, max_tasks_per_child). From then on, until the worker's next
    // event takes them back, its in_flight may miss a call sent directly: nothing below
    // reads it but to set idle_since, and dispatch() leaves lent workers lent.
    const bool lend_early = !c->initializer && !c->abandoned && w.in_flight.empty() && !options_.max_worker_memory &&
                            !options_.memory_limit &&
                            (!options_.max_tasks_per_child || w.tasks_done + 1 < options_.max_tasks_per_child);
    {
        std::lock_guard lock(mutex_);
        if (c->gated)  // replied without a `started` frame first: the board says whether it ran
            settle_gate_locked(w, *c);
        if (lend_early && w.life.takes_calls() && w.link.writes_idle())
            lend_idle_locked();
    }
    if (c->running) {
        // A moving average over about 8 calls: what pipeline_cap() sizes sending ahead by.
        auto took = std::chrono::steady_clock::now() - c->started_at;
        average_task_ = average_task_.count() ? (average_task_ * 7 + took) / 8 : took;
    }
    if (c->initializer) {
        if (frame.header.kind == frame_kind::failure) {
            last_start_error_ = describe_exception(frame.payload);
            return true;  // the worker exits; finish_worker counts a start failure
        }
        w.life.initialized();
        start_failures_ = 0;
        killed_starts_ = 0;
    } else if (c->abandoned) {
        ++w.tasks_done;
        w.finished.store(w.tasks_done, std::memory_order_relaxed);
    } else {
        count_end(frame.header.kind == frame_kind::result ? ending::completed : ending::failed);
        if (frame.header.kind == frame_kind::result) {
            c->remote->complete_from(*c->entry, frame.payload);
        } else {
            std::exception_ptr e;
            try {
                e = decode_exception(frame.payload);
            } catch (...) {
                e = std::make_exception_ptr(protocol_error("asyncjobs: the worker's failure report is malformed"));
            }
            c->remote->fail(e);
        }
        ++w.tasks_done;
        w.finished.store(w.tasks_done, std::memory_order_relaxed);
        {
            std::lock_guard lock(mutex_);
            finished_one_locked();
        }
        if (options_.max_tasks_per_child && w.tasks_done >= options_.max_tasks_per_child && !w.life.leaving()) {
            retire(w);
            std::lock_guard lock(mutex_);
            ++counts_.worker_retirements;
        }
        if (options_.max_worker_memory || options_.memory_limit)
            check_memory_between_calls(w);
    }
    if (!w.in_flight.empty()) {
        arm_timer(w);
        kill_if_requested(w);
    } else if (options_.idle_timeout) {
        w.idle_since = std::chrono::steady_clock::now();
    }
    dispatch();
    return true;
}

} // namespace asyncjobs::detail
