// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The only code that calls MPI. Nothing here blocks: a blocking MPI receive spins a whole
// core (Open MPI 4.1 measured 1.99 s of CPU for a 2 s wait, with or without
// mpi_yield_when_idle), so both ends poll with MPI_Iprobe / MPI_Test and sleep between looks
// (poll_backoff). Every call is made by one thread at a time (MPI_THREAD_SERIALIZED).
#ifndef ASYNCJOBS_SRC_MPI_TRANSPORT_HPP
#define ASYNCJOBS_SRC_MPI_TRANSPORT_HPP

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <list>
#include <mutex>
#include <optional>
#include <string>

#include <sys/prctl.h>

namespace asyncjobs::detail {

class mpi_transport {
public:
    struct message {
        int source = 0;
        int tag = 0;
        std::string bytes;
    };

    mpi_transport() = default;
    mpi_transport(const mpi_transport&) = delete;
    mpi_transport& operator=(const mpi_transport&) = delete;
    /// Cancels what was never delivered (only at teardown, when the peer is gone or stopping).
    ~mpi_transport();

    /// A message that has arrived, if any (MPI_Iprobe, then the receive it makes immediate).
    std::optional<message> poll();
    /// Starts sending `bytes` (MPI_Isend); the buffer lives here until MPI is done with it.
    /// Throws std::length_error above INT_MAX bytes (MPI counts in int).
    void send(int destination, int tag, std::string bytes);
    /// Retires completed sends; true when none is left.
    bool flush();

private:
    struct pending_send {
        std::string bytes;
        void* request = nullptr;  // MPI_Request, kept opaque so this header needs no <mpi.h>
    };
    std::list<pending_send> sends_;
};

/// How long a polling loop sleeps: `busy` while traffic is recent (within `linger` of the
/// last message or local event: a stream of calls and replies), then doubling up to
/// `idle_max` while nothing happens. Doubling at once after each message made a 10,000-task
/// stream five times slower (a worker rank was asleep for 2 ms when the next call came).
/// The sleep is a condition-variable wait, so local events (a submit, a local result) wake
/// the loop at once; only MPI arrivals wait for the next look.
/// Asks the kernel to wake the calling thread on time: the default timer slack (50 us)
/// turns poll_backoff's 20 us sleeps into about 90 us, twice per round trip (measured by
/// bench_mpi: a 20 us wait_for took 88 us median at load 13, 34 us with a slack of 1 ns).
/// Per thread; called by the threads that poll MPI.
inline void tighten_timer_slack() noexcept { (void)::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }

class poll_backoff {
public:
    poll_backoff(std::chrono::microseconds busy, std::chrono::microseconds idle_max,
                 std::chrono::microseconds linger = std::chrono::milliseconds(5))
        : busy_(busy), max_(std::max(busy, idle_max)), linger_(linger), next_(busy)
    {
    }

    /// Sleeps on `cv` (with `lock` held on entry and exit) unless `woken` is already true.
    template <class Predicate>
    void pause(bool active, std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Predicate woken)
    {
        auto now = std::chrono::steady_clock::now();
        if (active)
            last_active_ = now;
        next_ = now - last_active_ < linger_ ? busy_ : std::min(max_, next_ * 2);
        cv.wait_for(lock, next_, woken);
    }

    /// Sleeps the longest interval on `cv` unless `woken`; the next pause() starts from
    /// there. For a loop that expects nothing from MPI but what may wait (a kill, the end).
    template <class Predicate>
    void pause_long(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Predicate woken)
    {
        next_ = max_;
        cv.wait_for(lock, max_, woken);
    }

private:
    std::chrono::microseconds busy_;
    std::chrono::microseconds max_;
    std::chrono::microseconds linger_;
    std::chrono::microseconds next_;
    std::chrono::steady_clock::time_point last_active_{};
};

} // namespace asyncjobs::detail

#endif
