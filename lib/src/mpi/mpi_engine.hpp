// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Rank 0's side of mpi_executor. Callers encode their call and queue it; one progress
// thread owns every MPI call (MPI_THREAD_SERIALIZED): it sends queued calls to ranks with
// a free worker, receives replies and completes futures, and sleeps between looks
// (poll_backoff) instead of blocking in MPI, which would spin a core. Continuations run on
// a completion thread pool, never on the progress thread.
#ifndef ASYNCJOBS_SRC_MPI_ENGINE_HPP
#define ASYNCJOBS_SRC_MPI_ENGINE_HPP

#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/mpi_executor.hpp>
#include <asyncjobs/pool_stats.hpp>
#include <asyncjobs/thread_pool_executor.hpp>

#include "mpi_transport.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asyncjobs::detail {

class mpi_engine final : public scheduler {
public:
    /// Claims MPI for this engine, starts the progress thread and waits (start_timeout) for
    /// every worker rank's hello.
    explicit mpi_engine(mpi_executor_options options);
    ~mpi_engine() override;

    void submit(state_ptr task) override { submit_with(std::move(task), task_options{}); }
    void schedule(state_ptr continuation) noexcept override { completion_engine_->schedule(std::move(continuation)); }
    void check_wait(const state_base& awaited) const override
    {
        if (awaited.scheduled_work)
            completion_engine_->check_run_wait(awaited);
    }
    std::size_t concurrency() const noexcept override { return max_workers_; }
    /// A chunk pays two MPI hops and a pipe round trip on its rank: make it worth it.
    std::chrono::nanoseconds chunk_target() const noexcept override { return std::chrono::milliseconds(10); }

    void submit_with(state_ptr task, const task_options& options);
    bool kill_task(state_base* task);
    void shutdown(bool wait, bool cancel_futures);
    /// Releases the ranks (detach) and joins the progress thread; after shutdown(true).
    void stop() noexcept;

    std::vector<mpi_rank_info> ranks() const;
    std::size_t max_workers() const noexcept { return max_workers_; }
    pool_stats stats() const;

private:
    struct call {
        state_ptr state;
        remote_call* remote = nullptr;
        const task_entry* entry = nullptr;
        std::uint64_t id = 0;
        std::string message;  // the whole call message, ready to send
        int rank = 0;
    };
    using call_ptr = std::shared_ptr<call>;
    struct rank_slot {
        mpi_rank_info info;
        bool answered = false;
        std::size_t in_flight = 0;
        std::size_t capacity = 0;
        bool lost = false;  // silent past rank_timeout: sent nothing more
    };
    /// What the progress thread knows of a rank's liveness (its own, not under the lock).
    struct rank_watch {
        std::chrono::steady_clock::time_point heard{};   // its last message, or work given to it idle
        std::chrono::steady_clock::time_point pinged{};  // the last ping sent to it
    };
    struct kill_request {
        std::uint64_t id = 0;
        int rank = 0;
        std::promise<bool> answer;
    };

    void progress_main();
    void handle(mpi_transport::message& m);
    void handle_hello(mpi_transport::message& m);
    /// The call `id` left its rank: counted out of the rank and the map (under the lock).
    call_ptr take_in_flight_locked(std::uint64_t id);
    /// A call ended (its state is complete): counted in stats() and out of shutdown's wait.
    void finished_one(const state_base& ended);
    /// The rank with the most free room, or -1 (under the lock).
    int pick_rank_locked() const;
    /// Pings the quiet ranks that hold calls, and gives up those silent past rank_timeout.
    void watch_ranks(std::vector<rank_watch>& watch, mpi_transport& transport);
    /// Rank `rank` is given up: its calls fail, its kills answer false, and when it was the
    /// last rank, everything queued fails and the executor is broken.
    void lose_rank(int rank, std::chrono::milliseconds silent);

    mpi_executor_options options_;
    thread_pool_executor completion_;
    scheduler_ptr completion_engine_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;  // the progress thread's sleep
    std::condition_variable done_;  // shutdown, the start, stop
    bool poked_ = false;
    bool closed_ = false;
    bool stopping_ = false;
    bool started_ = false;
    std::exception_ptr start_error_;
    std::exception_ptr broken_;  // every rank lost: what submit() throws
    std::deque<call_ptr> queue_;
    std::unordered_map<std::uint64_t, call_ptr> in_flight_;
    std::unordered_map<const state_base*, std::uint64_t> ids_;  // of in_flight_, for kill_task
    std::size_t outstanding_ = 0;
    // stats(): calls submitted and how they ended (under mutex_).
    std::uint64_t submitted_ = 0;
    std::uint64_t completed_ = 0;
    std::uint64_t failed_ = 0;
    std::uint64_t cancelled_ = 0;
    std::vector<rank_slot> ranks_;  // [rank - 1]
    std::size_t answered_ = 0;
    std::size_t max_workers_ = 0;
    std::deque<std::shared_ptr<kill_request>> kills_to_send_;
    std::unordered_map<std::uint64_t, std::shared_ptr<kill_request>> kills_waiting_;
    std::thread progress_;
};

} // namespace asyncjobs::detail

#endif
