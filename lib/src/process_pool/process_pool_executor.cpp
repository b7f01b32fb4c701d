// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// process_pool_executor and the outside of its engine: building and tearing it down, the
// I/O thread's main, and the public wrappers. process_pool_engine.hpp says where the rest
// of the engine lives.

#include <asyncjobs/detail/buffer_block.hpp>
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>
#include <asyncjobs/process_pool_executor.hpp>
#include <asyncjobs/thread_pool_executor.hpp>

#include "process_pool_engine.hpp"
#include "resident_memory.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

namespace asyncjobs {
namespace detail {

static_assert(pool_default_max_payload == default_max_payload,
              "a pool's default max_payload and a worker's must agree");

namespace {

namespace asio = boost::asio;


std::string this_executable()
{
    std::string path(4096, '\0');
    ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size());
    if (n <= 0)
        throw std::system_error(errno, std::generic_category(), "asyncjobs: cannot find this program's path");
    path.resize(static_cast<std::size_t>(n));
    return path;
}

/// A worker process (the marker is in its environment) whose main skipped the worker loop
/// and went on to build a pool would start workers of its own, each doing the same, without
/// end. It stops here, before any thread or worker exists; the parent reads the exit code.
process_pool_options refuse_in_worker(process_pool_options options)
{
    if (std::getenv(worker_marker_variable)) {
        std::fprintf(stderr,
                     "asyncjobs: process %ld was started as a process-pool worker, but its main did not run the "
                     "worker loop and built a process pool instead (which would start workers without end). Put\n"
                     "    if (auto code = asyncjobs::run_worker_if_requested(argc, argv)) return *code;\n"
                     "first in main, or name a worker executable whose main is asyncjobs::worker_main in "
                     "process_pool_options::worker_executable.\n",
                     static_cast<long>(::getpid()));
        std::fflush(stderr);
        ::_exit(worker_exit_missing_worker_line);
    }
    if (options.retries > policy::max_retries)
        throw std::invalid_argument("asyncjobs: process_pool_options::retries must be at most " +
                                    std::to_string(policy::max_retries) + " (it is " + std::to_string(options.retries) +
                                    "; a negative number converted to unsigned?)");
    if (options.retry_backoff < std::chrono::milliseconds::zero())
        throw std::invalid_argument("asyncjobs: process_pool_options::retry_backoff must not be negative (it is " +
                                    std::to_string(options.retry_backoff.count()) + " ms)");
    if (options.start_timeout <= std::chrono::milliseconds::zero())
        throw std::invalid_argument("asyncjobs: process_pool_options::start_timeout must be positive");
    if (options.worker_nice < 0 || options.worker_nice > 19)
        throw std::invalid_argument("asyncjobs: process_pool_options::worker_nice must be from 0 (the parent's "
                                    "priority) to 19 (the lowest); it is " +
                                    std::to_string(options.worker_nice) +
                                    " (raising a priority would need privileges a pool should not ask for)");
    return options;
}

} // namespace

process_pool_engine::process_pool_engine(process_pool_options options)
    : options_(refuse_in_worker(std::move(options)))
    , max_workers_(options_.max_workers ? options_.max_workers : std::max(1u, std::thread::hardware_concurrency()))
    , executable_(options_.worker_executable.empty() ? this_executable() : options_.worker_executable)
    , completion_(thread_pool_options{std::max<std::size_t>(1, options_.completion_threads), "asyncjobs-done", {}})
    , completion_engine_(scheduler_of(completion_))
    , work_(io_.get_executor())
{
    if (options_.task_timeout && options_.task_timeout->count() <= 0)
        throw std::invalid_argument("asyncjobs: process_pool_options::task_timeout must be positive (it is " +
                                    std::to_string(options_.task_timeout->count()) +
                                    " ms); leave it unset for no timeout");
    if (options_.idle_timeout && options_.idle_timeout->count() <= 0)
        throw std::invalid_argument("asyncjobs: process_pool_options::idle_timeout must be positive (it is " +
                                    std::to_string(options_.idle_timeout->count()) +
                                    " ms); leave it unset to keep idle workers");
    if (options_.memory_limit && options_.max_worker_memory > options_.memory_limit)
        throw std::invalid_argument("asyncjobs: process_pool_options::max_worker_memory (" +
                                    std::to_string(options_.max_worker_memory) +
                                    " bytes) must not be above memory_limit (" +
                                    std::to_string(options_.memory_limit) +
                                    " bytes): a worker is killed at the limit before it could be replaced");
    if (options_.min_workers > max_workers_)
        throw std::invalid_argument("asyncjobs: process_pool_options::min_workers (" +
                                    std::to_string(options_.min_workers) + ") must be at most max_workers (" +
                                    std::to_string(max_workers_) + ")");
    auto duplicates = task_registry::instance().duplicates();
    if (!duplicates.empty()) {
        std::string names;
        for (auto& d : duplicates)
            names += (names.empty() ? "" : ", ") + d;
        throw std::logic_error("asyncjobs: several functions are registered under the same task name (" + names +
                               "); give them distinct names with ASYNCJOBS_TASK_NAMED");
    }
    // Workers of this program run this very build: the file at its path may be replaced by
    // another build (new workers would silently run other code) or deleted (respawns fail).
    if (options_.worker_executable.empty())
        image_ = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    io_thread_ = std::thread([this] { io_main(); });
}

process_pool_engine::~process_pool_engine()
{
    teardown();
    if (image_ >= 0)
        ::close(image_);
}

void process_pool_engine::shutdown(bool wait, bool cancel_futures)
{
    if (forked())
        return;
    std::deque<call_ptr> unstarted;
    std::vector<state_ptr> sent_ahead;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        if (cancel_futures) {
            sent_ahead = cancel_gated_locked();
            for (auto it = queue_.begin(); it != queue_.end();) {
                if (!(*it)->started) {
                    unstarted.push_back(std::move(*it));
                    it = queue_.erase(it);
                } else {
                    ++it;
                }
            }
        }
    }
    for (auto& c : unstarted) {
        count_end(ending::cancelled);
        c->state->cancel();
        std::lock_guard lock(mutex_);
        finished_one_locked();
    }
    // Calls sent ahead that no worker has begun are cancelled too; each worker skips its own.
    for (auto& task : sent_ahead)
        task->cancel_claimed();
    // A retry waiting out its backoff runs now: shutdown waits for it, and should not wait long.
    asio::post(io_, [this] { release_delayed(); });
    if (wait && !completion_.running_in_this_thread())
        teardown();
}

void process_pool_engine::terminate()
{
    if (forked())
        return;
    std::deque<call_ptr> queued;
    std::vector<state_ptr> sent_ahead;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        queued = take_queue_locked();
        sent_ahead = cancel_gated_locked();
    }
    for (auto& task : sent_ahead)
        task->cancel_claimed();
    end_terminated(queued);
    asio::post(io_, [this] {
        terminating_ = true;
        reclaim_lent();  // what was sent directly dies with its worker, like the rest
        release_delayed();  // those calls go to the queue, which dispatch() cancels
        for (auto& w : workers_)
            kill_worker(*w, kill_reason::terminate, {});
        dispatch();  // what a dying worker gave back meanwhile
    });
    if (!completion_.running_in_this_thread())
        teardown();
}

void process_pool_engine::teardown() noexcept
{
    std::lock_guard teardown_lock(teardown_mutex_);
    if (torn_down_)
        return;
    {
        std::unique_lock lock(mutex_);
        closed_ = true;
        idle_.wait(lock, [&] { return outstanding_ == 0; });
    }
    asio::post(io_, [this] { retire_all(); });
    work_.reset();
    if (io_thread_.joinable())
        io_thread_.join();
    completion_.shutdown(true);
    torn_down_ = true;
}

pool_stats process_pool_engine::stats() const
{
    pool_stats s;
    if (forked())
        return s;
    // Before the gauges: a call counted here as ended is not counted again as running.
    s.completed = ended_.completed.load(std::memory_order_relaxed);
    s.failed = ended_.failed.load(std::memory_order_relaxed);
    s.cancelled = ended_.cancelled.load(std::memory_order_relaxed);
    {
        std::lock_guard lock(mutex_);
        s.submitted = counts_.submitted;
        s.retried = counts_.retried;
        s.worker_starts = counts_.worker_starts;
        s.worker_crashes = counts_.worker_crashes;
        s.worker_kills = counts_.worker_kills;
        s.worker_retirements = counts_.worker_retirements;
        s.per_worker.reserve(workers_.size());
        for (auto& w : workers_) {
            if (w->gone.load(std::memory_order_relaxed))
                continue;  // exited, its output still draining
            worker_stats ws;
            ws.pid = static_cast<int>(w->link.pid());
            ws.tasks_completed = w->finished.load(std::memory_order_relaxed);
            ws.busy = w->runs_a_call();
            s.running += ws.busy;
            s.per_worker.push_back(ws);
        }
        s.workers = s.per_worker.size();
        // outstanding_: accepted and not finished; those running are on a worker, the rest wait.
        s.queued = outstanding_ > s.running ? outstanding_ - s.running : 0;
    }
    // Outside the lock: /proc reads cost a few microseconds each.
    for (auto& ws : s.per_worker)
        ws.resident_bytes = resident_bytes_of(ws.pid);
    return s;
}

void process_pool_engine::io_main()
{
    // Writes to a dead worker's pipe must fail with EPIPE, not kill the program; blocking
    // the signal in this thread leaves the application's own handlers alone.
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
    pthread_setname_np(pthread_self(), "asyncjobs-io");
    if (options_.idle_timeout)
        sweep_idle();
    if (options_.memory_limit)
        poll_memory();
    // Replies are decoded here: a shared_buffer handle in one names a buffer of this process.
    buffer_transport_scope replies(buffer_transport::parent_decode);
    io_.run();
}

} // namespace detail

process_pool_executor::process_pool_executor() : process_pool_executor(process_pool_options{}) {}

process_pool_executor::process_pool_executor(std::size_t max_workers)
    : process_pool_executor([&] {
        process_pool_options o;
        o.max_workers = max_workers;
        return o;
    }())
{
}

process_pool_executor::process_pool_executor(process_pool_options options)
    : remote_executor(detail::scheduler_ptr(new detail::process_pool_engine(std::move(options))))
    , engine_(static_cast<detail::process_pool_engine*>(engine().get()))
{
}

process_pool_executor::~process_pool_executor()
{
    if (engine_->forked()) {
        // Running the copy down would join an I/O thread that does not exist here and
        // unregister the parent's pipes from the epoll instance both processes share.
        detail::keep_forever(engine());
        return;
    }
    engine_->shutdown(true, false);
}

void process_pool_executor::shutdown(bool wait, bool cancel_futures) { engine_->shutdown(wait, cancel_futures); }
void process_pool_executor::terminate() { engine_->terminate(); }
std::size_t process_pool_executor::max_workers() const noexcept { return engine_->max_workers(); }
std::vector<long> process_pool_executor::worker_pids() const { return engine_->worker_pids(); }
pool_stats process_pool_executor::stats() const { return engine_->stats(); }
void process_pool_executor::submit_task(const detail::state_ptr& task, const task_options& options)
{
    engine_->submit_with(task, options);
}
bool process_pool_executor::kill_task(detail::state_base* task) { return engine_->kill_task(task); }

} // namespace asyncjobs
