// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// How a call reaches a worker: submitting and cancelling (caller threads), then, on the
// I/O thread, taking calls off the queue, choosing a worker for each or starting one,
// and sending the call.

#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/errors.hpp>

#include "large_call.hpp"
#include "process_pool_engine.hpp"
#include "process_pool_policy.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace asyncjobs::detail {

namespace {
namespace asio = boost::asio;
} // namespace

void process_pool_engine::submit_with(state_ptr task, const task_options& options)
{
    fork_guard_.throw_if_forked();
    const sendable_call sendable = sendable_call_of(*task, options, "process_pool_executor");
    auto c = std::make_shared<call>(frames_);
    c->state = task;
    c->remote = sendable.remote;
    c->entry = &sendable.entry;
    c->id = next_id_.fetch_add(1, std::memory_order_relaxed);
    c->timeout = options.timeout.value_or(options_.task_timeout.value_or(std::chrono::milliseconds::zero()));
    c->retries = static_cast<std::uint16_t>(options.retries.value_or(options_.retries));  // checked above
    c->retry_on_timeout = options.retry_on_timeout.value_or(options_.retry_on_timeout);
    if (options.retry_backoff) {
        c->deaths = std::make_unique<call_deaths>();
        c->deaths->backoff = options.retry_backoff;
    }
    encode_call_at_submit(*c);
    if (call_frame_size(*c) - frame_header_size > options_.max_payload)
        throw std::length_error("asyncjobs: the encoded arguments (" + std::to_string(call_frame_size(*c) - frame_header_size) +
                                " bytes with the task name) are larger than process_pool_options::max_payload (" +
                                std::to_string(options_.max_payload) + "); raise it or send smaller arguments");
    worker* direct = nullptr;
    call_ptr sent;
    bool queued = false;
    {
        std::lock_guard lock(mutex_);
        if (broken_)
            std::rethrow_exception(copy_exception(broken_));
        if (closed_)
            throw shutdown_error();
        ++outstanding_;
        ++counts_.submitted;
        bool ended = false;
        direct = take_lent_locked(c, ended);
        if (direct)
            sent = c;
        else if (!ended) {
            queue_.push_back(std::move(c));
            queued = true;
        }
    }
    if (direct)
        write_direct(*direct, sent);
    else if (queued)
        request_dispatch();
}

worker* process_pool_engine::take_lent_locked(call_ptr& c, bool& ended)
{
    // The fast path's conditions: a lent worker (ready, holding no call, nothing to write:
    // lend_idle_locked), nothing queued ahead (the queue's order is the order calls leave
    // in), and a call that needs nothing of the I/O thread before it goes: its frame whole
    // (not deferred large arguments, which go through the worker's shared region) and small
    // enough to be written atomically. One call waiting for the I/O thread to adopt it is
    // enough: a burst of submits goes to the queue, where dispatch() sends many calls in
    // one write, not one write each.
    if (lent_.empty() || !queue_.empty() || !direct_sent_.empty() || c->deferred ||
        c->frame.size() > worker_link::direct_frame_limit)
        return nullptr;
    worker& w = *lent_.back();
    lent_.pop_back();  // it holds a call now: one direct call per lend
    if (!claim_for_send_locked(w, *c)) {
        lent_.push_back(&w);
        count_end(ending::cancelled);  // by its caller's cancel(), a moment ago
        finished_one_locked();
        ended = true;
        return nullptr;
    }
    c->delivered = false;
    c->running = false;
    // First in line from now (send() and now_first() would say so on the I/O thread):
    // stats() reads first_seq under mutex_, and the reply's time is measured from here.
    c->started_at = std::chrono::steady_clock::now();
    w.first_seq.store(w.link.gates_calls() ? c->seq : worker::no_call, std::memory_order_relaxed);
    // Written after the lock is released (the write wakes the worker: holding mutex_ through
    // it made the I/O thread sleep on the mutex, twice a trip); until then the I/O thread
    // must not adopt it (reclaim_lent waits).
    w.direct_writing.store(true, std::memory_order_relaxed);
    direct_sent_.push_back(direct_call{&w, c});
    return &w;
}

void process_pool_engine::write_direct(worker& w, const call_ptr& c)
{
    const bool written = w.link.write_now(c->frame);
    c->delivered = written;  // the I/O thread reads it once direct_writing is false
    w.direct_writing.store(false, std::memory_order_release);
    // Its timer must run from now, not from its reply; a frame not written is the I/O
    // thread's to send. Otherwise the I/O thread adopts it at the worker's next event.
    if (!written || c->timeout.count() != 0)
        asio::post(io_, [this] {
            reclaim_lent();
            dispatch();
        });
}

void process_pool_engine::lend_idle_locked()
{
    lent_.clear();
    if (!queue_.empty())
        return;
    for (auto& w : workers_)
        if (w->life.takes_calls() && w->in_flight.empty() && w->link.writes_idle() &&
            (!options_.max_tasks_per_child || w->tasks_done < options_.max_tasks_per_child))
            lent_.push_back(w.get());
    lending_ = !lent_.empty();
}

void process_pool_engine::reclaim_lent()
{
    if (!lending_)
        return;
    {
        std::lock_guard lock(mutex_);
        lent_.clear();
        adopting_.swap(direct_sent_);
        lending_ = false;
    }
    // Outside the lock: the submitters are done with these workers (mutex_ ordered their
    // writes before this), and no one lends them again until dispatch() does.
    for (auto& d : adopting_) {
        worker& w = *d.w;
        // Its submitter may still be writing it (write_direct, outside the lock): a few
        // microseconds, and nothing else may touch the pipe meanwhile.
        while (w.direct_writing.load(std::memory_order_acquire))
            std::this_thread::yield();
        w.in_flight.push_back(d.c);  // it held no call when lent: first in line
        if (w.in_flight.size() == 1) {
            // First in line since its send (handle_reply may have said "none" meanwhile).
            auto sent_at = d.c->started_at;
            w.now_first();
            d.c->started_at = sent_at;
            arm_timer(w);
        }
        if (!d.c->delivered)
            w.link.send_call(std::move(d.c));  // the pipe was full, or the worker is gone (EPIPE)
    }
    adopting_.clear();
}

bool process_pool_engine::kill_task(state_base* task)
{
    fork_guard_.throw_if_forked();
    if (!task)
        throw invalid_future();
    if (task->cancel())
        return true;
    if (task->ready())
        return false;
    state_ptr keep(task);
    asio::post(io_, [this, keep] {
        if (keep->ready())
            return;
        reclaim_lent();  // a call sent directly is in its worker's in_flight from here
        for (auto& w : workers_) {
            for (std::size_t i = 0; i < w->in_flight.size(); ++i) {
                auto& c = w->in_flight[i];
                if (c->state != keep || c->abandoned)
                    continue;
                if (i == 0) {
                    kill_worker(*w, kill_reason::cancel, {}, c);
                } else if (c->gated) {
                    // The worker claimed it (cancel() lost the race) but has not answered
                    // the call before it yet: kill once it is first in line.
                    c->kill_requested = true;
                } else {
                    // Sent ahead without a claim board: the worker will run it, but nobody
                    // gets the result; the caller learns at once that it was cancelled.
                    c->abandoned = true;
                    count_end(ending::cancelled);
                    c->state->cancel_claimed();
                    std::lock_guard lock(mutex_);
                    finished_one_locked();
                }
                return;
            }
        }
        // A task waiting out its retry_backoff: its wait ends now, with nothing to requeue.
        for (auto& d : delayed_) {
            if (d.c && d.c->state == keep) {
                count_end(ending::cancelled);
                d.c->state->cancel_claimed();
                d.c.reset();
                d.timer.cancel();
                std::lock_guard lock(mutex_);
                finished_one_locked();
                return;
            }
        }
        // A task re-queued after a crash and not sent again yet: take it out here.
        std::lock_guard lock(mutex_);
        for (auto it = queue_.begin(); it != queue_.end(); ++it) {
            if ((*it)->state == keep) {
                count_end(ending::cancelled);
                (*it)->state->cancel_claimed();
                queue_.erase(it);
                finished_one_locked();
                break;
            }
        }
    });
    return true;
}

cancel_ruling process_pool_engine::arbitrate_cancel(state_base& task) noexcept
{
    if (forked()) {
        // The claim board is shared with the parent's worker: deciding here would cancel
        // the parent's task. In the child's copy the call simply counts as started.
        task.start_gated();
        return cancel_ruling::started;
    }
    std::lock_guard lock(mutex_);
    auto it = gates_.find(&task);
    if (it == gates_.end()) {
        task.ungate();  // never left gated without a gate; defensive
        return cancel_ruling::retry;
    }
    bool cancelled = it->second.board->cancel(it->second.seq);
    gates_.erase(it);
    // Either way the state leaves the gate now: claimed to be completed as cancelled by
    // the caller, or running because the worker claimed it first.
    task.start_gated();
    return cancelled ? cancel_ruling::cancelled : cancel_ruling::started;
}

void process_pool_engine::settle_gate(state_base& task) noexcept
{
    if (forked())
        return;  // the board is the parent's worker's: nothing here may settle it
    std::lock_guard lock(mutex_);
    auto it = gates_.find(&task);
    if (it == gates_.end() || !it->second.board->started(it->second.seq))
        return;
    // As if cancel() had lost the race: the I/O thread finds the gate gone and reads the
    // board (settle_gate_locked).
    gates_.erase(it);
    task.start_gated();
}

std::vector<state_ptr> process_pool_engine::cancel_gated_locked()
{
    std::vector<state_ptr> cancelled;
    for (auto it = gates_.begin(); it != gates_.end();) {
        auto* task = const_cast<state_base*>(it->first);
        if (it->second.board->cancel(it->second.seq)) {
            task->start_gated();
            cancelled.emplace_back(task);
            it = gates_.erase(it);
        } else {
            ++it;  // started: its reply (or the worker's death) settles it
        }
    }
    return cancelled;
}

bool process_pool_engine::claim_for_send_locked(worker& w, call& c)
{
    if (!c.started) {
        // cancel() settles a gate through the state's own scheduler: a state that would ask
        // another one (or none, like a call relayed from an MPI rank 0) could never learn who
        // won, and its cancel() would spin until the reply. Such a state starts when sent.
        if (w.link.gates_calls() && c.state->continuation_scheduler().get() == this) {
            // Sent ahead, it stays pending: the worker claims it when it begins, and a
            // cancel() before that wins on the board.
            if (!c.state->gate())
                return false;
            c.gated = true;
            w.link.claims().offer(w.calls_sent);
            gates_[c.state.get()] = gate{&w.link.claims(), w.calls_sent};
        } else {
            if (!c.state->try_start())
                return false;
            c.started = true;
            c.gated = false;
        }
    } else {
        c.gated = false;
        // Sent again after its worker died under it (a retry): offered all the same,
        // without a gate (cancel() cannot stop a started call), so that if this worker dies
        // too, the board says whether it had begun the call.
        if (w.link.gates_calls())
            w.link.claims().offer(w.calls_sent);
    }
    c.seq = w.calls_sent++;
    return true;
}

void process_pool_engine::settle_gate_locked(worker& w, call& c)
{
    if (!c.gated) {
        // A retry offered without a gate: running if the worker claimed it.
        if (c.started && !c.running && w.link.gates_calls() && w.link.claims().started(c.seq))
            c.running = true;
        return;
    }
    c.gated = false;
    auto it = gates_.find(c.state.get());
    if (it != gates_.end() && it->second.board == &w.link.claims() && it->second.seq == c.seq) {
        gates_.erase(it);
        if (w.link.claims().started(c.seq)) {
            c.state->start_gated();
            c.started = true;
            c.running = true;  // the worker began it (a worker with a board sends no `started` frame)
        } else {
            c.state->ungate();
        }
        return;
    }
    // Settled before by a cancel(): the board says who won. (Not the state: a cancel that
    // won completes it only after arbitrate_cancel() returns, so it may still read running.)
    if (w.link.claims().started(c.seq)) {
        c.started = true;
        c.running = true;
    } else {
        c.cancelled_ahead = true;
    }
}

void process_pool_engine::request_dispatch()
{
    if (!dispatch_posted_.exchange(true, std::memory_order_acq_rel))
        asio::post(io_, [this] {
            dispatch_posted_.store(false, std::memory_order_release);
            dispatch();
        });
}

void process_pool_engine::dispatch()
{
    if (lending_) {
        // Nothing to send and idle workers lent (handle_reply lends them before its reply
        // wakes the caller): leave them lent. Taking them back here would most often wait
        // out the write of the call that very caller is sending this moment.
        std::lock_guard lock(mutex_);
        if (queue_.empty() && !broken_ && !terminating_)
            return;
    }
    reclaim_lent();
    std::unique_lock lock(mutex_);
    if (terminating_) {  // calls a dying worker gave back: cancelled, never sent again
        auto doomed = take_queue_locked();
        lock.unlock();
        end_terminated(doomed);
        return;
    }
    if (broken_) {
        auto doomed = take_queue_locked();
        auto why = broken_;
        lock.unlock();
        fail_all(doomed, why);
        return;
    }
    while (!queue_.empty()) {
        worker* target = pick_worker(queue_.size());
        if (!target) {
            lock.unlock();
            maybe_spawn();
            return;
        }
        call_ptr c = std::move(queue_.front());
        queue_.pop_front();
        if (c->deferred && !place_large_call(*target, c, lock))
            continue;
        if (!claim_for_send_locked(*target, *c)) {  // cancelled while queued
            count_end(ending::cancelled);  // by its caller's cancel(), a moment ago
            finished_one_locked();
            continue;
        }
        lock.unlock();
        send(*target, std::move(c));
        lock.lock();
    }
    // The queue is empty: there is nothing to start a worker for (maybe_spawn would take
    // the lock again to find that out, once per reply). Idle workers may take the next
    // call straight from its submitter.
    lend_idle_locked();
}

worker* process_pool_engine::pick_worker(std::size_t queued)
{
    // The facts the policy decides on, gathered into vectors kept between calls (this runs
    // once per dispatched call: no allocation once they have grown).
    pick_loads_.clear();
    pick_workers_.clear();
    std::size_t ready = 0;
    for (auto& w : workers_) {
        pick_loads_.push_back({.ready = w->life.was_ready(), .retiring = w->life.leaving(),
                               .in_flight = w->in_flight.size(), .tasks_done = w->tasks_done});
        pick_workers_.push_back(w.get());
        if (w->life.takes_calls())
            ++ready;
    }
    // With max_worker_memory, a worker holds one call: its memory is judged between calls,
    // and a call sent ahead would run on a worker that is about to be replaced.
    policy::pool_load pool{.queued = queued,
                           .depth = options_.max_worker_memory
                                        ? 1
                                        : policy::pipeline_depth(options_.pipeline_depth, queued, ready,
                                                                 policy::pipeline_cap(average_task_),
                                                                 claim_board::slots),
                           .max_workers = max_workers_,
                           .max_tasks_per_child = options_.max_tasks_per_child};
    auto best = policy::pick_worker(pick_loads_, pool);
    return best ? pick_workers_[*best] : nullptr;
}

void process_pool_engine::maybe_spawn()
{
    reclaim_lent();
    std::size_t waiting;
    {
        std::lock_guard lock(mutex_);
        waiting = queue_.size();
        if (broken_ || terminating_ || waiting == 0)
            return;
    }
    std::size_t live = 0;
    std::size_t idle_or_starting = 0;
    for (auto& w : workers_) {
        if (w->life.leaving())
            continue;
        ++live;
        if (!w->life.was_ready() || w->in_flight.empty())
            ++idle_or_starting;
    }
    while (live < max_workers_ && idle_or_starting < waiting) {
        if (!spawn())
            return;
        ++live;
        ++idle_or_starting;
    }
}

bool process_pool_engine::spawn()
{
    std::unique_ptr<worker> w;
    try {
        w = std::make_unique<worker>(*this, io_, executable_, image_, options_.max_payload, options_.worker_nice);
    } catch (const std::system_error& e) {
        start_failed(e.code().category() == std::generic_category() || e.code().category() == std::system_category()
                         ? e.code().value()
                         : 0,
                     "asyncjobs: cannot start a worker process from '" + executable_ + "': " + e.what());
        return false;
    } catch (const std::exception& e) {
        start_failed(0, "asyncjobs: cannot start a worker process from '" + executable_ + "': " + e.what());
        return false;
    }
    worker& ref = *w;
    ref.idle_since = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        workers_.push_back(std::move(w));
        ++counts_.worker_starts;
    }
    publish_pids();
    arm_start_timer(ref);
    if (options_.initializer_call) {
        auto init = std::make_shared<call>();
        init->initializer = true;
        init->started = true;
        encode_call_frame(init->frame, frame_kind::initialize, 0, options_.initializer_call->task_name,
                          [&](std::string& out) { out += options_.initializer_call->arguments; });
        ref.in_flight.push_back(init);
        ref.link.send_call(std::move(init));  // before its hello: down the pipe
    }
    ref.link.start();
    return true;
}

void process_pool_engine::send(worker& w, call_ptr c)
{
    c->delivered = false;
    c->running = false;
    w.in_flight.push_back(c);
    if (w.in_flight.size() == 1) {
        arm_timer(w);
        w.now_first();
    }
    w.link.send_call(std::move(c));
}

} // namespace asyncjobs::detail
