// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_EXECUTOR_HPP
#define ASYNCJOBS_EXECUTOR_HPP

#include <asyncjobs/detail/config.hpp>
#include <asyncjobs/detail/deadline.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/map_source.hpp>
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/submit_arguments.hpp>
#include <asyncjobs/detail/task.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/map.hpp>
#include <asyncjobs/map_options.hpp>
#include <asyncjobs/map_unordered.hpp>
#include <asyncjobs/pool_stats.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <ranges>
#include <type_traits>
#include <utility>

namespace asyncjobs {

/// The one interface of every pool: code written against `executor&` runs on threads or
/// (with registered tasks) on processes. A small virtual core (shutdown, max_workers and
/// the engine behind them) with templated submit() and map() on top.
class executor {
public:
    executor(const executor&) = delete;
    executor& operator=(const executor&) = delete;
    virtual ~executor() = default;

    /// Schedules `f(args...)` and returns its future at once. The arguments are copied or
    /// moved into the task, as std::thread does: a parameter taken by non-const reference
    /// does not compile unless its argument is std::ref(object), which passes the caller's
    /// object itself (it must outlive the task; std::cref likewise for const references).
    /// A process pool cannot pass std::ref/std::cref to a worker: submit() through
    /// `executor&` throws std::invalid_argument naming the function (process_pool_executor
    /// rejects it at compile time). If `f` takes a std::stop_token first, it receives one
    /// that future::cancel() triggers while the task runs.
    /// Throws shutdown_error after shutdown(), broken_executor if the pool is broken.
    template <class F, class... Args>
    [[nodiscard]] auto submit(F&& f, Args&&... args)
    {
        if constexpr (detail::submit_arguments_ok<F, Args...>()) {
            auto task = make_task(std::forward<F>(f), std::forward<Args>(args)...);
            using result = typename decltype(task)::element_type::result_type;
            task->set_continuation_scheduler(engine_);
            engine_->submit(task);
            return detail::future_access::make<result>(std::move(task));
        }
    }

    /// Applies `fn` to every element of `inputs` in parallel; the results come back in input
    /// order as they are read. The input is read lazily, `options.window` tasks ahead of
    /// the reader, each task taking `options.chunksize` inputs (chosen automatically when 0).
    /// `fn` is shared by concurrent tasks, so it is called through a const reference.
    /// An lvalue input range must outlive the result.
    /// Throws std::invalid_argument naming the field for a chunksize above
    /// map_max_chunksize or a window above map_max_window.
    template <class F, std::ranges::input_range Range>
    [[nodiscard]] auto map(F&& fn, Range&& inputs, map_options options = {})
    {
        return start_map<map_result>(std::forward<F>(fn), std::forward<Range>(inputs), options);
    }

    /// map() with the results in the order they complete: each comes as an
    /// indexed_result (its input's `index`, and get() for the value or the call's
    /// exception), as soon as its chunk is done. The same lazy input, bounded window,
    /// chunksize and one timeout from the call as map() (map_unordered_result). A task
    /// that throws is delivered at its element; the others still come. With
    /// chunksize 1 every element comes as soon as its own call is done.
    /// Throws std::invalid_argument naming the field for options out of range, as map().
    template <class F, std::ranges::input_range Range>
    [[nodiscard]] auto map_unordered(F&& fn, Range&& inputs, map_options options = {})
    {
        return start_map<map_unordered_result>(std::forward<F>(fn), std::forward<Range>(inputs), options);
    }

    /// Stops accepting work. With `wait`, returns once every submitted task has finished.
    /// With `cancel_futures`, every task that has not started is cancelled now. Running
    /// tasks always finish; continuations already attached still run.
    virtual void shutdown(bool wait = true, bool cancel_futures = false) = 0;

    /// How many tasks this executor runs at once.
    virtual std::size_t max_workers() const noexcept = 0;

    /// A snapshot of the executor's counters (pool_stats.hpp), read without stopping it:
    /// cheap enough to call per request, e.g. from a service's /metrics.
    virtual pool_stats stats() const = 0;

protected:
    /// What map() and map_unordered() share: the options checked, the deadline taken from
    /// now, the lazy source of chunks over `inputs`; `Result` reads them in its own order.
    template <template <class> class Result, class F, class Range>
    auto start_map(F&& fn, Range&& inputs, const map_options& options)
    {
        detail::validate(options);
        using fn_type = std::decay_t<F>;
        using result = std::remove_cvref_t<std::invoke_result_t<const fn_type&, std::ranges::range_value_t<Range>&&>>;
        std::optional<std::chrono::steady_clock::time_point> deadline;
        if (options.timeout)
            deadline = detail::deadline_from_now(options.timeout->get());
        auto source = std::make_unique<detail::map_source_impl<result, Range, fn_type>>(
            engine_, std::forward<Range>(inputs), fn_type(std::forward<F>(fn)), options.chunksize);
        std::size_t window = options.window ? options.window : default_map_window(max_workers());
        return Result<result>(std::move(source), window, deadline);
    }

    /// A plain function becomes a task a process pool can send to a worker (when the
    /// function is registered); anything else runs only in-process.
    template <class F, class... Args>
    static auto make_task(F&& f, Args&&... args)
    {
        if constexpr (detail::is_function_pointer_v<F> && !detail::takes_stop_token_v<F, Args...>)
            return detail::make_function_task(static_cast<std::decay_t<F>>(f), std::forward<Args>(args)...);
        else
            return detail::make_task_state(std::forward<F>(f), std::forward<Args>(args)...);
    }

    explicit executor(detail::scheduler_ptr engine) noexcept : engine_(std::move(engine)) {}
    const detail::scheduler_ptr& engine() const noexcept { return engine_; }

private:
    friend detail::scheduler_ptr detail::scheduler_of(executor& ex);
    detail::scheduler_ptr engine_;
};

} // namespace asyncjobs

#endif
