// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// A process-pool worker's life as the parent sees it, and every transition of it: the one
// place that says when a worker takes calls, stops taking them, and why it dies.
#ifndef ASYNCJOBS_SRC_WORKER_LIFE_HPP
#define ASYNCJOBS_SRC_WORKER_LIFE_HPP

#include <string>
#include <utility>

namespace asyncjobs::detail {

enum class worker_state {
    starting,      ///< spawned; no hello yet (the start timeout applies)
    initializing,  ///< said hello; its initializer runs
    ready,         ///< takes calls
    retiring,      ///< goodbye sent (max_tasks_per_child, shutdown): finishes what it holds, takes no more
    being_killed,  ///< SIGKILL sent (timeout, cancel_and_kill, protocol error, terminate, memory_limit)
    exited,        ///< reaped: what it wrote is drained, then what it held is settled and it is forgotten
};

/// Why the pool ended a worker (none: it died on its own).
enum class kill_reason { none, timeout, cancel, protocol, shutdown, terminate, memory };

/// The state, with the two facts of its past that outlive it: a worker retired or killed
/// while starting may still say hello (the start timeout then no longer applies) or become
/// ready (its death is then no failed start). The reason is the first kill's, except that a
/// kill overrides a retirement and terminate() overrides everything.
class worker_life {
public:
    worker_state state() const noexcept { return state_; }
    /// Picked for calls only now.
    bool takes_calls() const noexcept { return state_ == worker_state::ready; }
    /// Retiring, being killed or exited: takes no more calls.
    bool leaving() const noexcept { return state_ >= worker_state::retiring; }
    bool exited() const noexcept { return state_ == worker_state::exited; }
    /// Its hello arrived, whatever happened since.
    bool greeted() const noexcept { return greeted_; }
    /// It was ready once, whatever happened since.
    bool was_ready() const noexcept { return was_ready_; }
    kill_reason reason() const noexcept { return reason_; }
    const std::string& reason_detail() const noexcept { return reason_detail_; }
    int exit_status() const noexcept { return exit_status_; }

    /// Its hello checked. Ready at once, unless its initializer must succeed first.
    void said_hello(bool initializer_pending) noexcept
    {
        greeted_ = true;
        if (!initializer_pending)
            became_ready();
        else if (state_ == worker_state::starting)
            state_ = worker_state::initializing;
    }

    /// Its initializer succeeded.
    void initialized() noexcept { became_ready(); }

    /// Goodbye is on its way: it finishes what it holds, then exits.
    void retire() noexcept
    {
        if (!leaving())
            state_ = worker_state::retiring;
        if (reason_ == kill_reason::none)
            reason_ = kill_reason::shutdown;
    }

    /// SIGKILL is on its way. Returns whether `reason` is now the recorded one (then the
    /// caller records the call it aims at too). Nothing changes once it has exited.
    bool kill(kill_reason reason, std::string detail)
    {
        if (exited())
            return false;
        state_ = worker_state::being_killed;
        if (reason != kill_reason::terminate && reason_ != kill_reason::none && reason_ != kill_reason::shutdown)
            return false;
        reason_ = reason;
        reason_detail_ = std::move(detail);
        return true;
    }

    /// Reaped, with its raw wait status.
    void exit(int status) noexcept
    {
        state_ = worker_state::exited;
        exit_status_ = status;
    }

private:
    void became_ready() noexcept
    {
        was_ready_ = true;
        if (!leaving())
            state_ = worker_state::ready;
    }

    worker_state state_ = worker_state::starting;
    bool greeted_ = false;
    bool was_ready_ = false;
    kill_reason reason_ = kill_reason::none;
    std::string reason_detail_;
    int exit_status_ = 0;
};

} // namespace asyncjobs::detail

#endif
