// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_STATE_HPP
#define ASYNCJOBS_DETAIL_STATE_HPP

#include <asyncjobs/detail/parking_lot.hpp>
#include <asyncjobs/errors.hpp>

#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

namespace asyncjobs::detail {

class scheduler;
class remote_call;
// Out of line, so that a state can hold its scheduler while scheduler.hpp includes this header.
void intrusive_ptr_add_ref(const scheduler* s) noexcept;
void intrusive_ptr_release(const scheduler* s) noexcept;
using scheduler_ptr = boost::intrusive_ptr<scheduler>;

enum class task_status : std::uint32_t { pending = 0, running = 1, finished = 2, cancelled = 3 };

/// What a gated task's executor decided when asked to cancel it (see state_base::gate()).
enum class cancel_ruling {
    cancelled,  ///< it never runs; the state is claimed for the caller to complete as cancelled
    started,    ///< its worker started it first; the state is running
    retry,      ///< the executor changed the state meanwhile: look again
};

/// A hook run once when a state completes. Internal only: a callback never runs user
/// code inline (continuations are posted to their executor), so firing one is cheap
/// and cannot recurse without bound.
class callback_node {
public:
    callback_node* next = nullptr;
    /// Runs once; the node cleans itself up (a node allocated for one callback deletes itself).
    virtual void fire() noexcept = 0;

protected:
    callback_node() = default;
    ~callback_node() = default;
};

template <class F>
class callback_fn final : public callback_node {
public:
    explicit callback_fn(F f) : f_(std::move(f)) {}
    void fire() noexcept override
    {
        F f = std::move(f_);
        delete this;
        f();
    }

private:
    F f_;
};

/// The untyped half of a future's shared state: status, blocking waits, completion
/// callbacks, the exception, and the scheduler that runs its continuations. It is
/// also the unit of work an executor queues: run() executes it, abandon() fails it.
class state_base : public boost::intrusive_ref_counter<state_base, boost::thread_safe_counter> {
public:
    state_base() noexcept = default;
    state_base(const state_base&) = delete;
    state_base& operator=(const state_base&) = delete;
    virtual ~state_base() = default;

    task_status status() const noexcept
    {
        return static_cast<task_status>(word_.load(std::memory_order_acquire) & status_mask);
    }
    /// status() for a caller asking whether the task runs: a gated task its worker has
    /// claimed reads running (the worker says so only on the claim board).
    task_status current_status() const noexcept
    {
        if (word_.load(std::memory_order_acquire) & gated_bit)
            settle_gate();
        return status();
    }
    bool ready() const noexcept
    {
        auto s = status();
        return s == task_status::finished || s == task_status::cancelled;
    }

    /// pending -> running; false when the state was cancelled (or already started).
    bool try_start() noexcept
    {
        if (!claim())
            return false;
        on_claimed();
        return true;
    }

    /// pending -> cancelled (true); a running task is asked to stop (false). A gated task
    /// (sent ahead to a worker) is cancelled only if its executor wins the race with the worker.
    bool cancel() noexcept
    {
        for (;;) {
            if (claim()) {
                on_claimed();
                cancel_claimed();
                return true;
            }
            if (!gated())
                break;
            cancel_ruling ruling = arbitrate_cancel();
            if (ruling == cancel_ruling::cancelled) {
                cancel_claimed();
                return true;
            }
            if (ruling == cancel_ruling::started)
                break;
        }
        if (status() == task_status::running)
            request_stop();
        return status() == task_status::cancelled;
    }

    /// Completes a task its executor claimed (running) as cancelled: a cancel the executor
    /// decided, or a running task it stopped on request (with that error instead of the plain one).
    void cancel_claimed(std::exception_ptr why = {}) noexcept
    {
        error_ = why ? std::move(why) : cancelled_exception();
        complete(task_status::cancelled);
    }

    // A process pool that sends a task ahead to a worker lets the worker decide when it
    // starts: the task stays pending (running() is false, cancel() may still win) but is
    // gated, so that only the executor moves it on. All four are called under the
    // executor's lock; arbitrate_cancel() takes that lock too.

    /// pending -> pending and gated; false if the task is no longer plainly pending.
    bool gate() noexcept
    {
        auto word = word_.load(std::memory_order_relaxed);
        do {
            if ((word & (status_mask | gated_bit)) != static_cast<std::uint32_t>(task_status::pending))
                return false;
        } while (!word_.compare_exchange_weak(word, word | gated_bit, std::memory_order_acq_rel,
                                              std::memory_order_relaxed));
        return true;
    }
    /// gated -> running: the worker started it (or the executor claims it to cancel it).
    void start_gated() noexcept
    {
        auto word = word_.load(std::memory_order_relaxed);
        do {
            if (!(word & gated_bit))
                return;
        } while (!word_.compare_exchange_weak(
            word, (word & ~(status_mask | gated_bit)) | static_cast<std::uint32_t>(task_status::running),
            std::memory_order_acq_rel, std::memory_order_relaxed));
        on_claimed();
    }
    /// gated -> pending: the worker is gone without starting it.
    void ungate() noexcept { word_.fetch_and(~gated_bit, std::memory_order_acq_rel); }
    bool gated() const noexcept { return word_.load(std::memory_order_acquire) & gated_bit; }

    /// Fails the state with `e` unless it already started; used for work an executor can no longer run.
    void abandon(std::exception_ptr e) noexcept
    {
        if (!claim())
            return;
        on_claimed();
        // What the work captured goes now: a continuation holds its parent future, and a
        // long chain of abandoned links must not own each other.
        release_work();
        error_ = std::move(e);
        complete(task_status::finished);
    }

    /// Executes the work this state stands for (a task or a continuation). Plain states have none.
    virtual void run() noexcept {}

    /// The view a process pool needs of a task that calls a plain function: null for
    /// everything else (lambdas, continuations).
    virtual remote_call* as_remote_call() noexcept { return nullptr; }

    /// Throws forked_executor when this state's executor is a copy in a fork() child: its
    /// work will never complete there.
    void throw_if_forked() const;

    void wait() const
    {
        if (ready())
            return;
        throw_if_forked();
        for (;;) {
            std::uint32_t word = word_.fetch_or(waiters_bit, std::memory_order_acq_rel) | waiters_bit;
            if (is_ready(word))
                return;
            park(word_, word);  // until complete() unparks it, or the word changed meanwhile
        }
    }

    template <class Clock, class Duration>
    bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline) const
    {
        if (ready())
            return true;
        throw_if_forked();
        for (;;) {
            std::uint32_t word = word_.fetch_or(waiters_bit, std::memory_order_acq_rel) | waiters_bit;
            if (is_ready(word))
                return true;
            auto left = deadline - Clock::now();
            if (left <= decltype(left)::zero())
                return ready();
            // Parked an hour at most at a time: a far deadline (time_point::max) needs no
            // conversion that overflows, and the clock is read again after each wake-up.
            park_for(word_, word,
                     left > std::chrono::hours(1) ? std::chrono::nanoseconds(std::chrono::hours(1))
                                                  : std::chrono::ceil<std::chrono::nanoseconds>(left));
        }
    }

    /// Registers `node` to fire on completion; fires it at once if the state is complete.
    void add_callback(callback_node* node) noexcept
    {
        callback_node* head = callbacks_.load(std::memory_order_acquire);
        do {
            if (head == fired_marker()) {
                node->fire();
                return;
            }
            node->next = head;
        } while (!callbacks_.compare_exchange_weak(head, node, std::memory_order_acq_rel,
                                                   std::memory_order_acquire));
    }

    template <class F>
    void on_complete(F f)
    {
        add_callback(new callback_fn<F>(std::move(f)));
    }

    /// Ready, and every callback registered before completion has fired.
    bool callbacks_fired() const noexcept { return callbacks_.load(std::memory_order_acquire) == fired_marker(); }

    /// The stored exception; meaningful once ready().
    const std::exception_ptr& exception() const noexcept { return error_; }

    const scheduler_ptr& continuation_scheduler() const noexcept { return scheduler_; }
    void set_continuation_scheduler(scheduler_ptr s) noexcept { scheduler_ = std::move(s); }

    /// Set by an executor that keeps this state in its list of unstarted tasks.
    void mark_tracked() noexcept { tracked_ = true; }
    bool tracked() const noexcept { return tracked_; }

    /// Set on a continuation (then()): its continuation scheduler is also where it runs.
    bool scheduled_work = false;

    /// Room for the one queue entry an executor allocates to run this state (the thread
    /// pool's Asio operation, 48 bytes): a state is queued once, so its entry can live in
    /// it and a submit costs one heap allocation instead of two. Handed out to one request
    /// at a time that fits; anything else is the caller's to allocate. The posting thread
    /// takes it and the running thread gives it back, ordered by the queue's own lock.
    void* take_queue_entry_storage(std::size_t size) noexcept
    {
        if (size > sizeof(queue_entry_storage_) || queue_entry_storage_taken_)
            return nullptr;
        queue_entry_storage_taken_ = true;
        return queue_entry_storage_;
    }
    /// Gives back what take_queue_entry_storage() returned; false for any other pointer.
    bool give_back_queue_entry_storage(void* p) noexcept
    {
        if (p != static_cast<void*>(queue_entry_storage_))
            return false;
        queue_entry_storage_taken_ = false;
        return true;
    }

    // Links for the executor's intrusive list of unstarted tasks (guarded by its mutex).
    state_base* pending_prev = nullptr;
    state_base* pending_next = nullptr;
    bool pending_linked = false;

protected:
    void set_exception(std::exception_ptr e) noexcept
    {
        error_ = std::move(e);
        complete(task_status::finished);
    }

    /// Publishes the result, fires callbacks in registration order, then wakes blocked
    /// waiters. Callbacks first: waking a waiter may block on its parking mutex, and the
    /// futures watching this one (as_completed, wait, continuations) must not wait for that.
    void complete(task_status final_status) noexcept
    {
        auto old = word_.exchange(static_cast<std::uint32_t>(final_status), std::memory_order_acq_rel);
        fire_callbacks();
        if (old & waiters_bit)
            unpark_all(word_);  // a waiter parks only while the word still has its bit: none is missed
    }

    /// A running task was asked to cancel; tasks that take a std::stop_token request stop.
    virtual void request_stop() noexcept {}

    /// Drops the callable (and its captures) of work that will never run.
    virtual void release_work() noexcept {}

private:
    static constexpr std::uint32_t status_mask = 0x3;
    static constexpr std::uint32_t waiters_bit = 0x4;
    static constexpr std::uint32_t gated_bit = 0x8;

    static bool is_ready(std::uint32_t word) noexcept { return (word & status_mask) >= 2; }
    static callback_node* fired_marker() noexcept { return reinterpret_cast<callback_node*>(std::uintptr_t{1}); }
    static std::exception_ptr cancelled_exception();

    bool claim() noexcept
    {
        auto word = word_.load(std::memory_order_relaxed);
        do {
            if ((word & (status_mask | gated_bit)) != static_cast<std::uint32_t>(task_status::pending))
                return false;
        } while (!word_.compare_exchange_weak(word,
                                              (word & ~status_mask) | static_cast<std::uint32_t>(task_status::running),
                                              std::memory_order_acq_rel, std::memory_order_relaxed));
        return true;
    }

    void on_claimed() noexcept;  // leaves the executor's list of unstarted tasks
    cancel_ruling arbitrate_cancel() noexcept;  // asks the scheduler, which holds the gate
    void settle_gate() const noexcept;           // likewise

    void fire_callbacks() noexcept
    {
        callback_node* list = callbacks_.exchange(fired_marker(), std::memory_order_acq_rel);
        callback_node* reversed = nullptr;
        while (list) {
            auto* next = list->next;
            list->next = reversed;
            reversed = list;
            list = next;
        }
        while (reversed) {
            auto* next = reversed->next;
            reversed->fire();
            reversed = next;
        }
    }

    mutable std::atomic<std::uint32_t> word_{0};
    bool tracked_ = false;
    bool queue_entry_storage_taken_ = false;
    alignas(std::max_align_t) unsigned char queue_entry_storage_[64];
    std::atomic<callback_node*> callbacks_{nullptr};
    std::exception_ptr error_;
    scheduler_ptr scheduler_;
};

using state_ptr = boost::intrusive_ptr<state_base>;

/// Stands in for the value of a future<void>.
struct void_value {
};

template <class T>
using stored_t = std::conditional_t<std::is_void_v<T>, void_value, T>;

/// The typed half: where the value lives.
template <class T>
class state : public state_base {
public:
    using result_type = T;
    using value_type = stored_t<T>;

    template <class... Args>
    void set_value(Args&&... args) noexcept
    {
        try {
            value_.emplace(std::forward<Args>(args)...);
        } catch (...) {
            set_exception(std::current_exception());
            return;
        }
        complete(task_status::finished);
    }
    using state_base::set_exception;

    /// Moves the value out, or throws the stored exception. Call once ready(), from the
    /// one owner of the value; a second take() throws invalid_future.
    value_type take()
    {
        if (exception())
            std::rethrow_exception(exception());
        if (taken_)
            throw invalid_future("asyncjobs: the value of this future was already taken by get(); "
                                 "call share() first to read a result more than once");
        taken_ = true;
        return std::move(*value_);
    }
    /// Reads the value in place, or throws the stored exception. Call once ready().
    const value_type& peek() const
    {
        if (exception())
            std::rethrow_exception(exception());
        return *value_;
    }

private:
    std::optional<value_type> value_;
    bool taken_ = false;
};

template <class T>
using typed_state_ptr = boost::intrusive_ptr<state<T>>;

} // namespace asyncjobs::detail

#endif
