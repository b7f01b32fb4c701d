// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/thread_pool_executor.hpp>

#include "common/fork_guard.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/thread/executors/work.hpp>  // BOOST_THREAD_VERSION 5: lib/CMakeLists.txt

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace asyncjobs {
namespace detail {

namespace {
thread_local const thread_pool_engine* current_engine = nullptr;
thread_local std::size_t current_thread_index = 0;  // meaningful where current_engine is set

std::string describe(std::exception_ptr e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "an exception not derived from std::exception";
    }
}

/// Runs a Boost.Thread closure; if Asio drops it unrun, it runs on the dropping thread,
/// because a dropped closure would leave a boost::future waiting forever.
class boost_closure_handler {
public:
    explicit boost_closure_handler(boost::executors::work&& w) : work_(std::move(w)) {}
    boost_closure_handler(boost_closure_handler&& other) noexcept : work_(std::move(other.work_)) { other.work_.reset(); }
    boost_closure_handler& operator=(boost_closure_handler&&) = delete;
    ~boost_closure_handler() { run(); }
    void operator()() { run(); }

private:
    void run() noexcept
    {
        if (!work_)
            return;
        auto w = std::move(*work_);
        work_.reset();
        try {
            w();
        } catch (...) {
            // Boost's continuation closures store their own exceptions; nothing to report.
        }
    }
    std::optional<boost::executors::work> work_;
};

thread_pool_options validated(thread_pool_options options)
{
    if (options.idle_timeout.count() < 0)
        throw std::invalid_argument("asyncjobs: thread_pool_options::idle_timeout is " +
                                    std::to_string(options.idle_timeout.count()) +
                                    " ms; it must be positive, or 0 to keep idle threads until shutdown");
    std::size_t max = options.max_workers ? options.max_workers : std::max(1u, std::thread::hardware_concurrency());
    if (options.min_workers > max)
        throw std::invalid_argument("asyncjobs: thread_pool_options::min_workers is " +
                                    std::to_string(options.min_workers) + ", above max_workers (" +
                                    std::to_string(max) + "); it must be from 0 to max_workers");
    return options;
}

/// What one pool thread has done, written by that thread alone (a load and a store, no
/// read-modify-write; release so that stats() reads an end no earlier than its take), on a
/// cache line of its own so that threads do not slow each other.
struct alignas(64) thread_counters {
    std::atomic<std::uint64_t> taken{0};  // submitted tasks it began to run (or found cancelled)
    std::atomic<std::uint64_t> completed{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> cancelled{0};

    static void bump(std::atomic<std::uint64_t>& c) noexcept
    {
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
};
} // namespace

/// The engine of thread_pool_executor: an Asio io_context whose threads are our own (named,
/// initialized, started on demand, retired when idle) running it, plus the list of tasks
/// that have not started, so that shutdown(cancel_futures) can cancel them at once.
/// An io_context rather than asio::thread_pool (the same scheduler underneath) because a
/// thread that must leave after idle_timeout needs run_one_for(), which the pool lacks.
class thread_pool_engine final : public scheduler {
public:
    explicit thread_pool_engine(thread_pool_options options)
        : options_(validated(std::move(options)))
        , max_workers_(options_.max_workers ? options_.max_workers
                                            : std::max(1u, std::thread::hardware_concurrency()))
        , reaping_(options_.idle_timeout.count() > 0)
        , counters_(std::make_unique<thread_counters[]>(max_workers_))
    {
        // Concurrency hint 0, as asio::thread_pool(0) gives: a locking scheduler for many threads.
        pool_.emplace(0);
        work_.emplace(pool_->get_executor());
    }

    ~thread_pool_engine() override { teardown(); }

    void submit(state_ptr task) override
    {
        fork_guard_.throw_if_forked();
        task->mark_tracked();
        {
            std::lock_guard lock(mutex_);
            if (closed_) {
                if (broken_)
                    std::rethrow_exception(detail::copy_exception(broken_));
                throw shutdown_error();
            }
            link(*task);
            start_thread_unless_one_is_idle();
            submitting_.fetch_add(1, std::memory_order_relaxed);
            // Under the lock already held: a plain store, no read-modify-write.
            submitted_.store(submitted_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
        }
        post(std::move(task));
        submitting_.fetch_sub(1, std::memory_order_release);
    }

    void schedule(state_ptr continuation) noexcept override
    {
        if (fork_guard_.forked()) {  // the copy has no threads to run it
            abandon_soon(std::move(continuation), std::make_exception_ptr(forked_executor()));
            return;
        }
        ensure_thread();
        count_queued();
        post(std::move(continuation));
    }

    /// A continuation or a Boost closure may be the first work this pool sees (then(pool,
    /// fn) on another executor's future): make sure a thread exists to run it.
    void ensure_thread() noexcept
    {
        // With idle reaping every thread may leave: count_queued() starts one under the
        // lock that retiring takes, so none leaves between the check and the post.
        if (!reaping_ && !any_thread_.load(std::memory_order_acquire)) {
            std::lock_guard lock(mutex_);
            if (alive_threads_ == 0 && !joined_)
                start_thread();
        }
    }

    void untrack(state_base& task) noexcept override
    {
        std::lock_guard lock(mutex_);
        unlink(task);
    }

    std::size_t concurrency() const noexcept override { return max_workers_; }

    void check_wait(const state_base& awaited) const override
    {
        // Tasks submitted here and continuations scheduled here run on these threads;
        // other states (combinators, promises) are completed by someone else.
        if (awaited.tracked() || awaited.scheduled_work)
            check_run_wait(awaited);
    }

    void check_run_wait(const state_base& awaited) const override
    {
        if (max_workers_ != 1 || !running_in_this_thread() || awaited.status() != task_status::pending)
            return;
        throw deadlock_error(
            "asyncjobs: a task or continuation waits (get/wait) for work queued on its own one-thread pool, "
            "which only this thread could run: this would hang forever. Chain it with then() (a continuation "
            "may return the future), or give the pool more than one thread (max_workers, completion_threads)");
    }

    void post_closure(boost::executors::work&& closure)
    {
        if (fork_guard_.forked()) {  // never dropped: as after teardown, it runs here
            boost_closure_handler(std::move(closure));
            return;
        }
        ensure_thread();
        count_queued();
        posting_.fetch_add(1, std::memory_order_seq_cst);
        if (alive_.load(std::memory_order_seq_cst)) {
            boost::asio::post(*pool_, counted_handler<boost_closure_handler>{this, boost_closure_handler(std::move(closure))});
            posting_.fetch_sub(1, std::memory_order_release);
        } else {
            posting_.fetch_sub(1, std::memory_order_release);
            boost_closure_handler(std::move(closure));
        }
    }

    void shutdown(bool wait, bool cancel_futures)
    {
        if (forked())
            return;
        std::vector<state_ptr> unstarted;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            if (cancel_futures)
                unstarted = take_pending();
        }
        for (auto& task : unstarted)
            task->cancel();
        if (wait && !running_in_this_thread())
            teardown();
    }

    bool closed() const
    {
        if (forked())
            return true;
        std::lock_guard lock(mutex_);
        return closed_;
    }

    std::size_t max_workers() const noexcept { return max_workers_; }

    pool_stats stats() const
    {
        // Ends before takes before submissions: each is read no later than the counts it
        // trails, so running and queued do not come out negative from a read under load.
        std::uint64_t completed = 0, failed = 0, cancelled = 0, taken = 0;
        std::size_t slots = slots_used_.load(std::memory_order_acquire);
        for (std::size_t i = 0; i < slots; ++i) {
            completed += counters_[i].completed.load(std::memory_order_acquire);
            failed += counters_[i].failed.load(std::memory_order_acquire);
            cancelled += counters_[i].cancelled.load(std::memory_order_acquire);
        }
        for (std::size_t i = 0; i < slots; ++i)
            taken += counters_[i].taken.load(std::memory_order_acquire);
        pool_stats out;
        out.submitted = submitted_.load(std::memory_order_acquire);
        out.completed = completed;
        out.failed = failed;
        out.cancelled = cancelled;
        std::uint64_t ended = completed + failed + cancelled;
        out.running = static_cast<std::size_t>(taken > ended ? taken - ended : 0);
        out.queued = static_cast<std::size_t>(out.submitted > taken ? out.submitted - taken : 0);
        out.workers = workers_now_.load(std::memory_order_relaxed);
        out.worker_starts = worker_starts_.load(std::memory_order_relaxed);
        out.worker_retirements = retirements_.load(std::memory_order_relaxed);
        return out;
    }

    bool running_in_this_thread() const noexcept { return current_engine == this; }

    /// In a child made by fork() (fork_guard.hpp): the copy runs nothing and must not be
    /// torn down.
    bool forked() const noexcept override { return fork_guard_.forked(); }

    /// Waits for all queued work, joins the threads and destroys the asio pool. Whatever
    /// reaches the pool after that fails with shutdown_error. Not from a pool thread.
    void teardown() noexcept
    {
        std::lock_guard teardown_lock(teardown_mutex_);
        if (torn_down_)
            return;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        while (submitting_.load(std::memory_order_acquire) != 0)
            std::this_thread::yield();
        // Release the work guard: the threads drain the queue (and the continuations posted
        // while draining, which still count as work) and leave once the io_context stops.
        // No thread retires while work is queued (try_retire), so the drain has a thread.
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(mutex_);
            work_.reset();
            for (auto& slot : slots_)
                if (slot.thread.joinable())
                    threads.push_back(std::move(slot.thread));
            joined_ = true;
        }
        for (auto& t : threads)
            t.join();
        alive_.store(false, std::memory_order_seq_cst);
        while (posting_.load(std::memory_order_seq_cst) != 0)
            std::this_thread::yield();
        // Destroying the pool destroys handlers that arrived after it stopped; each one
        // fails its future (queued_work) instead of leaving it pending.
        pool_.reset();
        torn_down_ = true;
    }

private:
    /// What a pool thread is doing, kept while the pool may still start threads (growing_:
    /// always with idle reaping), for submit() to tell whether a thread is idle and for an
    /// idle thread to tell whether it may retire. Guarded by mutex_.
    struct thread_activity {
        bool busy = false;
        const state_base* work = nullptr;  // the state it runs, held alive by its handler
    };

    /// A place for one thread: slot i's thread is named "<prefix>-i" and keeps counters_[i].
    /// A retired thread's slot is given to the next thread started (joining the old one).
    struct thread_slot {
        std::thread thread;
        thread_activity activity;
        bool alive = false;
    };

    /// Handler start and end, seen from the thread that runs it (only a pool thread counts).
    void begin_handler(const state_base* work) noexcept
    {
        if (!growing_.load(std::memory_order_acquire) || current_engine != this)
            return;
        std::lock_guard lock(mutex_);
        if (queued_)
            --queued_;
        auto& activity = slots_[current_thread_index].activity;
        activity.busy = true;
        activity.work = work;
    }
    void end_handler() noexcept
    {
        if (current_engine != this)
            return;
        // Cleared under the lock while growing, so that submit() never reads a state this
        // thread has let go of; once the pool is full nobody reads it.
        if (!growing_.load(std::memory_order_acquire))
            return;
        std::lock_guard lock(mutex_);
        slots_[current_thread_index].activity = {};
    }

    /// stats() of a submitted task, counted by the thread that takes it.
    thread_counters* counters_here(const state_base& work) noexcept
    {
        return work.tracked() && current_engine == this ? &counters_[current_thread_index] : nullptr;
    }
    static void count_end(thread_counters& c, const state_base& work) noexcept
    {
        switch (work.status()) {
        case task_status::cancelled:
            thread_counters::bump(c.cancelled);
            break;
        case task_status::finished:
            thread_counters::bump(work.exception() ? c.failed : c.completed);
            break;
        default:
            // Not finished by its own run (a state another party completes): counts as done.
            thread_counters::bump(c.completed);
            break;
        }
    }

    /// The allocator Asio gets a state_handler's operation from: the state's own room for
    /// it, so that a submit allocates once (the state). Asio deallocates an operation only
    /// after moving the handler, and with it a reference to the state, out of it
    /// (executor_op::do_complete), so the room outlives its use.
    template <class T>
    class queue_entry_allocator {
    public:
        using value_type = T;
        explicit queue_entry_allocator(state_base* s) noexcept : state_(s) {}
        template <class U>
        queue_entry_allocator(const queue_entry_allocator<U>& other) noexcept : state_(other.state_)
        {
        }
        T* allocate(std::size_t n)
        {
            if constexpr (alignof(T) <= alignof(std::max_align_t)) {
                if (void* room = state_->take_queue_entry_storage(n * sizeof(T)))
                    return static_cast<T*>(room);
            }
            return std::allocator<T>().allocate(n);
        }
        void deallocate(T* p, std::size_t n) noexcept
        {
            if (!state_->give_back_queue_entry_storage(p))
                std::allocator<T>().deallocate(p, n);
        }
        friend bool operator==(const queue_entry_allocator& a, const queue_entry_allocator& b) noexcept
        {
            return a.state_ == b.state_;
        }

    private:
        template <class U>
        friend class queue_entry_allocator;
        state_base* state_;
    };

    /// A state run by a pool thread; like queued_work, it fails the state if dropped unrun.
    class state_handler {
    public:
        using allocator_type = queue_entry_allocator<void>;

        state_handler(thread_pool_engine* engine, state_ptr s) noexcept : engine_(engine), state_(std::move(s)) {}
        allocator_type get_allocator() const noexcept { return allocator_type(state_.get()); }
        state_handler(state_handler&&) noexcept = default;
        state_handler& operator=(state_handler&&) = delete;
        ~state_handler()
        {
            if (state_)
                abandon_soon(std::move(state_), queued_work::shutdown_exception());
        }
        void operator()()
        {
            state_ptr s = std::move(state_);
            engine_->begin_handler(s.get());
            thread_counters* counters = engine_->counters_here(*s);
            if (counters)
                thread_counters::bump(counters->taken);
            s->run();
            if (counters)
                count_end(*counters, *s);
            // Still holding `s`: submit() may be reading it.
            engine_->end_handler();
        }

    private:
        thread_pool_engine* engine_;
        state_ptr state_;
    };

    template <class Handler>
    struct counted_handler {
        thread_pool_engine* engine;
        Handler inner;
        void operator()()
        {
            engine->begin_handler(nullptr);
            inner();
            engine->end_handler();
        }
    };

    /// Under mutex_: a submitted task takes an idle thread if there is one (a thread whose
    /// task is already complete counts: it is about to take the next), and starts a new one
    /// only when every thread is busy or spoken for by queued work (CPython >= 3.8 does the
    /// same): sequential submit().get() runs on one thread.
    void start_thread_unless_one_is_idle() noexcept
    {
        if (!growing_.load(std::memory_order_relaxed) || joined_)
            return;
        std::size_t idle = 0;
        for (const auto& slot : slots_)
            if (slot.alive && (!slot.activity.busy || (slot.activity.work && slot.activity.work->ready())))
                ++idle;
        if (queued_ + 1 > idle)
            start_thread();
        ++queued_;
    }

    /// Work posted without a task (continuations, closures) also takes a thread. With idle
    /// reaping every thread may have left: start one, under the lock that retiring takes.
    void count_queued() noexcept
    {
        if (!growing_.load(std::memory_order_acquire))
            return;
        std::lock_guard lock(mutex_);
        if (reaping_ && alive_threads_ == 0)
            start_thread();
        ++queued_;
    }

    void post(state_ptr work) noexcept
    {
        posting_.fetch_add(1, std::memory_order_seq_cst);
        if (alive_.load(std::memory_order_seq_cst)) {
            try {
                boost::asio::post(*pool_, state_handler(this, std::move(work)));
            } catch (...) {
                // state_handler's destructor has failed the state.
            }
            posting_.fetch_sub(1, std::memory_order_release);
        } else {
            posting_.fetch_sub(1, std::memory_order_release);
            abandon_soon(std::move(work), queued_work::shutdown_exception());
        }
    }

    /// Under mutex_.
    void start_thread() noexcept
    {
        if (alive_threads_ >= max_workers_ || joined_)
            return;
        std::size_t index = 0;
        while (index < slots_.size() && slots_[index].alive)
            ++index;
        try {
            if (index == slots_.size()) {
                slots_.reserve(max_workers_);
                slots_.emplace_back();
                slots_used_.store(slots_.size(), std::memory_order_release);
            } else if (slots_[index].thread.joinable()) {
                // A retired thread: it decided to leave under this lock and only returns now.
                slots_[index].thread.join();
            }
            auto& slot = slots_[index];
            slot.activity = {};
            slot.thread = std::thread([this, index] { pool_thread_main(index); });
            slot.alive = true;
            ++alive_threads_;
            workers_now_.store(alive_threads_, std::memory_order_relaxed);
            worker_starts_.fetch_add(1, std::memory_order_relaxed);
            any_thread_.store(true, std::memory_order_release);
            if (!reaping_ && alive_threads_ == max_workers_)
                growing_.store(false, std::memory_order_release);
        } catch (...) {
            // No new thread (resource limits): the threads already there take the work;
            // with none at all, teardown fails what is queued.
        }
    }

    /// An idle thread's question, after idle_timeout with nothing to run: may it leave?
    /// Not while work is queued that it may be counted on for, nor below min_workers.
    bool try_retire(std::size_t index) noexcept
    {
        std::lock_guard lock(mutex_);
        if (queued_ != 0 || alive_threads_ <= options_.min_workers || joined_)
            return false;
        slots_[index].alive = false;
        slots_[index].activity = {};
        --alive_threads_;
        workers_now_.store(alive_threads_, std::memory_order_relaxed);
        retirements_.fetch_add(1, std::memory_order_relaxed);
        return true;
    }

    void pool_thread_main(std::size_t index)
    {
        current_engine = this;
        current_thread_index = index;
        std::string name = options_.thread_name_prefix + "-" + std::to_string(index);
        name.resize(std::min<std::size_t>(name.size(), 15));
        pthread_setname_np(pthread_self(), name.c_str());
        if (options_.initializer) {
            try {
                options_.initializer();
            } catch (...) {
                break_pool(std::current_exception());
            }
        }
        // Even after a failed initializer the thread serves continuations, so that the
        // futures failed by break_pool() still run what was attached to them.
        if (!reaping_) {
            pool_->run();
        } else {
            // run_one_for() returns 0 after idle_timeout without a handler (or at once when
            // the io_context stopped at teardown).
            for (;;) {
                if (pool_->run_one_for(options_.idle_timeout))
                    continue;
                if (pool_->stopped() || try_retire(index))
                    break;
            }
        }
        current_engine = nullptr;
    }

    void break_pool(std::exception_ptr cause) noexcept
    {
        std::vector<state_ptr> unstarted;
        {
            std::lock_guard lock(mutex_);
            if (!broken_) {
                broken_ = std::make_exception_ptr(broken_executor(
                    "asyncjobs: a thread_pool_executor initializer threw (" + describe(cause) +
                    "); the pool is broken and runs no more tasks: fix the initializer and create a new executor"));
            }
            closed_ = true;
            unstarted = take_pending();
        }
        for (auto& task : unstarted)
            task->abandon(detail::copy_exception(broken_));  // each future its own object
    }

    // The pending list: an intrusive doubly linked list threaded through the states.
    void link(state_base& task) noexcept
    {
        task.pending_prev = nullptr;
        task.pending_next = pending_head_;
        if (pending_head_)
            pending_head_->pending_prev = &task;
        pending_head_ = &task;
        task.pending_linked = true;
    }

    void unlink(state_base& task) noexcept
    {
        if (!task.pending_linked)
            return;
        if (task.pending_prev)
            task.pending_prev->pending_next = task.pending_next;
        else
            pending_head_ = task.pending_next;
        if (task.pending_next)
            task.pending_next->pending_prev = task.pending_prev;
        task.pending_linked = false;
    }

    std::vector<state_ptr> take_pending()
    {
        std::vector<state_ptr> out;
        for (auto* s = pending_head_; s; s = s->pending_next) {
            out.emplace_back(s);
            s->pending_linked = false;
        }
        pending_head_ = nullptr;
        return out;
    }

    const thread_pool_options options_;
    const std::size_t max_workers_;
    const fork_guard fork_guard_;

    mutable std::mutex mutex_;  // guards everything up to slots_
    state_base* pending_head_ = nullptr;
    bool closed_ = false;
    std::exception_ptr broken_;
    std::vector<thread_slot> slots_;
    std::size_t alive_threads_ = 0;
    bool joined_ = false;
    std::size_t queued_ = 0;           // handlers posted and not begun, while growing_
    std::atomic<bool> growing_{true};  // threads may still start: activity is kept

    // stats(): written with relaxed atomics, read without the lock.
    const bool reaping_;
    std::unique_ptr<thread_counters[]> counters_;  // one per slot
    std::atomic<std::size_t> slots_used_{0};       // counters_ in use
    std::atomic<std::uint64_t> submitted_{0};      // written under mutex_
    alignas(64) std::atomic<std::size_t> workers_now_{0};
    std::atomic<std::uint64_t> worker_starts_{0};
    std::atomic<std::uint64_t> retirements_{0};

    std::atomic<bool> any_thread_{false};
    std::atomic<int> submitting_{0};
    std::atomic<int> posting_{0};
    std::atomic<bool> alive_{true};
    std::optional<boost::asio::io_context> pool_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;

    std::mutex teardown_mutex_;
    bool torn_down_ = false;
};

} // namespace detail

thread_pool_executor::thread_pool_executor() : thread_pool_executor(thread_pool_options{}) {}

thread_pool_executor::thread_pool_executor(std::size_t max_workers)
    : thread_pool_executor(thread_pool_options{.max_workers = max_workers})
{
}

thread_pool_executor::thread_pool_executor(thread_pool_options options)
    : executor(detail::scheduler_ptr(new detail::thread_pool_engine(std::move(options))))
    , engine_(static_cast<detail::thread_pool_engine*>(engine().get()))
{
}

thread_pool_executor::~thread_pool_executor()
{
    if (engine_->forked()) {
        detail::keep_forever(engine());
        return;
    }
    if (engine_->running_in_this_thread()) {
        engine_->shutdown(false, false);
        // This thread cannot join itself; a helper joins the pool once this task returns.
        std::thread([keep = engine()] { static_cast<detail::thread_pool_engine*>(keep.get())->teardown(); }).detach();
    } else {
        engine_->shutdown(true, false);
    }
}

void thread_pool_executor::shutdown(bool wait, bool cancel_futures) { engine_->shutdown(wait, cancel_futures); }
std::size_t thread_pool_executor::max_workers() const noexcept { return engine_->max_workers(); }
pool_stats thread_pool_executor::stats() const { return engine_->stats(); }
bool thread_pool_executor::running_in_this_thread() const noexcept { return engine_->running_in_this_thread(); }
void thread_pool_executor::submit(boost::executors::work&& closure) { engine_->post_closure(std::move(closure)); }
void thread_pool_executor::close() { engine_->shutdown(false, false); }
bool thread_pool_executor::closed() const noexcept { return engine_->closed(); }

} // namespace asyncjobs
