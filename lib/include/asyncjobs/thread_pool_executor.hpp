// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_THREAD_POOL_EXECUTOR_HPP
#define ASYNCJOBS_THREAD_POOL_EXECUTOR_HPP

#include <asyncjobs/detail/config.hpp>
#include <asyncjobs/executor.hpp>
#include <asyncjobs/pool_stats.hpp>

#include <chrono>

#include <cstddef>
#include <functional>
#include <string>

// boost::executors::work, the closure type of Boost.Thread's executors, is this type.
// Declared, not included: Boost.Thread's headers depend on BOOST_THREAD_VERSION, which is
// the program's choice, and cost compile time; <asyncjobs/boost_thread.hpp> brings them.
namespace boost::detail {
template <typename F>
class nullary_function;
} // namespace boost::detail

namespace asyncjobs {

namespace detail {
class thread_pool_engine;
}

struct thread_pool_options {
    /// Threads at most; 0 means std::thread::hardware_concurrency(). Threads start on
    /// demand, until there are this many: submit() starts one only when no thread is idle
    /// (as CPython >= 3.8 does), so sequential submit().get() runs on one thread.
    std::size_t max_workers = 0;
    /// Threads are named "<prefix>-<n>" (cut to the 15 characters Linux keeps).
    std::string thread_name_prefix = "asyncjobs";
    /// Runs once on each thread before it takes work. If it throws, the pool is broken:
    /// pending tasks fail and submit() throws broken_executor.
    std::function<void()> initializer{};
    /// A thread idle this long exits, down to min_workers; threads start again on demand as
    /// before. Zero (the default) keeps every thread until shutdown. A thread counts as idle
    /// only while no work is queued for it, so a burst never loses its threads halfway.
    std::chrono::milliseconds idle_timeout{0};
    /// The threads idle reaping keeps (at most max_workers; only with idle_timeout).
    std::size_t min_workers = 0;
};

/// Runs any callable on a Boost.Asio thread pool. Continuations of its futures run on the
/// same threads. It also meets Boost.Thread's executor requirements, so
/// `boost::future::then(pool, fn)` works with it (include <asyncjobs/boost_thread.hpp>,
/// BOOST_THREAD_VERSION 5).
///
/// After fork(), the child's copy of a pool has no threads and is inert: submit() throws
/// forked_executor, shutdown() does nothing, and the destructor returns at once. Futures of
/// the parent's pool never complete in the child.
class thread_pool_executor final : public executor {
public:
    thread_pool_executor();
    explicit thread_pool_executor(std::size_t max_workers);
    explicit thread_pool_executor(thread_pool_options options);

    /// shutdown(wait = true). From one of the pool's own threads it cannot join itself,
    /// so the joining is handed to a helper thread and the destructor returns at once.
    ~thread_pool_executor() override;

    /// See executor::shutdown. Called with `wait` from one of the pool's own threads it
    /// does not wait (that would deadlock); the destructor joins the threads later.
    void shutdown(bool wait = true, bool cancel_futures = false) override;
    std::size_t max_workers() const noexcept override;

    /// The pool's counters (pool_stats.hpp), read without stopping it: relaxed counters the
    /// threads keep for themselves, cheap enough to read per request. `submitted` counts
    /// submit() and map() chunks (not continuations); a task counts as running from the
    /// moment a thread takes it, and as cancelled when a thread reaches a task cancelled
    /// while queued. `workers` counts the live threads; `worker_retirements` those that
    /// left after idle_timeout. Threads neither crash nor get killed, and are not listed
    /// in `per_worker`.
    pool_stats stats() const override;

    /// True on the threads of this pool.
    bool running_in_this_thread() const noexcept;

    using executor::submit;

    /// Boost.Thread executor requirements: schedules a Boost closure (what
    /// boost::future::then(pool, fn) hands over). Closures are never dropped: once the pool
    /// is torn down they run on the calling thread.
    void submit(boost::detail::nullary_function<void()>&& closure);
    /// Boost.Thread executor requirements: shutdown(wait = false).
    void close();
    bool closed() const noexcept;
    /// Boost.Thread executor requirements: Asio's pool cannot run one queued handler on
    /// request, so this always returns false.
    bool try_executing_one() noexcept { return false; }

private:
    detail::thread_pool_engine* engine_;
};

} // namespace asyncjobs

#endif
