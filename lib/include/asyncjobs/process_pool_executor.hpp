// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_PROCESS_POOL_EXECUTOR_HPP
#define ASYNCJOBS_PROCESS_POOL_EXECUTOR_HPP

#include <asyncjobs/detail/byte_sink.hpp>
#include <asyncjobs/detail/config.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/remote_executor.hpp>
#include <asyncjobs/detail/submit_arguments.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/executor.hpp>
#include <asyncjobs/pool_stats.hpp>
#include <asyncjobs/task_options.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ranges>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace asyncjobs {

namespace detail {
class process_pool_engine;

/// process_pool_options::max_payload's default, 1 GiB: worker_protocol.hpp's
/// default_max_payload, which a worker started without one uses (process_pool_executor.cpp
/// checks that they agree).
inline constexpr std::size_t pool_default_max_payload = std::size_t{1} << 30;

/// A registered function and its encoded arguments, ready to send to a worker.
struct encoded_call {
    std::string task_name;
    std::string arguments;
};

/// The registry entry of `function`; task_not_registered naming it (its symbol, or its
/// address and type) and saying how to register it when there is none.
const task_entry& registered_entry(std::uintptr_t function, const std::type_info& type, const char* what);

template <class R, class... Params, class... Args>
encoded_call encode_call(R (*fn)(Params...), Args&&... args)
{
    static_assert(sizeof...(Params) == sizeof...(Args),
                  "asyncjobs: a task call needs exactly one argument for each parameter of the function");
    const task_entry& entry = registered_entry(reinterpret_cast<std::uintptr_t>(fn), typeid(fn), "the initializer");
    std::tuple<std::decay_t<Params>...> values(std::forward<Args>(args)...);
    encoded_call call{entry.name, {}};
    byte_sink sink(call.arguments);
    entry.encode_arguments(&values, sink);
    return call;
}
} // namespace detail

struct process_pool_options {
    /// Worker processes at most; 0 means std::thread::hardware_concurrency(). Workers start
    /// on demand and idle ones are reused.
    std::size_t max_workers = 0;
    /// The program workers run. Empty: this program, re-executed in worker mode (its main
    /// must start with the asyncjobs::run_worker_if_requested line; a worker whose main
    /// lacks it exits at once, and the pool turns broken_executor saying so). Workers then
    /// run the very image this process runs, opened when the pool starts: replacing or
    /// deleting the file on disk changes nothing. Name a separate worker executable (whose
    /// main is asyncjobs::worker_main) when main is not yours, as in a test runner; it must
    /// register the same tasks, and it is executed by its path at each start. A path that
    /// cannot be executed (missing, not executable, not a program) breaks the pool at once.
    std::string worker_executable{};
    /// Default timeout of every task (submit_with() can set one per task). Must be positive
    /// (the constructor throws std::invalid_argument otherwise); milliseconds::max() means none.
    std::optional<std::chrono::milliseconds> task_timeout{};
    /// Replace a worker after it ran this many tasks (0: never), as Python's max_tasks_per_child.
    std::size_t max_tasks_per_child = 0;
    /// Calls a worker holds at once (the one it runs and those sent ahead, which hide the
    /// pipe round trip; at most 255). A call sent ahead is still pending until the worker
    /// begins it: running() is false and cancel() stops it (the worker skips it), the race
    /// decided once on a word both processes share. (On a system without memfd, calls sent
    /// ahead count as started.) 0 chooses: 2, deepening while many tasks wait, up to 64
    /// for tasks of microseconds and about 2 ms of work per worker for longer ones.
    std::size_t pipeline_depth = 0;
    /// Threads that run continuations of this pool's futures (never the I/O thread).
    std::size_t completion_threads = 1;
    /// Frames larger than this are a protocol error.
    std::size_t max_payload = detail::pool_default_max_payload;
    /// At shutdown, how long workers get to exit after their pipes close, and then after SIGTERM.
    std::chrono::milliseconds shutdown_grace{2000};
    /// Workers that die before they are ready, in a row, before the pool is broken. A
    /// start that fails for want of resources (descriptors, processes, memory) while no
    /// worker is alive counts too, and is retried after a short, doubling delay; while
    /// workers are alive, queued work waits for them instead.
    std::size_t max_start_failures = 3;
    /// A worker that has not said hello this long after its start is killed, and counts as
    /// a failed start. Must be positive.
    std::chrono::milliseconds start_timeout{60000};
    /// How much lower than this process's the workers' CPU priority is: the increment each
    /// worker adds to its nice value (nice(2)) before it starts any thread, from 0 (the same
    /// priority; the default) to 19 (the lowest; the sum stops at 19). The constructor throws
    /// std::invalid_argument outside that range (a higher priority would need privileges).
    /// A server whose workers keep every core busy sets it so that its own I/O thread, and
    /// the pool's, win the CPU as soon as they wake up.
    int worker_nice = 0;
    /// task_options::retries of every task that sets none: 0, as loky (Dask gives up after
    /// 3 deaths). At most 1000.
    unsigned retries = 0;
    /// task_options::retry_on_timeout of every task that sets none.
    bool retry_on_timeout = false;
    /// task_options::retry_backoff of every task that sets none. Not negative.
    std::chrono::milliseconds retry_backoff{0};
    /// A worker idle this long exits (a clean goodbye, counted in
    /// pool_stats::worker_retirements), down to min_workers; workers start again on
    /// demand. Unset: workers stay until shutdown. Must be positive.
    std::optional<std::chrono::milliseconds> idle_timeout{};
    /// Memory guard, soft: a worker whose private resident memory (RssAnon: VmRSS less the
    /// pages of files and shared memory it maps, such as the shared_buffers it is handed,
    /// which its replacement would not free) is above this many bytes
    /// after a task is replaced before its next one (loky restarts at +300 MB; here the
    /// threshold is yours). 0: off. While set, calls are not sent ahead (each worker holds
    /// one call, read after each), which costs a pipe round trip per task.
    std::uint64_t max_worker_memory = 0;
    /// Memory guard, hard: a worker whose private resident memory (RssAnon, as above) goes
    /// above this many bytes while
    /// it runs a task is killed (with what the task started) and the task fails with
    /// memory_limit_exceeded, never retried; other tasks go on. The pool reads the resident
    /// memory of running workers from /proc every 10 ms, so a faster allocation may overshoot
    /// before the kill (and the kernel's OOM killer may act first: then worker_crashed,
    /// which retries apply to). 0: off. Not below max_worker_memory.
    std::uint64_t memory_limit = 0;
    /// The workers idle_timeout leaves alive. It starts none by itself: workers still start
    /// on demand. At most max_workers.
    std::size_t min_workers = 0;

    /// Runs `fn(args...)` once in each worker before it takes tasks. `fn` must be
    /// registered; if it throws, the worker does not start (and the pool turns
    /// broken_executor when that keeps happening).
    template <class F, class... Args>
    process_pool_options& initializer(F fn, Args&&... args)
    {
        initializer_call = detail::encode_call(fn, std::forward<Args>(args)...);
        return *this;
    }

    std::optional<detail::encoded_call> initializer_call{};
};

/// Runs registered functions (ASYNCJOBS_TASK) in child processes: Python's
/// ProcessPoolExecutor done right. A worker that dies fails only the task it was running;
/// the pool replaces it and re-dispatches the work queued to it. Per-task timeouts kill a
/// hung worker. Workers die with the parent and never become zombies; each sits in a
/// process group of its own, which dies with it: what its tasks started does not outlive
/// it (a timeout, cancel_and_kill, shutdown, or the parent's death, even by SIGKILL).
///
/// After fork(), the child's copy of a pool is inert: submit() and cancel_and_kill()
/// throw forked_executor, shutdown() and terminate() do nothing, and the destructor leaves
/// the parent's pool alone. Futures of the parent's pool never complete in the child.
class process_pool_executor final : public detail::remote_executor {
public:
    process_pool_executor();
    explicit process_pool_executor(std::size_t max_workers);
    explicit process_pool_executor(process_pool_options options);
    ~process_pool_executor() override;

    void shutdown(bool wait = true, bool cancel_futures = false) override;
    std::size_t max_workers() const noexcept override;

    /// Force stop (CPython 3.14's terminate_workers): stops taking work, kills every worker
    /// now with what its task started, cancels every queued task, and ends every running
    /// one cancelled (get() throws cancelled_error, cancelled() is true). Returns once no
    /// worker is left, unless called from one of this pool's continuations (then it does
    /// not wait). Harmless after shutdown(), on a broken pool, or twice.
    void terminate();

    // submit(), map() and map_unordered() (a lambda or function object is rejected at
    // compile time), submit_with(task_options) and cancel_and_kill(future) come from
    // detail::remote_executor.

    /// Process ids of the live workers (for monitoring and tests).
    std::vector<long> worker_pids() const;

    /// The pool's counters and gauges now, with each live worker's resident memory (read
    /// from /proc). Takes the pool's lock briefly and reads one small /proc file per
    /// worker: cheap enough to call per request. After shutdown, the final counts.
    pool_stats stats() const override;

private:
    void submit_task(const detail::state_ptr& task, const task_options& options) override;
    bool kill_task(detail::state_base* task) override;
    detail::process_pool_engine* engine_;
};

} // namespace asyncjobs

#endif
