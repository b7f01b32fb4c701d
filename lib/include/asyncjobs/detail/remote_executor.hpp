// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_REMOTE_EXECUTOR_HPP
#define ASYNCJOBS_DETAIL_REMOTE_EXECUTOR_HPP

// What the executors that run tasks in other processes (process_pool_executor,
// mpi_executor) add to executor: compile-time rejection of what cannot be sent, per-task
// options, and cancel_and_kill. Each implements the two virtual hooks.

#include <asyncjobs/detail/future_access.hpp>
#include <asyncjobs/detail/submit_arguments.hpp>
#include <asyncjobs/executor.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/map_options.hpp>
#include <asyncjobs/task_options.hpp>

#include <ranges>
#include <utility>

namespace asyncjobs::detail {

class remote_executor : public executor {
public:
    /// executor::submit, with what cannot work on a process rejected at compile time: a
    /// lambda or function object (only functions registered with ASYNCJOBS_TASK can be
    /// sent), a std::stop_token parameter, a non-const reference parameter, std::ref /
    /// std::cref arguments. Const reference parameters receive a copy in the worker.
    template <class F, class... Args>
    [[nodiscard]] auto submit(F&& f, Args&&... args)
    {
        if constexpr (process_submit_ok<F, Args...>())
            return executor::submit(std::forward<F>(f), std::forward<Args>(args)...);
    }

    /// executor::map, rejecting at compile time what submit() rejects; a chunk goes whole
    /// to one worker.
    template <class F, std::ranges::input_range Range>
    [[nodiscard]] auto map(F&& fn, Range&& inputs, map_options options = {})
    {
        if constexpr (process_submit_ok<F, std::ranges::range_value_t<Range>>())
            return executor::map(std::forward<F>(fn), std::forward<Range>(inputs), options);
    }

    /// executor::map_unordered, rejecting at compile time what submit() rejects.
    template <class F, std::ranges::input_range Range>
    [[nodiscard]] auto map_unordered(F&& fn, Range&& inputs, map_options options = {})
    {
        if constexpr (process_submit_ok<F, std::ranges::range_value_t<Range>>())
            return executor::map_unordered(std::forward<F>(fn), std::forward<Range>(inputs), options);
    }

    /// submit() with options for this task (task_options.hpp).
    template <class F, class... Args>
    [[nodiscard]] auto submit_with(const task_options& options, F&& f, Args&&... args)
    {
        if constexpr (submit_arguments_ok<F, Args...>() && process_submit_ok<F, Args...>()) {
            auto task = make_task(std::forward<F>(f), std::forward<Args>(args)...);
            using result = typename decltype(task)::element_type::result_type;
            task->set_continuation_scheduler(engine());
            submit_task(task, options);
            return future_access::make<result>(std::move(task));
        }
    }

    /// Cancels the task of `f`: if it has not started, like future::cancel(); if a worker
    /// runs it, kills that worker (and what the task started) and ends the future
    /// cancelled (cancelled() is true, get() throws cancelled_error). Returns false if the
    /// task had already finished.
    template <class T>
    bool cancel_and_kill(future<T>& f)
    {
        return kill_task(state_of(f));
    }

protected:
    using executor::executor;

    virtual void submit_task(const state_ptr& task, const task_options& options) = 0;
    virtual bool kill_task(state_base* task) = 0;
};

} // namespace asyncjobs::detail

#endif
