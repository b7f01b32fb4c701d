// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The dispatcher of process_pool_executor. One Asio io_context thread owns every worker
// and every pipe; callers only encode their call and queue it. Replies complete futures on
// the I/O thread, and their continuations run on the completion thread pool.

#include <asyncjobs/detail/byte_buffer.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/shared_region.hpp>
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>
#include <asyncjobs/process_pool_executor.hpp>
#include <asyncjobs/thread_pool_executor.hpp>

#include "frame_buffer_pool.hpp"
#include "worker_process.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/core/demangle.hpp>

#include <algorithm>
#include <optional>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include <dlfcn.h>
#include <pthread.h>
#include <unistd.h>

namespace asyncjobs {
namespace detail {

const task_entry& registered_entry(std::uintptr_t function, const char* what)
{
    if (const task_entry* entry = task_registry::instance().find(function))
        return *entry;
    std::string name = "a function";
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(function), &info) && info.dli_sname)
        name = "'" + boost::core::demangle(info.dli_sname) + "'";
    throw task_not_registered(std::string("asyncjobs: ") + what + " is " + name +
                              ", which is not registered for process pools; add ASYNCJOBS_TASK(<function>) at "
                              "namespace scope in the program (and in the worker executable, if it is a separate one)");
}

namespace {

namespace asio = boost::asio;

std::string this_executable()
{
    std::string path(4096, '\0');
    ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size());
    if (n <= 0)
        throw std::system_error(errno, std::generic_category(), "asyncjobs: cannot find this program's path");
    path.resize(static_cast<std::size_t>(n));
    return path;
}

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
    unsigned lost_workers = 0;  ///< workers that died holding it before it started

private:
    frame_buffer_pool* frames_ = nullptr;
};
using call_ptr = std::shared_ptr<call>;

enum class kill_reason { none, timeout, cancel, protocol, shutdown };

/// A frame to send: a call's own frame (not copied), a small control frame, or the
/// announcement of a call's frame placed in the shared region (owner and control both set).
struct outgoing {
    call_ptr owner;
    std::string control;
    const std::string& bytes() const noexcept { return owner && control.empty() ? owner->frame : control; }
};

struct worker {
    explicit worker(asio::io_context& io, const std::string& exe, std::size_t max_payload)
        : process(io, exe, max_payload), timer(io)
    {
    }
    worker_process process;
    asio::steady_timer timer;
    byte_buffer input;
    std::vector<outgoing> pending;  ///< frames waiting for the current write to finish
    std::vector<outgoing> writing;  ///< the frames of the write in progress
    std::vector<asio::const_buffer> write_buffers;
    bool write_in_progress = false;
    std::deque<call_ptr> in_flight;  ///< sent, in order; the front one is running
    bool ready = false;              ///< hello received and checked, initializer done
    bool shared_regions = false;     ///< the worker mapped the shared regions (its hello says)
    bool discarding = false;         ///< output is no longer trusted: read and drop it
    bool retiring = false;           ///< goodbye sent or being killed: takes no more calls
    bool reader_done = false;
    bool exited = false;
    int exit_status = 0;
    std::size_t tasks_done = 0;
    kill_reason reason = kill_reason::none;
    std::string reason_detail;
    std::weak_ptr<call> kill_target;  ///< the call a timeout or cancel_and_kill kill was aimed at
};

} // namespace

class process_pool_engine final : public scheduler {
public:
    explicit process_pool_engine(process_pool_options options)
        : options_(std::move(options))
        , max_workers_(options_.max_workers ? options_.max_workers : std::max(1u, std::thread::hardware_concurrency()))
        , executable_(options_.worker_executable.empty() ? this_executable() : options_.worker_executable)
        , completion_(thread_pool_options{std::max<std::size_t>(1, options_.completion_threads), "asyncjobs-done", {}})
        , completion_engine_(scheduler_of(completion_))
        , work_(io_.get_executor())
    {
        auto duplicates = task_registry::instance().duplicates();
        if (!duplicates.empty()) {
            std::string names;
            for (auto& d : duplicates)
                names += (names.empty() ? "" : ", ") + d;
            throw std::logic_error("asyncjobs: several functions are registered under the same task name (" + names +
                                   "); give them distinct names with ASYNCJOBS_TASK_NAMED");
        }
        io_thread_ = std::thread([this] { io_main(); });
    }

    ~process_pool_engine() override { teardown(); }

    // --- scheduler ---------------------------------------------------------------------

    void submit(state_ptr task) override { submit_with(std::move(task), task_options{}); }

    void schedule(state_ptr continuation) noexcept override { completion_engine_->schedule(std::move(continuation)); }

    std::size_t concurrency() const noexcept override { return max_workers_; }

    std::chrono::nanoseconds chunk_target() const noexcept override { return std::chrono::milliseconds(5); }

    // --- called by process_pool_executor ----------------------------------------------

    void submit_with(state_ptr task, const task_options& options)
    {
        remote_call* remote = task->as_remote_call();
        if (!remote)
            throw task_not_registered(
                "asyncjobs: process_pool_executor runs plain functions registered with ASYNCJOBS_TASK, and this task "
                "is a lambda, a function object or a function taking a std::stop_token; register a free function with "
                "ASYNCJOBS_TASK(fn) and submit(fn, args...)");
        const task_entry& entry = registered_entry(remote->function(), "the submitted task");
        auto c = std::make_shared<call>(frames_);
        c->state = task;
        c->remote = remote;
        c->entry = &entry;
        c->id = next_id_.fetch_add(1, std::memory_order_relaxed);
        c->timeout = options.timeout ? options.timeout : options_.task_timeout;
        std::size_t start = begin_frame(c->frame);
        append_call_payload_name(c->frame, entry.name);
        remote->encode_arguments(entry, c->frame);
        finish_frame(c->frame, start, remote->chunked() ? frame_kind::map_call : frame_kind::call, c->id);
        if (c->frame.size() - frame_header_size > options_.max_payload)
            throw std::length_error("asyncjobs: the encoded arguments are larger than process_pool_options::max_payload");
        {
            std::lock_guard lock(mutex_);
            if (broken_)
                std::rethrow_exception(broken_);
            if (closed_)
                throw shutdown_error();
            queue_.push_back(std::move(c));
            ++outstanding_;
        }
        request_dispatch();
    }

    bool kill_task(state_base* task)
    {
        if (!task)
            throw invalid_future();
        if (task->cancel())
            return true;
        if (task->ready())
            return false;
        state_ptr keep(task);
        asio::post(io_, [this, keep] {
            for (auto& w : workers_) {
                for (std::size_t i = 0; i < w->in_flight.size(); ++i) {
                    auto& c = w->in_flight[i];
                    if (c->state != keep || c->abandoned)
                        continue;
                    if (i == 0) {
                        kill_worker(*w, kill_reason::cancel, {}, c);
                    } else {
                        // Sent ahead but not started: the worker will run it, but nobody gets
                        // the result; the caller learns at once that it was cancelled.
                        c->abandoned = true;
                        c->remote->fail(std::make_exception_ptr(cancelled_error()));
                        std::lock_guard lock(mutex_);
                        finished_one_locked();
                    }
                }
            }
            // A task re-queued after a crash and not sent again yet: take it out here.
            std::lock_guard lock(mutex_);
            for (auto it = queue_.begin(); it != queue_.end(); ++it) {
                if ((*it)->state == keep) {
                    (*it)->remote->fail(std::make_exception_ptr(cancelled_error()));
                    queue_.erase(it);
                    finished_one_locked();
                    break;
                }
            }
        });
        return true;
    }

    void shutdown(bool wait, bool cancel_futures)
    {
        std::deque<call_ptr> unstarted;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            if (cancel_futures) {
                for (auto it = queue_.begin(); it != queue_.end();) {
                    if (!(*it)->started) {
                        unstarted.push_back(std::move(*it));
                        it = queue_.erase(it);
                    } else {
                        ++it;
                    }
                }
            }
        }
        for (auto& c : unstarted) {
            c->state->cancel();
            std::lock_guard lock(mutex_);
            finished_one_locked();
        }
        if (wait && !completion_.running_in_this_thread())
            teardown();
    }

    std::vector<long> worker_pids() const
    {
        std::lock_guard lock(mutex_);
        return pids_;
    }

    std::size_t max_workers() const noexcept { return max_workers_; }

    void teardown() noexcept
    {
        std::lock_guard teardown_lock(teardown_mutex_);
        if (torn_down_)
            return;
        {
            std::unique_lock lock(mutex_);
            closed_ = true;
            idle_.wait(lock, [&] { return outstanding_ == 0; });
        }
        asio::post(io_, [this] { retire_all(); });
        work_.reset();
        if (io_thread_.joinable())
            io_thread_.join();
        completion_.shutdown(true);
        torn_down_ = true;
    }

private:
    // --- the I/O thread -------------------------------------------------------------

    void io_main()
    {
        // Writes to a dead worker's pipe must fail with EPIPE, not kill the program; blocking
        // the signal in this thread leaves the application's own handlers alone.
        sigset_t pipe_signal;
        sigemptyset(&pipe_signal);
        sigaddset(&pipe_signal, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
        pthread_setname_np(pthread_self(), "asyncjobs-io");
        io_.run();
    }

    void request_dispatch()
    {
        if (!dispatch_posted_.exchange(true, std::memory_order_acq_rel))
            asio::post(io_, [this] {
                dispatch_posted_.store(false, std::memory_order_release);
                dispatch();
            });
    }

    void dispatch()
    {
        std::unique_lock lock(mutex_);
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
            if (!c->started) {
                if (!c->state->try_start()) {  // cancelled while queued
                    finished_one_locked();
                    continue;
                }
                c->started = true;
            }
            lock.unlock();
            send(*target, std::move(c));
            lock.lock();
        }
        lock.unlock();
        maybe_spawn();
    }

    /// The least-loaded ready worker with room in its pipeline, or null. With a long queue
    /// the pipeline deepens (up to 64 calls a worker), so that a burst of small tasks costs
    /// a few pipe round trips instead of one per pipeline_depth tasks.
    worker* pick_worker(std::size_t queued)
    {
        std::size_t ready = 0;
        for (auto& w : workers_)
            if (w->ready && !w->retiring)
                ++ready;
        std::size_t depth = options_.pipeline_depth;
        if (depth == 0)
            depth = ready ? std::clamp<std::size_t>(queued / ready, 2, 64) : 2;
        worker* best = nullptr;
        std::size_t starting = 0;
        std::size_t live = 0;
        for (auto& w : workers_) {
            if (w->retiring)
                continue;
            ++live;
            if (!w->ready) {
                ++starting;
                continue;
            }
            if (w->in_flight.size() >= depth)
                continue;
            // A worker near max_tasks_per_child takes only the calls it may still run:
            // whatever it holds when it retires, it runs.
            if (options_.max_tasks_per_child && w->tasks_done + w->in_flight.size() >= options_.max_tasks_per_child)
                continue;
            if (!best || w->in_flight.size() < best->in_flight.size())
                best = w.get();
        }
        // Do not queue behind a running task while workers that are starting, or that may
        // still be started, could take all the waiting work.
        std::size_t spare = starting + (max_workers_ > live ? max_workers_ - live : 0);
        if (best && !best->in_flight.empty() && queued <= spare)
            return nullptr;
        return best;
    }

    /// Starts a worker when work waits and every live worker is busy or starting.
    void maybe_spawn()
    {
        std::size_t waiting;
        {
            std::lock_guard lock(mutex_);
            waiting = queue_.size();
            if (broken_ || waiting == 0)
                return;
        }
        std::size_t live = 0;
        std::size_t idle_or_starting = 0;
        for (auto& w : workers_) {
            if (w->retiring)
                continue;
            ++live;
            if (!w->ready || w->in_flight.empty())
                ++idle_or_starting;
        }
        while (live < max_workers_ && idle_or_starting < waiting) {
            if (!spawn())
                return;
            ++live;
            ++idle_or_starting;
        }
    }

    bool spawn()
    {
        std::unique_ptr<worker> w;
        try {
            w = std::make_unique<worker>(io_, executable_, options_.max_payload);
        } catch (const std::exception& e) {
            start_failed("asyncjobs: cannot start a worker process from '" + executable_ + "': " + e.what());
            return false;
        }
        worker& ref = *w;
        workers_.push_back(std::move(w));
        publish_pids();
        if (options_.initializer_call) {
            auto init = std::make_shared<call>();
            init->initializer = true;
            init->started = true;
            std::size_t start = begin_frame(init->frame);
            append_call_payload_name(init->frame, options_.initializer_call->task_name);
            init->frame += options_.initializer_call->arguments;
            finish_frame(init->frame, start, frame_kind::initialize, 0);
            ref.in_flight.push_back(init);
            queue_write(ref, outgoing{init, {}});
        }
        read_more(ref);
        ref.process.async_wait([this, &ref](int status) { on_exit(ref, status); });
        return true;
    }

    void send(worker& w, call_ptr c)
    {
        c->delivered = false;
        c->running = false;
        w.in_flight.push_back(c);
        if (w.in_flight.size() == 1)
            arm_timer(w);
        // A large call goes through the worker's shared region when it is free (the worker
        // is done with the last one): one copy instead of two and no wake-up per pipe buffer.
        // The call keeps its frame, to be sent again elsewhere if this worker dies.
        shared_region& region = w.process.call_region();
        if (w.shared_regions && region.can_carry(c->frame.size()) &&
            region.put(std::as_bytes(std::span<const char>(c->frame.data(), c->frame.size())))) {
            std::string announcement;
            append_shared_frame(announcement, c->id, c->frame.size());
            queue_write(w, outgoing{std::move(c), std::move(announcement)});
            return;
        }
        queue_write(w, outgoing{std::move(c), {}});
    }

    void queue_write(worker& w, outgoing frame)
    {
        w.pending.push_back(std::move(frame));
        start_write(w);
    }

    void start_write(worker& w)
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

    void read_more(worker& w, std::size_t want = 1)
    {
        auto space = w.input.free_space(std::max<std::size_t>(want, 1 << 16));
        w.process.replies().async_read_some(asio::buffer(space.data(), space.size()),
                                            [this, &w](boost::system::error_code ec, std::size_t n) {
                                                if (ec) {
                                                    w.reader_done = true;
                                                    maybe_finish_worker(w);
                                                    return;
                                                }
                                                w.input.commit(n);
                                                std::optional<std::size_t> want;
                                                if (!w.discarding)
                                                    want = process_input(w);
                                                if (!want) {
                                                    // Being killed: drain until end of file,
                                                    // which tells us the pipe is done with.
                                                    w.discarding = true;
                                                    w.input.consume(w.input.unread().size());
                                                }
                                                read_more(w, want.value_or(1));
                                            });
    }

    /// Handles every complete frame in the buffer. Returns how many bytes the next frame
    /// still needs, or nullopt once the worker is being killed.
    std::optional<std::size_t> process_input(worker& w)
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

    bool handle_frame(worker& w, const decode_result& frame)
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
        default:
            kill_worker(w, kill_reason::protocol,
                        std::string("the worker sent an unexpected ") + frame_kind_name(frame.header.kind) + " frame");
            return false;
        }
    }

    bool handle_hello(worker& w, const decode_result& frame)
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
        w.shared_regions = hello.shared_regions && w.process.call_region().valid();
        // With an initializer, the worker is ready once it has succeeded (handle_reply).
        if (w.in_flight.empty() || !w.in_flight.front()->initializer) {
            w.ready = true;
            start_failures_ = 0;
            killed_starts_ = 0;
            dispatch();
        }
        return true;
    }

    /// The worker runs the oldest call it holds: from now on, its death fails that call.
    bool handle_started(worker& w, const decode_result& frame)
    {
        if (w.in_flight.empty() || w.in_flight.front()->initializer || w.in_flight.front()->id != frame.header.task_id ||
            !frame.payload.empty()) {
            kill_worker(w, kill_reason::protocol,
                        "the worker said it started task id " + std::to_string(frame.header.task_id) +
                            ", which is not the next call it holds");
            return false;
        }
        w.in_flight.front()->running = true;
        return true;
    }

    /// A reply the worker left in its shared region: decoded in place, like a piped one.
    bool handle_shared_reply(worker& w, const decode_result& announcement)
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

    bool handle_reply(worker& w, const decode_result& frame)
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
        if (!w.in_flight.empty())
            arm_timer(w);
        dispatch();
        return true;
    }

    void arm_timer(worker& w)
    {
        const call_ptr& head = w.in_flight.front();
        if (!head->timeout)
            return;
        w.timer.expires_after(*head->timeout);
        std::weak_ptr<call> watched = head;
        w.timer.async_wait([this, &w, watched](boost::system::error_code ec) {
            if (ec)
                return;
            auto c = watched.lock();
            if (c && !w.in_flight.empty() && w.in_flight.front() == c)
                kill_worker(w, kill_reason::timeout, {}, c);
        });
    }

    void kill_worker(worker& w, kill_reason reason, std::string detail, const call_ptr& target = {})
    {
        if (w.exited)
            return;
        if (w.reason == kill_reason::none || w.reason == kill_reason::shutdown) {
            w.reason = reason;
            w.reason_detail = std::move(detail);
            w.kill_target = target;
        }
        w.retiring = true;
        w.process.signal_group(SIGKILL);
    }

    /// Lets a worker finish what it holds, then exit (max_tasks_per_child, shutdown).
    void retire(worker& w)
    {
        w.retiring = true;
        if (w.reason == kill_reason::none)
            w.reason = kill_reason::shutdown;
        outgoing goodbye;
        append_frame(goodbye.control, frame_kind::goodbye, 0, {});
        queue_write(w, std::move(goodbye));
    }

    void retire_all()
    {
        shutting_down_ = true;
        for (auto& w : workers_)
            if (!w->retiring)
                retire(*w);
        if (workers_.empty()) {
            io_.stop();
            return;
        }
        // Workers that do not leave in time get SIGTERM, then SIGKILL.
        shutdown_timer_ = std::make_unique<asio::steady_timer>(io_, options_.shutdown_grace);
        shutdown_timer_->async_wait([this](boost::system::error_code ec) {
            if (ec)
                return;
            for (auto& w : workers_)
                if (!w->exited)
                    w->process.signal_group(SIGTERM);
            shutdown_timer_->expires_after(options_.shutdown_grace);
            shutdown_timer_->async_wait([this](boost::system::error_code ec2) {
                if (ec2)
                    return;
                for (auto& w : workers_)
                    if (!w->exited)
                        w->process.signal_group(SIGKILL);
            });
        });
    }

    void on_exit(worker& w, int status)
    {
        w.exited = true;
        w.exit_status = status;
        maybe_finish_worker(w);
    }

    /// Once the worker has exited and its output is drained: fail or re-queue what it held,
    /// forget it, and let dispatch start a replacement.
    void maybe_finish_worker(worker& w)
    {
        if (!w.exited || !w.reader_done || w.write_in_progress)
            return;
        std::string status = worker_process::describe_status(w.exit_status);
        bool clean_exit = w.reason == kill_reason::shutdown && WIFEXITED(w.exit_status) && WEXITSTATUS(w.exit_status) == 0;
        if (!w.ready && !clean_exit) {
            // A worker SIGKILLed from outside while it started (an operator, the OOM killer)
            // says nothing about the worker program, which is what max_start_failures
            // guards: it counts apart, and only a long run of them in a row (workers no
            // longer start at all) breaks the pool, so that queued work fails, not waits.
            bool killed_from_outside = w.reason == kill_reason::none && WIFSIGNALED(w.exit_status) &&
                                       WTERMSIG(w.exit_status) == SIGKILL;
            ++(killed_from_outside ? killed_starts_ : start_failures_);
            std::string why = "asyncjobs: a worker process (pid " + std::to_string(w.process.pid()) +
                              ") died before it was ready, with " + status;
            if (!last_start_error_.empty())
                why += "; its initializer threw " + last_start_error_;
            else if (w.reason == kill_reason::protocol)
                why += "; " + w.reason_detail;
            last_start_reason_ = why;
            if (start_failures_ >= options_.max_start_failures)
                break_pool(std::make_exception_ptr(broken_executor(
                    why + ". After " + std::to_string(start_failures_) +
                    " failed starts in a row the pool is broken: check the worker executable and the initializer")));
            else if (killed_starts_ >= max_killed_starts)
                break_pool(std::make_exception_ptr(broken_executor(
                    why + ". " + std::to_string(killed_starts_) +
                    " workers in a row were killed from outside before they were ready; the pool is broken")));
        }
        std::deque<call_ptr> held = std::move(w.in_flight);
        if (!held.empty() && held.front()->initializer)
            held.pop_front();
        // The first call fails if it was running (the worker said so), or if the pool killed
        // the worker while it held it (a timeout, a cancel, a protocol error). Calls not
        // started yet go to another worker, unless workers keep dying before they start one:
        // that call fails rather than go round forever.
        bool blame_first = false;
        if (!held.empty() && w.ready) {
            const call& first = *held.front();
            bool killed_by_pool = w.reason != kill_reason::none && w.reason != kill_reason::shutdown;
            blame_first = first.running || (killed_by_pool && first.delivered) ||
                          (first.delivered && ++held.front()->lost_workers >= max_lost_workers);
        }
        if (blame_first) {
            call_ptr running = std::move(held.front());
            held.pop_front();
            if (!running->abandoned) {
                running->remote->fail(failure_for(w, *running, status));
                std::lock_guard lock(mutex_);
                finished_one_locked();
            }
        }
        {
            std::lock_guard lock(mutex_);
            for (auto it = held.rbegin(); it != held.rend(); ++it)
                if (!(*it)->abandoned)
                    queue_.push_front(std::move(*it));
        }
        w.timer.cancel();
        workers_.remove_if([&](const std::unique_ptr<worker>& p) { return p.get() == &w; });
        publish_pids();
        if (shutting_down_) {
            if (workers_.empty())
                io_.stop();
            return;
        }
        dispatch();
    }

    std::exception_ptr failure_for(const worker& w, const call& c, const std::string& status)
    {
        std::string where = " (worker pid " + std::to_string(w.process.pid()) + ", task '" + c.entry->name + "')";
        kill_reason reason = w.reason;
        // The kill aimed at another call (its timeout, its cancel_and_kill) that finished
        // while the signal was on its way, and this call had started: it is not this call's
        // timeout or cancellation; the worker died under it.
        std::string collateral;
        if ((reason == kill_reason::timeout || reason == kill_reason::cancel) && w.kill_target.lock().get() != &c) {
            reason = kill_reason::none;
            collateral = std::string("; the pool killed it to stop another task (") +
                         (w.reason == kill_reason::timeout ? "timeout" : "cancel_and_kill") +
                         ") that finished just before";
        }
        switch (reason) {
        case kill_reason::timeout:
            return std::make_exception_ptr(task_timeout("asyncjobs: the task ran past its timeout of " +
                                                        std::to_string(c.timeout ? c.timeout->count() : 0) +
                                                        " ms; its worker was killed and replaced" + where));
        case kill_reason::cancel:
            return std::make_exception_ptr(cancelled_error("asyncjobs: the task was cancelled while running; its worker "
                                                           "was killed and replaced" + where));
        case kill_reason::protocol:
            return std::make_exception_ptr(protocol_error("asyncjobs: " + w.reason_detail +
                                                          "; the worker was killed and replaced" + where));
        default: {
            int code = WIFEXITED(w.exit_status) ? WEXITSTATUS(w.exit_status) : -1;
            int sig = WIFSIGNALED(w.exit_status) ? WTERMSIG(w.exit_status) : 0;
            // A frame cut short by the death is a symptom worth naming: the worker wrote
            // some of its reply, or garbage shaped like one, and then died.
            std::string partial;
            if (!w.discarding && !w.input.unread().empty())
                partial = "; its output ended in the middle of a frame (" + std::to_string(w.input.unread().size()) +
                          " bytes of it arrived)";
            return std::make_exception_ptr(worker_crashed(
                code, sig,
                "asyncjobs: the worker process died with " + status +
                    " while running this task; the pool replaced it and went on" + where + partial + collateral));
        }
        }
    }

    static std::string describe_exception(std::span<const std::byte> payload)
    {
        try {
            std::rethrow_exception(decode_exception(payload));
        } catch (const std::exception& e) {
            return e.what();
        } catch (...) {
            return "an unknown exception";
        }
    }

    void break_pool(std::exception_ptr why)
    {
        std::deque<call_ptr> doomed;
        {
            std::lock_guard lock(mutex_);
            if (!broken_)
                broken_ = std::move(why);
            closed_ = true;
            doomed = take_queue_locked();
            why = broken_;
        }
        fail_all(doomed, why);
    }

    std::deque<call_ptr> take_queue_locked() { return std::exchange(queue_, {}); }

    /// Fails calls taken off the queue. Outside the lock: completing a future runs callbacks.
    void fail_all(std::deque<call_ptr>& calls, const std::exception_ptr& why)
    {
        for (auto& c : calls) {
            if (c->started || c->state->try_start())
                c->remote->fail(why);
            std::lock_guard lock(mutex_);
            finished_one_locked();
        }
    }

    void start_failed(std::string why)
    {
        ++start_failures_;
        if (start_failures_ >= options_.max_start_failures)
            break_pool(std::make_exception_ptr(broken_executor(why)));
    }

    void finished_one_locked()
    {
        if (--outstanding_ == 0)
            idle_.notify_all();
    }

    void publish_pids()
    {
        std::vector<long> pids;
        for (auto& w : workers_)
            if (!w->exited)
                pids.push_back(w->process.pid());
        std::lock_guard lock(mutex_);
        pids_ = std::move(pids);
    }

    const process_pool_options options_;
    const std::size_t max_workers_;
    const std::string executable_;
    frame_buffer_pool frames_{4};  // before everything that holds calls: they give their frames back

    thread_pool_executor completion_;
    scheduler_ptr completion_engine_;

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread io_thread_;
    std::atomic<bool> dispatch_posted_{false};
    std::atomic<std::uint64_t> next_id_{1};

    // I/O thread only.
    std::list<std::unique_ptr<worker>> workers_;
    std::size_t start_failures_ = 0;
    std::size_t killed_starts_ = 0;  ///< in a row, SIGKILLed from outside before ready
    static constexpr std::size_t max_killed_starts = 100;
    static constexpr unsigned max_lost_workers = 3;  ///< deaths of workers holding a call not started, before it fails
    std::string last_start_error_;
    std::string last_start_reason_;
    bool shutting_down_ = false;
    std::unique_ptr<asio::steady_timer> shutdown_timer_;

    mutable std::mutex mutex_;  // guards what follows
    std::deque<call_ptr> queue_;
    std::size_t outstanding_ = 0;
    std::condition_variable idle_;
    bool closed_ = false;
    std::exception_ptr broken_;
    std::vector<long> pids_;

    std::mutex teardown_mutex_;
    bool torn_down_ = false;
};

} // namespace detail

process_pool_executor::process_pool_executor() : process_pool_executor(process_pool_options{}) {}

process_pool_executor::process_pool_executor(std::size_t max_workers)
    : process_pool_executor([&] {
        process_pool_options o;
        o.max_workers = max_workers;
        return o;
    }())
{
}

process_pool_executor::process_pool_executor(process_pool_options options)
    : executor(detail::scheduler_ptr(new detail::process_pool_engine(std::move(options))))
    , engine_(static_cast<detail::process_pool_engine*>(engine().get()))
{
}

process_pool_executor::~process_pool_executor() { engine_->shutdown(true, false); }

void process_pool_executor::shutdown(bool wait, bool cancel_futures) { engine_->shutdown(wait, cancel_futures); }
std::size_t process_pool_executor::max_workers() const noexcept { return engine_->max_workers(); }
std::vector<long> process_pool_executor::worker_pids() const { return engine_->worker_pids(); }
void process_pool_executor::submit_task(const detail::state_ptr& task, const task_options& options)
{
    engine_->submit_with(task, options);
}
bool process_pool_executor::kill_task(detail::state_base* task) { return engine_->kill_task(task); }

} // namespace asyncjobs
