// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// What every scheduler shares (scheduler.hpp): its reference count, queued work it drops
// at shutdown, and the inline scheduler.
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/errors.hpp>

#include <deque>

namespace asyncjobs::detail {

void intrusive_ptr_add_ref(const scheduler* s) noexcept
{
    s->references_.fetch_add(1, std::memory_order_relaxed);
}

void intrusive_ptr_release(const scheduler* s) noexcept
{
    if (s->references_.fetch_sub(1, std::memory_order_acq_rel) == 1)
        delete s;
}

std::exception_ptr queued_work::shutdown_exception()
{
    return std::make_exception_ptr(shutdown_error(
        "asyncjobs: the executor was shut down or destroyed before this work could run; "
        "keep the executor alive until its futures are ready, or attach continuations to an executor that is"));
}

void abandon_soon(state_ptr work, std::exception_ptr error) noexcept
{
    struct pending {
        state_ptr work;
        std::exception_ptr error;
    };
    thread_local std::deque<pending>* queue = nullptr;
    if (queue) {
        try {
            queue->push_back({std::move(work), std::move(error)});
            return;
        } catch (...) {
            // Out of memory: fail it here, on this stack.
        }
        work->abandon(std::move(error));
        return;
    }
    std::deque<pending> local;
    queue = &local;
    work->abandon(std::move(error));
    while (!local.empty()) {
        pending next = std::move(local.front());
        local.pop_front();
        next.work->abandon(std::move(next.error));
    }
    queue = nullptr;
}

namespace {

class inline_scheduler_impl final : public scheduler {
public:
    void submit(state_ptr task) override { schedule(std::move(task)); }

    void schedule(state_ptr work) noexcept override
    {
        // A continuation that completes another state lands here again on the same
        // thread; queue it instead of recursing.
        thread_local std::deque<state_ptr>* queue = nullptr;
        if (queue) {
            try {
                queue->push_back(std::move(work));
            } catch (...) {
                work->abandon(std::current_exception());
            }
            return;
        }
        std::deque<state_ptr> local;
        queue = &local;
        work->run();
        while (!local.empty()) {
            state_ptr next = std::move(local.front());
            local.pop_front();
            next->run();
        }
        queue = nullptr;
    }

    std::size_t concurrency() const noexcept override { return 1; }
};

} // namespace

scheduler_ptr inline_scheduler() noexcept
{
    static const scheduler_ptr instance(new inline_scheduler_impl);
    return instance;
}

} // namespace asyncjobs::detail
