// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// What the process pool's I/O thread knows of one worker: its link, its life, and the
// calls it holds.
#ifndef ASYNCJOBS_SRC_POOL_WORKER_HPP
#define ASYNCJOBS_SRC_POOL_WORKER_HPP

#include "call.hpp"
#include "worker_life.hpp"
#include "worker_link.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace asyncjobs::detail {

class process_pool_engine;

/// Hears its link's events and hands them to the engine with itself attached.
struct worker final : worker_link_events {
    worker(process_pool_engine& engine, boost::asio::io_context& io, const std::string& exe, int image,
           std::size_t max_payload, int nice)
        : engine(engine), link(io, exe, image, max_payload, nice, *this), timer(io), start_timer(io)
    {
    }

    // worker_link_events, defined in process_pool_worker_io.cpp
    bool on_frame(const decode_result& frame) override;
    void on_bad_output(std::string why) override;
    void on_exit(int status) override;
    void on_closed() override;

    process_pool_engine& engine;
    worker_link link;
    worker_life life;
    boost::asio::steady_timer timer;
    boost::asio::steady_timer start_timer;  ///< process_pool_options::start_timeout, until the hello
    std::deque<call_ptr> in_flight;  ///< sent, in order; the front one is running
    std::uint64_t calls_sent = 0;    ///< call frames sent, counted as the worker counts them
    std::size_t tasks_done = 0;
    // What stats() reads from other threads (under the engine's mutex, which does not
    // order the I/O thread's plain writes): copies of tasks_done and whether a call runs.
    std::atomic<std::uint64_t> finished{0};
    std::atomic<bool> busy{false};  ///< a `started` frame came (workers without a claim board)
    /// The board seq of the call first in line, or no_call: with a claim board the worker
    /// sends no `started` frame, and stats() reads the board to learn whether it runs.
    static constexpr std::uint64_t no_call = ~std::uint64_t{0};
    std::atomic<std::uint64_t> first_seq{no_call};
    std::atomic<bool> gone{false};  ///< exited: no longer among stats()'s workers
    /// A submitter is writing a call it sent directly (process_pool_engine::write_direct).
    std::atomic<bool> direct_writing{false};
    /// When it last held no call (idle_timeout): its last reply, or when it became ready.
    std::chrono::steady_clock::time_point idle_since{};
    std::weak_ptr<call> kill_target;  ///< the call a timeout or cancel_and_kill kill was aimed at

    /// The I/O thread calls this when in_flight's front changes: the worker begins that
    /// call now (as far as the parent can tell without a `started` frame).
    void now_first() noexcept
    {
        const bool any = !in_flight.empty() && !in_flight.front()->initializer;
        if (any)
            in_flight.front()->started_at = std::chrono::steady_clock::now();
        first_seq.store(any && link.gates_calls() ? in_flight.front()->seq : no_call, std::memory_order_relaxed);
    }
    /// Whether the worker runs a call, from any thread (stats(), under the engine's mutex).
    bool runs_a_call() noexcept
    {
        if (busy.load(std::memory_order_relaxed))
            return true;
        std::uint64_t seq = first_seq.load(std::memory_order_relaxed);
        return seq != no_call && link.claims().started(seq);
    }
};

} // namespace asyncjobs::detail

#endif
