// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Frames to and from a worker, on the I/O thread: gathered writes of calls and control
// frames into its call pipe, and reading, decoding and acting on what it sends back
// (hello, started, results and failures, piped or through its shared region).

#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/shared_region.hpp>
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>
#include <asyncjobs/errors.hpp>

#include "process_pool_engine.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <exception>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace asyncjobs::detail {

namespace {

namespace asio = boost::asio;

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

void process_pool_engine::queue_write(worker& w, outgoing frame)
{
    w.pending.push_back(std::move(frame));
    start_write(w);
}

void process_pool_engine::start_write(worker& w)
{
    if (w.write_in_progress || w.pending.empty() || w.exited)
        return;
    // Many small frames leave in one gathered write; large ones are not copied.
    w.writing.swap(w.pending);
    w.pending.clear();
    w.write_buffers.clear();
    for (auto& frame : w.writing)
        w.write_buffers.push_back(asio::buffer(frame.bytes()));
    w.write_in_progress = true;
    asio::async_write(w.process.calls(), w.write_buffers,
                      [this, &w](boost::system::error_code ec, std::size_t written) {
                          w.write_in_progress = false;
                          // Frames written whole may have been read; a frame cut short or
                          // never written (EPIPE: the worker was already dead) was not.
                          std::size_t offset = 0;
                          for (auto& frame : w.writing) {
                              offset += frame.bytes().size();
                              if (frame.owner && offset <= written)
                                  frame.owner->delivered = true;
                          }
                          w.writing.clear();
                          if (ec) {
                              // The worker is gone; on_exit and the reader account for it.
                              w.pending.clear();
                              maybe_finish_worker(w);
                              return;
                          }
                          if (w.retiring && w.pending.empty() && w.reason == kill_reason::shutdown) {
                              boost::system::error_code ignored;
                              w.process.calls().close(ignored);
                              return;
                          }
                          start_write(w);
                      });
}

void process_pool_engine::read_more(worker& w, std::size_t want)
{
    auto space = w.input.free_space(std::max<std::size_t>(want, 1 << 16));
    w.read_pending = true;
    w.process.replies().async_read_some(asio::buffer(space.data(), space.size()),
                                        [this, &w](boost::system::error_code ec, std::size_t n) {
                                            w.read_pending = false;
                                            if (ec) {
                                                if (w.exited && !w.reader_done) {
                                                    drain_after_exit(w);  // on_exit cancelled this read
                                                    return;
                                                }
                                                w.reader_done = true;
                                                maybe_finish_worker(w);
                                                return;
                                            }
                                            take_input(w, n);
                                            if (w.exited) {
                                                drain_after_exit(w);
                                                return;
                                            }
                                            read_more(w, w.input_wanted);
                                        });
}

void process_pool_engine::take_input(worker& w, std::size_t n)
{
    w.input.commit(n);
    std::optional<std::size_t> want;
    if (!w.discarding)
        want = process_input(w);
    if (!want) {
        // Being killed: drain until end of file, which tells us the pipe is done with.
        w.discarding = true;
        w.input.consume(w.input.unread().size());
    }
    w.input_wanted = want.value_or(1);
}

std::optional<std::size_t> process_pool_engine::process_input(worker& w)
{
    for (;;) {
        auto frame = decode_frame(w.input.unread(), options_.max_payload);
        if (frame.status == decode_status::incomplete) {
            w.input.shrink();
            if (w.input.unread().size() >= frame_header_size)
                return frame_header_size + frame.header.payload_size - w.input.unread().size();
            return 1;
        }
        if (frame.status == decode_status::malformed) {
            kill_worker(w, kill_reason::protocol, std::string("malformed output from the worker: ") + frame.error);
            return std::nullopt;
        }
        bool keep_going = handle_frame(w, frame);
        w.input.consume(frame.consumed);
        if (!keep_going)
            return std::nullopt;
    }
}

bool process_pool_engine::handle_frame(worker& w, const decode_result& frame)
{
    switch (frame.header.kind) {
    case frame_kind::hello:
        return handle_hello(w, frame);
    case frame_kind::result:
    case frame_kind::failure:
        return handle_reply(w, frame);
    case frame_kind::shared:
        return handle_shared_reply(w, frame);
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
    if (w.ready) {
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
    w.greeted = true;
    w.start_timer.cancel();
    w.shared_regions = hello.shared_regions && w.process.call_region().valid();
    w.claims = hello.claim_board && w.process.claims().valid();
    // With an initializer, the worker is ready once it has succeeded (handle_reply).
    if (w.in_flight.empty() || !w.in_flight.front()->initializer) {
        w.ready = true;
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
        !w.process.claims().cancelled(w.in_flight.front()->seq)) {
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
        finished_one_locked();
    }
    if (!w.in_flight.empty()) {
        arm_timer(w);
        kill_if_requested(w);
    }
    dispatch();
    return true;
}

void process_pool_engine::kill_if_requested(worker& w)
{
    if (!w.in_flight.empty() && w.in_flight.front()->kill_requested && !w.in_flight.front()->state->ready())
        kill_worker(w, kill_reason::cancel, {}, w.in_flight.front());
}

bool process_pool_engine::handle_shared_reply(worker& w, const decode_result& announcement)
{
    std::uint64_t size = 0;
    shared_region& region = w.process.reply_region();
    std::span<const std::byte> bytes;
    if (read_shared_size(announcement.payload, size))
        bytes = region.frame(static_cast<std::size_t>(size));
    if (bytes.empty()) {
        kill_worker(w, kill_reason::protocol, "the worker announced a shared reply that its region does not hold");
        return false;
    }
    auto inner = decode_frame(bytes, options_.max_payload);
    bool valid = inner.status == decode_status::complete && inner.consumed == bytes.size() &&
                 inner.header.task_id == announcement.header.task_id &&
                 (inner.header.kind == frame_kind::result || inner.header.kind == frame_kind::failure);
    if (!valid) {
        kill_worker(w, kill_reason::protocol,
                    std::string("the worker's shared reply is malformed: ") +
                        (inner.error ? inner.error : "not one whole result or failure frame for the announced task"));
        return false;
    }
    bool keep_going = handle_reply(w, inner);
    region.release(bytes.size());
    return keep_going;
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
    if (c->gated) {  // replied without a `started` frame first: the board says whether it ran
        std::lock_guard lock(mutex_);
        settle_gate_locked(w, *c);
    }
    if (c->running) {
        // A moving average over about 8 calls: what pipeline_cap() sizes sending ahead by.
        auto took = std::chrono::steady_clock::now() - c->started_at;
        average_task_ = average_task_.count() ? (average_task_ * 7 + took) / 8 : took;
    }
    if (c->initializer) {
        if (frame.header.kind == frame_kind::failure) {
            last_start_error_ = describe_exception(frame.payload);
            return true;  // the worker exits; on_exit counts a start failure
        }
        w.ready = true;
        start_failures_ = 0;
        killed_starts_ = 0;
    } else if (c->abandoned) {
        ++w.tasks_done;
    } else {
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
        {
            std::lock_guard lock(mutex_);
            finished_one_locked();
        }
        if (options_.max_tasks_per_child && w.tasks_done >= options_.max_tasks_per_child && !w.retiring)
            retire(w);
    }
    if (!w.in_flight.empty()) {
        arm_timer(w);
        kill_if_requested(w);
    }
    dispatch();
    return true;
}

} // namespace asyncjobs::detail
