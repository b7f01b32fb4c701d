// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_SCHEDULER_HPP
#define ASYNCJOBS_DETAIL_SCHEDULER_HPP

#include <asyncjobs/detail/state.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>

namespace asyncjobs::detail {

/// The reference-counted engine behind an executor. Futures and map() results hold
/// it, not the executor, so a continuation attached after the executor is gone fails
/// with shutdown_error instead of touching freed memory.
class scheduler {
public:
    scheduler() = default;
    scheduler(const scheduler&) = delete;
    scheduler& operator=(const scheduler&) = delete;
    virtual ~scheduler() = default;

    /// Queues a submitted task; throws shutdown_error or broken_executor when the executor takes no more work.
    virtual void submit(state_ptr task) = 0;

    /// Queues a continuation whose parent completed. Never throws: when the executor can no
    /// longer run it, the continuation fails with shutdown_error.
    virtual void schedule(state_ptr continuation) noexcept = 0;

    /// A tracked task left the pending state (started or cancelled).
    virtual void untrack(state_base&) noexcept {}

    /// Decides whether a gated task (state_base::gate()) that cancel() was called on is
    /// cancelled or has started; only executors that gate tasks override this.
    virtual cancel_ruling arbitrate_cancel(state_base& task) noexcept
    {
        task.ungate();
        return cancel_ruling::retry;
    }

    /// A caller asks whether gated `task` runs: an executor whose workers claim calls
    /// without saying so (the process pool's claim board) moves it to running here if its
    /// worker has claimed it. Only executors that gate tasks override this.
    virtual void settle_gate(state_base& task) noexcept { (void)task; }

    /// Called before a thread blocks without a deadline on `awaited`, whose continuation
    /// scheduler this is: throws deadlock_error when only the calling thread could run it.
    virtual void check_wait(const state_base& awaited) const { (void)awaited; }

    /// `awaited` is queued to run on this scheduler's threads: throws deadlock_error when the
    /// calling thread is the only one that could ever run it.
    virtual void check_run_wait(const state_base& awaited) const { (void)awaited; }

    /// Workers that can run tasks at once; sizes map()'s default window and chunks.
    virtual std::size_t concurrency() const noexcept = 0;

    /// True in a child made by fork() from the process that made this executor: there it
    /// runs nothing, so a wait on its work would never end (src/common/fork_guard.hpp).
    virtual bool forked() const noexcept { return false; }

    /// How long one map() chunk should run so that the per-task overhead stays small.
    virtual std::chrono::nanoseconds chunk_target() const noexcept { return std::chrono::microseconds(200); }

private:
    friend void intrusive_ptr_add_ref(const scheduler* s) noexcept;
    friend void intrusive_ptr_release(const scheduler* s) noexcept;
    mutable std::atomic<std::size_t> references_{0};
};

/// Runs continuations of futures that belong to no executor on the thread that completes
/// them, through a per-thread queue so that long chains do not grow the stack.
scheduler_ptr inline_scheduler() noexcept;

/// Fails `work` with `error` unless it started. Completing it fires callbacks that may fail
/// the next link of a chain the same way, so nested calls on one thread are queued and run
/// by the outermost one: a chain of any length fails in constant stack.
void abandon_soon(state_ptr work, std::exception_ptr error) noexcept;

/// An asio-style handler owning one queued state. If the executor drops it unrun (stopped
/// or destroyed with work still queued), its destructor fails the state: no future hangs.
class queued_work {
public:
    explicit queued_work(state_ptr s) noexcept : state_(std::move(s)) {}
    queued_work(queued_work&&) noexcept = default;
    queued_work& operator=(queued_work&&) = delete;
    ~queued_work()
    {
        if (state_)
            abandon_soon(std::move(state_), shutdown_exception());
    }
    void operator()()
    {
        state_ptr s = std::move(state_);
        s->run();
    }

    static std::exception_ptr shutdown_exception();

private:
    state_ptr state_;
};

} // namespace asyncjobs::detail

#endif
