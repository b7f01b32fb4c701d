// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "mpi_engine.hpp"
#include "mpi_runtime.hpp"
#include "mpi_wire.hpp"

#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/errors.hpp>

#include "common/task_lookup.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <utility>

namespace asyncjobs::detail {

namespace {

mpi_executor_options checked(mpi_executor_options o)
{
    auto& rt = mpi_runtime::instance();
    if (!rt.ready())
        throw std::logic_error(
            "asyncjobs: mpi_executor needs MPI started by the worker line: put\n"
            "    if (auto code = asyncjobs::mpi::run_worker_if_requested(argc, argv)) return *code;\n"
            "first in main, link asyncjobs::mpi, and start the program with mpirun -n N (N >= 2) or srun");
    if (rt.rank() != 0)
        throw std::logic_error("asyncjobs: mpi_executor is built on rank 0 only (this is rank " +
                               std::to_string(rt.rank()) + "); the other ranks serve from the worker line");
    if (rt.size() < 2)
        throw std::invalid_argument(
            "asyncjobs: mpi_executor needs at least one worker rank besides rank 0, and this program runs as "
            "one rank: start it with mpirun -n N (N >= 2) or srun -n N");
    if (o.task_timeout && o.task_timeout->count() <= 0)
        throw std::invalid_argument("asyncjobs: mpi_executor_options::task_timeout must be positive (it is " +
                                    std::to_string(o.task_timeout->count()) + " ms); leave it unset for no timeout");
    if (o.start_timeout.count() <= 0)
        throw std::invalid_argument("asyncjobs: mpi_executor_options::start_timeout must be positive");
    if (o.max_poll_interval.count() <= 0)
        throw std::invalid_argument("asyncjobs: mpi_executor_options::max_poll_interval must be positive");
    if (o.rank_timeout.count() <= 0)
        throw std::invalid_argument("asyncjobs: mpi_executor_options::rank_timeout must be positive (it is " +
                                    std::to_string(o.rank_timeout.count()) + " ms)");
    return o;
}

} // namespace

mpi_engine::mpi_engine(mpi_executor_options options)
    : options_(checked(std::move(options)))
    , completion_(thread_pool_options{1, "asyncjobs-mpi", {}})
    , completion_engine_(scheduler_of(completion_))
{
    auto& rt = mpi_runtime::instance();
    rt.claim(this);
    ranks_.resize(static_cast<std::size_t>(rt.size() - 1));
    for (std::size_t i = 0; i < ranks_.size(); ++i)
        ranks_[i].info.rank = static_cast<int>(i + 1);
    progress_ = std::thread([this] { progress_main(); });
    std::unique_lock lock(mutex_);
    bool answered = done_.wait_for(lock, options_.start_timeout, [&] { return started_ || start_error_; });
    std::exception_ptr error = start_error_;
    if (!answered) {
        std::string silent;
        for (auto& r : ranks_)
            if (!r.answered)
                silent += (silent.empty() ? "" : ", ") + std::to_string(r.info.rank);
        error = std::make_exception_ptr(broken_executor(
            "asyncjobs: mpi_executor: ranks " + silent + " did not answer within start_timeout; does every rank "
            "start main with asyncjobs::mpi::run_worker_if_requested?"));
    }
    lock.unlock();
    if (error) {
        stop();
        std::rethrow_exception(error);
    }
}

mpi_engine::~mpi_engine() { stop(); }

void mpi_engine::submit_with(state_ptr task, const task_options& options)
{
    const sendable_call sendable = sendable_call_of(*task, options, "mpi_executor");
    remote_call* const remote = sendable.remote;
    const task_entry& entry = sendable.entry;
    auto c = std::make_shared<call>();
    c->state = task;
    c->remote = remote;
    c->entry = &entry;
    auto timeout = options.timeout ? options.timeout : options_.task_timeout;
    std::int64_t timeout_ms = -1;
    if (timeout && *timeout < std::chrono::milliseconds(std::numeric_limits<std::int64_t>::max() / 2))
        timeout_ms = timeout->count();
    // Unique across the program's executors: a late reply to an earlier one (a kill's
    // answer) must not match a call of this one.
    static std::atomic<std::uint64_t> next_id{1};
    c->id = next_id.fetch_add(1, std::memory_order_relaxed);
    // The retry options travel to the rank, whose local pool retries on its own workers.
    mpi_wire::writer(c->message)
        .u64(c->id)
        .i64(timeout_ms)
        .i64(options.retries ? static_cast<std::int64_t>(*options.retries) : -1)
        .u8(options.retry_on_timeout ? (*options.retry_on_timeout ? 1 : 0) : 2)
        .i64(options.retry_backoff ? options.retry_backoff->count() : -1)
        .u8(remote->chunked() ? 1 : 0)
        .str(entry.name);
    byte_sink sink(c->message);
    remote->encode_arguments(entry, sink);
    if (c->message.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw std::length_error("asyncjobs: mpi_executor: the encoded arguments are larger than one MPI message "
                                "(2 GiB); send smaller arguments");
    {
        std::lock_guard lock(mutex_);
        if (closed_)
            throw shutdown_error();
        if (broken_)
            std::rethrow_exception(copy_exception(broken_));
        queue_.push_back(std::move(c));
        ++outstanding_;
        ++submitted_;
        poked_ = true;
    }
    wake_.notify_one();
}

bool mpi_engine::kill_task(state_base* task)
{
    if (!task)
        throw invalid_future();
    if (task->cancel())
        return true;
    auto request = std::make_shared<kill_request>();
    auto answer = request->answer.get_future();
    {
        std::lock_guard lock(mutex_);
        auto it = ids_.find(task);
        if (it == ids_.end() || stopping_)
            return false;  // finished (or finishing: its reply is being delivered)
        request->id = it->second;
        request->rank = in_flight_.at(it->second)->rank;
        kills_to_send_.push_back(request);
        poked_ = true;
    }
    wake_.notify_one();
    return answer.get();
}

void mpi_engine::shutdown(bool wait, bool cancel_futures)
{
    std::deque<call_ptr> unsent;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        if (cancel_futures)
            unsent.swap(queue_);
    }
    for (auto& c : unsent) {
        c->state->cancel();
        finished_one(*c->state);
    }
    if (wait && std::this_thread::get_id() != progress_.get_id()) {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return outstanding_ == 0; });
    }
}

void mpi_engine::stop() noexcept
{
    {
        std::lock_guard lock(mutex_);
        if (!progress_.joinable())
            return;
        stopping_ = true;
        poked_ = true;
    }
    wake_.notify_one();
    if (std::this_thread::get_id() == progress_.get_id())
        progress_.detach();  // from a callback of the progress thread: it ends by itself
    else
        progress_.join();
    std::unordered_map<std::uint64_t, std::shared_ptr<kill_request>> kills;
    {
        std::lock_guard lock(mutex_);
        kills.swap(kills_waiting_);
        for (auto& k : kills_to_send_)
            kills.emplace(k->id, k);
        kills_to_send_.clear();
    }
    for (auto& [id, k] : kills)
        k->answer.set_value(false);
    completion_.shutdown(true);
    mpi_runtime::instance().release(this);
}

std::vector<mpi_rank_info> mpi_engine::ranks() const
{
    std::lock_guard lock(mutex_);
    std::vector<mpi_rank_info> out;
    for (auto& r : ranks_)
        out.push_back(r.info);
    return out;
}

int mpi_engine::pick_rank_locked() const
{
    int best = -1;
    std::size_t best_room = 0;
    for (std::size_t i = 0; i < ranks_.size(); ++i) {
        auto& r = ranks_[i];
        if (r.in_flight < r.capacity && r.capacity - r.in_flight > best_room) {
            best_room = r.capacity - r.in_flight;
            best = static_cast<int>(i + 1);
        }
    }
    return best;
}

mpi_engine::call_ptr mpi_engine::take_in_flight_locked(std::uint64_t id)
{
    auto it = in_flight_.find(id);
    if (it == in_flight_.end())
        return nullptr;
    call_ptr c = std::move(it->second);
    in_flight_.erase(it);
    ids_.erase(c->state.get());
    --ranks_[static_cast<std::size_t>(c->rank - 1)].in_flight;
    return c;
}

pool_stats mpi_engine::stats() const
{
    pool_stats out;
    std::lock_guard lock(mutex_);
    out.submitted = submitted_;
    out.completed = completed_;
    out.failed = failed_;
    out.cancelled = cancelled_;
    out.running = in_flight_.size();
    out.queued = queue_.size();
    out.workers = max_workers_;  // the ranks' local workers; their starts and deaths stay on their rank
    return out;
}

void mpi_engine::finished_one(const state_base& ended)
{
    bool all_done;
    {
        std::lock_guard lock(mutex_);
        if (ended.status() == task_status::cancelled)
            ++cancelled_;
        else if (ended.exception())
            ++failed_;
        else
            ++completed_;
        all_done = --outstanding_ == 0;
    }
    if (all_done)
        done_.notify_all();
}

void mpi_engine::watch_ranks(std::vector<rank_watch>& watch, mpi_transport& transport)
{
    const auto now = std::chrono::steady_clock::now();
    const auto limit = options_.rank_timeout;
    const auto ask_every = std::max<std::chrono::steady_clock::duration>(limit / 4, std::chrono::milliseconds(1));
    int silent = 0;
    std::vector<int> quiet;  // allocated only on the turns that ping
    {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < ranks_.size(); ++i) {
            // A rank with nothing to do owes rank 0 nothing: only one holding calls is watched.
            if (ranks_[i].lost || ranks_[i].in_flight == 0)
                continue;
            auto& w = watch[i];
            if (now - w.heard >= limit) {
                silent = static_cast<int>(i + 1);
                break;  // one a turn: lose_rank() takes the lock
            }
            if (now - w.heard >= ask_every && now - w.pinged >= ask_every) {
                w.pinged = now;
                quiet.push_back(static_cast<int>(i + 1));
            }
        }
    }
    for (int rank : quiet)
        transport.send(rank, mpi_wire::ping, {});
    if (silent)
        lose_rank(silent, std::chrono::duration_cast<std::chrono::milliseconds>(
                              now - watch[static_cast<std::size_t>(silent - 1)].heard));
}

void mpi_engine::lose_rank(int rank, std::chrono::milliseconds silent)
{
    std::vector<call_ptr> calls;
    std::vector<std::shared_ptr<kill_request>> kills;
    std::deque<call_ptr> queued;
    std::string why;
    std::exception_ptr broken;
    {
        std::lock_guard lock(mutex_);
        auto& r = ranks_[static_cast<std::size_t>(rank - 1)];
        r.lost = true;
        r.capacity = 0;
        why = "asyncjobs: mpi_executor: rank " + std::to_string(rank) + " (pid " + std::to_string(r.info.pid) +
              " on " + r.info.host + ") answered nothing for " + std::to_string(silent.count()) +
              " ms while it held this call (mpi_executor_options::rank_timeout is " +
              std::to_string(options_.rank_timeout.count()) +
              " ms): rank 0 gave the rank up. It may be stopped, or its host frozen or cut off; a rank that is only "
              "slow to answer needs a longer rank_timeout";
        std::vector<std::uint64_t> ids;
        for (auto& [id, c] : in_flight_)
            if (c->rank == rank)
                ids.push_back(id);
        for (auto id : ids)
            calls.push_back(take_in_flight_locked(id));
        for (auto it = kills_waiting_.begin(); it != kills_waiting_.end();) {
            if (it->second->rank == rank) {
                kills.push_back(std::move(it->second));
                it = kills_waiting_.erase(it);
            } else {
                ++it;
            }
        }
        std::erase_if(kills_to_send_, [&](const std::shared_ptr<kill_request>& k) {
            if (k->rank != rank)
                return false;
            kills.push_back(k);
            return true;
        });
        if (std::all_of(ranks_.begin(), ranks_.end(), [](const rank_slot& s) { return s.lost; })) {
            broken_ = std::make_exception_ptr(broken_executor(
                "asyncjobs: mpi_executor: every worker rank was given up (none answered within "
                "mpi_executor_options::rank_timeout); the executor cannot run tasks any more"));
            broken = broken_;
            queued.swap(queue_);
        }
    }
    for (auto& c : calls) {
        c->remote->fail(std::make_exception_ptr(worker_crashed(-1, 0, why)));
        finished_one(*c->state);
    }
    for (auto& k : kills)
        k->answer.set_value(false);  // the call failed instead: it is no longer running
    for (auto& c : queued) {
        c->state->abandon(copy_exception(broken));
        finished_one(*c->state);
    }
}

void mpi_engine::handle_hello(mpi_transport::message& m)
{
    mpi_wire::reader in(m.bytes);
    std::size_t workers = in.u64();
    std::uint64_t fingerprint = in.u64();
    long pid = static_cast<long>(in.i64());
    std::string host(in.str());
    std::lock_guard lock(mutex_);
    auto& r = ranks_.at(static_cast<std::size_t>(m.source - 1));
    if (r.answered)
        return;
    r.answered = true;
    r.info.workers = workers;
    r.info.pid = pid;
    r.info.host = host;
    r.capacity = workers + 1;  // one call more than workers hides the round trip
    max_workers_ += workers;
    if (fingerprint != task_registry::instance().fingerprint() && !start_error_)
        start_error_ = std::make_exception_ptr(protocol_error(
            "asyncjobs: mpi_executor: rank " + std::to_string(m.source) + " (" + host +
            ") runs a program with other registered tasks than rank 0; every rank must run the same build"));
    if (++answered_ == ranks_.size() && !start_error_)
        started_ = true;
    done_.notify_all();
}

void mpi_engine::handle(mpi_transport::message& m)
{
    if (m.source < 1 || static_cast<std::size_t>(m.source) > ranks_.size())
        return;
    if (m.tag == mpi_wire::hello) {
        handle_hello(m);
        return;
    }
    if (m.tag == mpi_wire::pong)
        return;  // it lives: progress_main() noted when it heard from it
    mpi_wire::reader in(m.bytes);
    std::uint64_t id = in.u64();
    if (m.tag == mpi_wire::killed) {
        bool stopped = in.u8() != 0;
        std::shared_ptr<kill_request> k;
        {
            std::lock_guard lock(mutex_);
            auto it = kills_waiting_.find(id);
            if (it == kills_waiting_.end())
                return;
            k = std::move(it->second);
            kills_waiting_.erase(it);
        }
        k->answer.set_value(stopped);
        return;
    }
    call_ptr c;
    {
        std::lock_guard lock(mutex_);
        c = take_in_flight_locked(id);
        poked_ = true;  // its rank has room again
    }
    if (!c)
        return;
    if (m.tag == mpi_wire::result) {
        c->remote->complete_from(*c->entry, in.rest_bytes());
    } else {
        bool cancelled = false;
        std::exception_ptr error;
        try {
            cancelled = in.u8() != 0;
            error = decode_exception(in.rest_bytes());
        } catch (...) {
            error = std::current_exception();
        }
        if (cancelled)
            c->state->cancel_claimed(error);
        else
            c->remote->fail(error);
    }
    finished_one(*c->state);
}

void mpi_engine::progress_main()
{
    auto& rt = mpi_runtime::instance();
    mpi_transport transport;
    std::string configure;
    mpi_wire::writer(configure)
        .u64(options_.workers_per_rank)
        .u64(task_registry::instance().fingerprint());
    for (int r = 1; r < rt.size(); ++r)
        transport.send(r, mpi_wire::configure, configure);
    tighten_timer_slack();
    poll_backoff backoff(std::chrono::microseconds(20), options_.max_poll_interval);
    std::vector<call_ptr> to_send;
    std::vector<std::shared_ptr<kill_request>> kills;
    std::vector<rank_watch> watch(ranks_.size());
    for (;;) {
        bool active = false;
        while (auto m = transport.poll()) {
            active = true;
            if (m->source >= 1 && static_cast<std::size_t>(m->source) <= watch.size())
                watch[static_cast<std::size_t>(m->source - 1)].heard = std::chrono::steady_clock::now();
            try {
                handle(*m);
            } catch (const std::exception& e) {
                // A malformed message from a rank of another build: say so, keep serving.
                std::fprintf(stderr, "asyncjobs: mpi_executor: %s\n", e.what());
            }
        }
        std::unique_lock lock(mutex_);
        if (started_) {
            while (!queue_.empty()) {
                int rank = pick_rank_locked();
                if (rank < 0)
                    break;
                call_ptr c = std::move(queue_.front());
                queue_.pop_front();
                if (!c->state->try_start()) {  // cancelled before it was sent
                    lock.unlock();
                    finished_one(*c->state);
                    lock.lock();
                    continue;
                }
                c->rank = rank;
                // Its silence is counted from the first call it holds, not from its last word.
                if (ranks_[static_cast<std::size_t>(rank - 1)].in_flight++ == 0)
                    watch[static_cast<std::size_t>(rank - 1)].heard = std::chrono::steady_clock::now();
                ids_.emplace(c->state.get(), c->id);
                in_flight_.emplace(c->id, c);
                to_send.push_back(std::move(c));
            }
        }
        for (auto& k : kills_to_send_) {
            kills_waiting_.emplace(k->id, k);
            kills.push_back(k);
        }
        kills_to_send_.clear();
        bool stopping = stopping_;
        lock.unlock();
        for (auto& c : to_send) {
            transport.send(c->rank, mpi_wire::call, std::move(c->message));
            active = true;
        }
        to_send.clear();
        for (auto& k : kills) {
            std::string bytes;
            mpi_wire::writer(bytes).u64(k->id);
            transport.send(k->rank, mpi_wire::kill, std::move(bytes));
            active = true;
        }
        kills.clear();
        watch_ranks(watch, transport);
        transport.flush();
        if (stopping)
            break;
        lock.lock();
        backoff.pause(active, wake_, lock, [&] { return poked_; });
        poked_ = false;
    }
    // The ranks drop their local pools and wait for the next executor or the end.
    for (int r = 1; r < rt.size(); ++r)
        transport.send(r, mpi_wire::detach, {});
    while (!transport.flush())
        std::this_thread::sleep_for(std::chrono::microseconds(200));
}

} // namespace asyncjobs::detail
