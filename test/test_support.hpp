// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Helpers shared by the asyncjobs test suites. Every blocking wait in the tests is bounded
// (test::long_wait), so a bug makes a test fail instead of hanging the run. Orders between
// threads are forced with gates, never with sleeps.
#ifndef ASYNCJOBS_TEST_SUPPORT_HPP
#define ASYNCJOBS_TEST_SUPPORT_HPP

#include <asyncjobs/asyncjobs.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <future>
#include <mutex>
#include <thread>

namespace test {

using namespace std::chrono_literals;

/// How long any wait in a test may block before the test gives up and fails.
inline constexpr std::chrono::seconds long_wait{30};

/// A one-shot event: wait() blocks until open() (or long_wait passes; then it returns false).
class gate {
public:
    void open()
    {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        cv_.notify_all();
    }

    [[nodiscard]] bool wait() const
    {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, long_wait, [this] { return open_; });
    }

    bool is_open() const
    {
        std::lock_guard lock(mutex_);
        return open_;
    }

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    bool open_ = false;
};

/// Opens a gate when it goes out of scope: declared after the executor whose tasks wait on
/// the gate, it releases them before the executor's destructor waits for them, also when a
/// BOOST_REQUIRE leaves the test early.
class open_on_exit {
public:
    explicit open_on_exit(gate& g) noexcept : gate_(g) {}
    open_on_exit(const open_on_exit&) = delete;
    open_on_exit& operator=(const open_on_exit&) = delete;
    ~open_on_exit() { gate_.open(); }

private:
    gate& gate_;
};

/// A counter that threads can wait on until it reaches a value.
class counter {
public:
    void add(std::size_t n = 1)
    {
        {
            std::lock_guard lock(mutex_);
            value_ += n;
        }
        cv_.notify_all();
    }

    /// Blocks until the count is at least `n`; false if long_wait passed first.
    [[nodiscard]] bool wait_for_at_least(std::size_t n) const
    {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, long_wait, [&] { return value_ >= n; });
    }

    std::size_t value() const
    {
        std::lock_guard lock(mutex_);
        return value_;
    }

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    std::size_t value_ = 0;
};

/// True once `f` is ready; false if it was not ready within long_wait (a bug, not a slow machine).
template <class Future>
[[nodiscard]] bool ready(const Future& f)
{
    return f.wait_for(long_wait) == std::future_status::ready;
}

/// Polls `condition` until it holds or long_wait passes. For states that have no event to
/// wait on (a thread that has exited); never used to order threads.
template <class Condition>
[[nodiscard]] bool eventually(Condition condition)
{
    auto deadline = std::chrono::steady_clock::now() + long_wait;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

/// Occupies one worker of a pool until release() (or the end of the scope): submitted to a
/// one-thread pool, everything submitted after it stays queued, so it can be cancelled.
/// Declare it after the pool, so that it releases its task before the pool waits for it.
class blocker {
public:
    explicit blocker(asyncjobs::executor& ex)
        : future_(ex.submit([this] {
            started_.open();
            return release_.wait();
        }))
    {
    }
    blocker(const blocker&) = delete;
    blocker& operator=(const blocker&) = delete;
    /// Releases the task and waits for it to finish: it uses this object's gates until then.
    ~blocker()
    {
        release_.open();
        if (future_.valid())
            (void)future_.wait_for(long_wait);
    }

    /// Waits until the blocking task runs on a worker.
    [[nodiscard]] bool started() const { return started_.wait(); }
    void release() { release_.open(); }
    asyncjobs::future<bool>& future() noexcept { return future_; }

private:
    gate started_;
    gate release_;
    asyncjobs::future<bool> future_;
};

/// True when the build uses AddressSanitizer or ThreadSanitizer (some sizes are scaled down).
inline constexpr bool sanitized =
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

} // namespace test

#endif
