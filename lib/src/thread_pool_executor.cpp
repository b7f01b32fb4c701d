// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/thread_pool_executor.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace asyncjobs {
namespace detail {

namespace {
thread_local const thread_pool_engine* current_engine = nullptr;

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
} // namespace

/// The engine of thread_pool_executor: an asio::thread_pool whose threads are our own
/// (named, initialized, started on demand) attached to it, plus the list of tasks that
/// have not started, so that shutdown(cancel_futures) can cancel them at once.
class thread_pool_engine final : public scheduler {
public:
    explicit thread_pool_engine(thread_pool_options options)
        : options_(std::move(options))
        , max_workers_(options_.max_workers ? options_.max_workers
                                            : std::max(1u, std::thread::hardware_concurrency()))
    {
        pool_.emplace(0);
    }

    ~thread_pool_engine() override { teardown(); }

    void submit(state_ptr task) override
    {
        task->mark_tracked();
        {
            std::lock_guard lock(mutex_);
            if (closed_) {
                if (broken_)
                    std::rethrow_exception(detail::copy_exception(broken_));
                throw shutdown_error();
            }
            link(*task);
            if (threads_.size() < max_workers_ && !joined_)
                start_thread();
            submitting_.fetch_add(1, std::memory_order_relaxed);
        }
        post(std::move(task));
        submitting_.fetch_sub(1, std::memory_order_release);
    }

    void schedule(state_ptr continuation) noexcept override
    {
        ensure_thread();
        post(std::move(continuation));
    }

    /// A continuation or a Boost closure may be the first work this pool sees (then(pool,
    /// fn) on another executor's future): make sure a thread exists to run it.
    void ensure_thread() noexcept
    {
        if (!any_thread_.load(std::memory_order_acquire)) {
            std::lock_guard lock(mutex_);
            if (threads_.empty() && !joined_)
                start_thread();
        }
    }

    void untrack(state_base& task) noexcept override
    {
        std::lock_guard lock(mutex_);
        unlink(task);
    }

    std::size_t concurrency() const noexcept override { return max_workers_; }

    void post_closure(boost::executors::work&& closure)
    {
        ensure_thread();
        posting_.fetch_add(1, std::memory_order_seq_cst);
        if (alive_.load(std::memory_order_seq_cst)) {
            boost::asio::post(*pool_, boost_closure_handler(std::move(closure)));
            posting_.fetch_sub(1, std::memory_order_release);
        } else {
            posting_.fetch_sub(1, std::memory_order_release);
            boost_closure_handler(std::move(closure));
        }
    }

    void shutdown(bool wait, bool cancel_futures)
    {
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
        std::lock_guard lock(mutex_);
        return closed_;
    }

    std::size_t max_workers() const noexcept { return max_workers_; }
    bool running_in_this_thread() const noexcept { return current_engine == this; }

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
        // Release the pool's own work guard: the attached threads drain the queue (and
        // the continuations posted while draining, which still count as work) and leave.
        pool_->wait();
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(mutex_);
            threads.swap(threads_);
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
    void post(state_ptr work) noexcept
    {
        posting_.fetch_add(1, std::memory_order_seq_cst);
        if (alive_.load(std::memory_order_seq_cst)) {
            try {
                boost::asio::post(*pool_, queued_work(std::move(work)));
            } catch (...) {
                // queued_work's destructor has failed the state.
            }
            posting_.fetch_sub(1, std::memory_order_release);
        } else {
            posting_.fetch_sub(1, std::memory_order_release);
            abandon_soon(std::move(work), queued_work::shutdown_exception());
        }
    }

    void start_thread() noexcept
    {
        try {
            std::size_t index = threads_.size();
            threads_.emplace_back([this, index] { worker_main(index); });
            any_thread_.store(true, std::memory_order_release);
        } catch (...) {
            // No new thread (resource limits): the threads already there take the work;
            // with none at all, teardown fails what is queued.
        }
    }

    void worker_main(std::size_t index)
    {
        current_engine = this;
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
        pool_->attach();
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

    mutable std::mutex mutex_;  // guards everything up to threads_
    state_base* pending_head_ = nullptr;
    bool closed_ = false;
    std::exception_ptr broken_;
    std::vector<std::thread> threads_;
    bool joined_ = false;

    std::atomic<bool> any_thread_{false};
    std::atomic<int> submitting_{0};
    std::atomic<int> posting_{0};
    std::atomic<bool> alive_{true};
    std::optional<boost::asio::thread_pool> pool_;

    std::mutex teardown_mutex_;
    bool torn_down_ = false;
};

} // namespace detail

thread_pool_executor::thread_pool_executor() : thread_pool_executor(thread_pool_options{}) {}

thread_pool_executor::thread_pool_executor(std::size_t max_workers)
    : thread_pool_executor(thread_pool_options{max_workers, "asyncjobs", {}})
{
}

thread_pool_executor::thread_pool_executor(thread_pool_options options)
    : executor(detail::scheduler_ptr(new detail::thread_pool_engine(std::move(options))))
    , engine_(static_cast<detail::thread_pool_engine*>(engine().get()))
{
}

thread_pool_executor::~thread_pool_executor()
{
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
bool thread_pool_executor::running_in_this_thread() const noexcept { return engine_->running_in_this_thread(); }
void thread_pool_executor::submit(boost::executors::work&& closure) { engine_->post_closure(std::move(closure)); }
void thread_pool_executor::close() { engine_->shutdown(false, false); }
bool thread_pool_executor::closed() const noexcept { return engine_->closed(); }

} // namespace asyncjobs
