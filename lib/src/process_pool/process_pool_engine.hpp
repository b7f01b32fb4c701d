// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The dispatcher of process_pool_executor. One Asio io_context thread owns every worker
// and every pipe; callers only encode their call and queue it. Replies complete futures on
// the I/O thread, and their continuations run on the completion thread pool.
//
// Its member functions are defined in four files:
//   process_pool_executor.cpp         construction, shutdown, teardown, the I/O thread's main
//   process_pool_dispatch.cpp         submitting and cancelling, choosing or starting a
//                                     worker, sending a call
//   process_pool_worker_io.cpp        acting on the frames a worker's link delivers
//   process_pool_worker_lifecycle.cpp timeouts, kills, retiring, a worker's exit and what
//                                     it held, breaking the pool
// A worker's pipes, regions and frame decoding are its worker_link's (worker_link.hpp);
// its state and every transition of it are worker_life's (worker_life.hpp).
#ifndef ASYNCJOBS_SRC_PROCESS_POOL_ENGINE_HPP
#define ASYNCJOBS_SRC_PROCESS_POOL_ENGINE_HPP

#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/process_pool_executor.hpp>
#include <asyncjobs/thread_pool_executor.hpp>

#include "common/fork_guard.hpp"
#include "common/task_lookup.hpp"
#include "frame_buffer_pool.hpp"
#include "pool_worker.hpp"
#include "process_pool_policy.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asyncjobs::detail {

class process_pool_engine final : public scheduler {
public:
    explicit process_pool_engine(process_pool_options options);

    ~process_pool_engine() override;

    // --- scheduler ---------------------------------------------------------------------

    void submit(state_ptr task) override { submit_with(std::move(task), task_options{}); }

    void schedule(state_ptr continuation) noexcept override { completion_engine_->schedule(std::move(continuation)); }
    // Continuations run on the completion threads: waiting on one there may be a deadlock.
    void check_wait(const state_base& awaited) const override
    {
        if (awaited.scheduled_work)
            completion_engine_->check_run_wait(awaited);
    }

    std::size_t concurrency() const noexcept override { return max_workers_; }

    std::chrono::nanoseconds chunk_target() const noexcept override { return std::chrono::milliseconds(5); }

    /// A cancel() of a call sent ahead: decided on the worker's claim board.
    cancel_ruling arbitrate_cancel(state_base& task) noexcept override;
    void settle_gate(state_base& task) noexcept override;

    // --- called by process_pool_executor ----------------------------------------------

    void submit_with(state_ptr task, const task_options& options);

    bool kill_task(state_base* task);

    void shutdown(bool wait, bool cancel_futures);

    /// Kills every worker now: running calls end cancelled, queued ones are cancelled.
    void terminate();

    std::vector<long> worker_pids() const
    {
        if (forked())
            return {};
        std::lock_guard lock(mutex_);
        return pids_;
    }

    std::size_t max_workers() const noexcept { return max_workers_; }

    pool_stats stats() const;

    void teardown() noexcept;

    /// In a child made by fork() (fork_guard.hpp): the copy has no I/O thread and shares
    /// the parent's epoll instance, so it runs nothing and must never be torn down.
    bool forked() const noexcept override { return fork_guard_.forked(); }

private:
    // --- the I/O thread -------------------------------------------------------------

    void io_main();

    // process_pool_dispatch.cpp

    void request_dispatch();

    void dispatch();

    /// The worker that gets the next call, or null: policy::pick_worker() on the workers'
    /// loads, with the pipeline as deep as policy::pipeline_depth() allows. With a long queue
    /// the pipeline deepens, so that a burst of small tasks costs a few pipe round trips
    /// instead of one per call; with long tasks it stays shallow (policy::pipeline_cap()).
    worker* pick_worker(std::size_t queued);

    /// Holding `lock` (on mutex_), which it releases meanwhile: encodes the large arguments of
    /// `c`, about to go to `w`, straight into w's call region or else into c's frame
    /// (large_call.hpp). False if they failed to encode: `c` failed with that error.
    bool place_large_call(worker& w, call_ptr& c, std::unique_lock<std::mutex>& lock);

    /// Under mutex_: takes `c`, about to go to `w`, out of the queue's hands. False if it
    /// was cancelled meanwhile (the caller drops it).
    bool claim_for_send_locked(worker& w, call& c);

    /// Under mutex_: forgets the gate of `c`, held by `w`, which died or is being cleared;
    /// afterwards c.started says whether the worker claimed it.
    void settle_gate_locked(worker& w, call& c);

    /// Cancels every call sent ahead that no worker has started (shutdown with
    /// cancel_futures, terminate). Returns their states, claimed, to complete outside the lock.
    std::vector<state_ptr> cancel_gated_locked();

    /// Starts a worker when work waits and every live worker is busy or starting.
    void maybe_spawn();

    bool spawn();

    void send(worker& w, call_ptr c);

    // Sending from the submitting thread. When the queue is empty, the I/O thread lends the
    // idle workers (lend_idle_locked: at dispatch()'s end, and in handle_reply before the
    // reply wakes its caller). A submit that finds one lent, and nothing queued, claims it
    // under mutex_ (take_lent_locked) and writes its call down that worker's pipe itself just
    // after (write_direct), sparing a cross-CPU wake-up of this thread, an epoll_wait and an
    // epoll_ctl per call. Ownership: a lent worker stays the I/O thread's in everything but
    // its claim (calls_sent, the board, gates_: under mutex_ anyway) and its call pipe's
    // write end, which has nothing queued while it is lent. So before the I/O thread looks at
    // a worker's calls, writes to its pipe, retires, kills or forgets it, it takes every lent
    // worker back (reclaim_lent, which waits out a write under way): the calls sent directly
    // join in_flight there, ahead of anything the I/O thread sends after, so a worker's calls
    // stay in order. A fork child never gets this far (submit_with throws first).

    /// Under mutex_, on a submitting thread: claims `c` for a lent worker if the fast path's
    /// conditions hold, and returns that worker, for write_direct() to send it to outside
    /// the lock. Null: queue it, unless `ended` (claimed and found cancelled: it is over).
    worker* take_lent_locked(call_ptr& c, bool& ended);

    /// On the submitting thread, outside mutex_: writes `c` down w's call pipe, then lets
    /// the I/O thread adopt it; asks it to, now, when it must arm a timeout or send the
    /// frame itself.
    void write_direct(worker& w, const call_ptr& c);

    /// I/O thread: takes every lent worker back and puts the calls sent to them directly
    /// into their in_flight, arming their timers. Cheap when nothing is lent.
    void reclaim_lent();

    /// I/O thread, under mutex_, with the queue empty: lends the workers that take calls,
    /// hold none and have nothing to write.
    void lend_idle_locked();

    // process_pool_worker_io.cpp: what a worker's link reports

    friend struct worker;

    bool handle_frame(worker& w, const decode_result& frame);

    bool handle_hello(worker& w, const decode_result& frame);

    /// The worker runs the oldest call it holds: from now on, its death fails that call.
    bool handle_started(worker& w, const decode_result& frame);

    bool handle_reply(worker& w, const decode_result& frame);

    /// The worker skipped the call the parent cancelled on its claim board.
    bool handle_skipped(worker& w, const decode_result& frame);

    /// The next call in line was claimed and cancel_and_kill asked for it: kill now.
    void kill_if_requested(worker& w);

    // process_pool_worker_lifecycle.cpp

    void arm_timer(worker& w);

    void kill_worker(worker& w, kill_reason reason, std::string detail, const call_ptr& target = {});

    /// Lets a worker finish what it holds, then exit (max_tasks_per_child, shutdown).
    void retire(worker& w);

    void retire_all();

    /// Once the worker has exited and its output is drained: fail or re-queue what it held,
    /// forget it, and let dispatch start a replacement.
    void finish_worker(worker& w);

    std::exception_ptr failure_for(const worker& w, const call& c, const std::string& status);

    /// How a call ended, for stats().
    enum class ending { completed, failed, cancelled };

    /// Completes the call the worker died running: failed (worker_crashed, task_timeout, ...),
    /// or cancelled when cancel_and_kill aimed at it.
    ending finish_killed(const worker& w, call& c, const std::string& status);

    /// The call `w` died running: records the try, and says whether it runs again
    /// (policy::retry_after_death); if so and it must wait (retry_backoff), it waits in
    /// delayed_ and the caller forgets it.
    bool retry(const worker& w, call_ptr& c, const std::string& status);

    /// idle_timeout: retires workers idle too long, down to min_workers, and looks again
    /// after policy::idle_sweep_interval.
    void sweep_idle();

    /// memory_limit: reads the resident memory of each running worker, kills those over
    /// it, and looks again after policy::memory_poll_interval.
    void poll_memory();

    /// After a reply, with a memory guard set: replaces the worker if it holds too much.
    void check_memory_between_calls(worker& w);

    /// Ends every wait of delayed_ now: the calls go back to the queue (terminate, shutdown).
    void release_delayed();

    /// After terminate(): every call the dead worker held ends cancelled.
    void end_terminated(std::deque<call_ptr>& held);

    void break_pool(std::exception_ptr why);

    std::deque<call_ptr> take_queue_locked() { return std::exchange(queue_, {}); }

    /// Fails calls taken off the queue. Outside the lock: completing a future runs callbacks.
    void fail_all(std::deque<call_ptr>& calls, const std::exception_ptr& why);

    /// A worker could not be spawned (`error`: its errno, 0 if unknown). Errors that will
    /// not go away break the pool at once; others are retried on a timer, and break it
    /// only after max_start_failures in a row with no worker alive.
    void start_failed(int error, std::string why);

    /// Kills the worker if it has not said hello within start_timeout.
    void arm_start_timer(worker& w);

    /// Counts how a call ended, for stats(): before its future completes, so that a
    /// caller woken by it finds it counted.
    void count_end(ending how) noexcept
    {
        auto& counter = how == ending::completed ? ended_.completed
                        : how == ending::failed  ? ended_.failed
                                                 : ended_.cancelled;
        counter.fetch_add(1, std::memory_order_relaxed);
    }

    void finished_one_locked()
    {
        if (--outstanding_ == 0)
            idle_.notify_all();
    }

    void publish_pids();

    const process_pool_options options_;
    const std::size_t max_workers_;
    const fork_guard fork_guard_;
    const std::string executable_;
    /// The running image, opened at start when workers are this program: they are executed
    /// from it, not from the path. -1: by path (worker_executable, or no /proc).
    int image_ = -1;
    frame_buffer_pool frames_{4};  // before everything that holds calls: they give their frames back

    thread_pool_executor completion_;
    scheduler_ptr completion_engine_;

    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread io_thread_;
    std::atomic<bool> dispatch_posted_{false};
    std::atomic<std::uint64_t> next_id_{1};

    // I/O thread only.
    std::list<std::unique_ptr<worker>> workers_;
    std::vector<policy::worker_load> pick_loads_;  ///< pick_worker()'s scratch, kept to avoid allocating
    std::vector<worker*> pick_workers_;            ///< the workers pick_loads_ describes, in the same order
    std::size_t start_failures_ = 0;
    std::size_t killed_starts_ = 0;  ///< in a row, SIGKILLed from outside before ready
    static constexpr std::size_t max_killed_starts = 100;
    std::string last_start_error_;
    std::string last_start_reason_;
    bool shutting_down_ = false;
    bool terminating_ = false;
    std::chrono::nanoseconds average_task_{0};  ///< of calls that ran, from `started` to reply
    std::unique_ptr<boost::asio::steady_timer> shutdown_timer_;
    boost::asio::steady_timer spawn_retry_{io_};  ///< after a spawn failed for want of resources
    bool spawn_retry_armed_ = false;
    /// Calls waiting out their retry_backoff before they go back to the queue.
    struct delayed_call {
        explicit delayed_call(boost::asio::io_context& io) : timer(io) {}
        call_ptr c;
        boost::asio::steady_timer timer;
    };
    std::list<delayed_call> delayed_;
    boost::asio::steady_timer idle_sweep_{io_};  ///< sweep_idle(), while idle_timeout is set
    boost::asio::steady_timer memory_poll_{io_};  ///< poll_memory(), while memory_limit is set

    mutable std::mutex mutex_;  // guards what follows
    std::deque<call_ptr> queue_;
    std::size_t outstanding_ = 0;
    std::condition_variable idle_;
    bool closed_ = false;
    std::exception_ptr broken_;
    std::vector<long> pids_;
    /// stats()'s counters. workers_ changes under mutex_ too, so that stats() may walk it.
    struct counters {
        std::uint64_t submitted = 0, retried = 0;
        std::uint64_t worker_starts = 0, worker_crashes = 0, worker_kills = 0, worker_retirements = 0;
    } counts_;
    /// How calls ended (count_end), apart: counted outside the lock, before completion.
    struct endings {
        std::atomic<std::uint64_t> completed{0}, failed{0}, cancelled{0};
    } ended_;
    /// Calls sent ahead under a claim board, by their state: what cancel() must settle with the worker.
    struct gate {
        claim_board* board;
        std::uint64_t seq;
    };
    std::unordered_map<const state_base*, gate> gates_;
    /// Idle workers a submitter may send to directly (send_direct_locked); emptied by reclaim_lent.
    std::vector<worker*> lent_;
    /// Calls a submitter sent to a lent worker, for the I/O thread to adopt.
    struct direct_call {
        worker* w;
        call_ptr c;  ///< c->delivered: its whole frame is in the pipe; else the I/O thread sends it
    };
    std::vector<direct_call> direct_sent_;
    std::vector<direct_call> adopting_;  ///< I/O thread only: reclaim_lent()'s scratch, kept to avoid allocating
    bool lending_ = false;  ///< I/O thread only: lent_ or direct_sent_ may be non-empty

    std::mutex teardown_mutex_;
    bool torn_down_ = false;
};

} // namespace asyncjobs::detail

#endif
