// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The life and death of workers, on the I/O thread: task timeouts, kills, retiring
// (goodbye, then SIGTERM and SIGKILL at shutdown), a worker's exit and the calls it held
// (failed or sent elsewhere), start failures, and breaking the pool.

#include <asyncjobs/detail/deadline.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>
#include <asyncjobs/errors.hpp>

#include "process_pool_engine.hpp"
#include "resident_memory.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <sys/wait.h>

namespace asyncjobs::detail {

namespace {
namespace asio = boost::asio;
} // namespace

void process_pool_engine::arm_timer(worker& w)
{
    const call_ptr& head = w.in_flight.front();
    if (head->timeout.count() == 0)
        return;
    // Saturated: a timeout like milliseconds::max() means "never", not an overflow that fires at once.
    w.timer.expires_at(deadline_from_now(head->timeout));
    std::weak_ptr<call> watched = head;
    w.timer.async_wait([this, &w, watched](boost::system::error_code ec) {
        if (ec)
            return;
        auto c = watched.lock();
        if (c && !w.in_flight.empty() && w.in_flight.front() == c)
            kill_worker(w, kill_reason::timeout, {}, c);
    });
}

void process_pool_engine::kill_worker(worker& w, kill_reason reason, std::string detail, const call_ptr& target)
{
    reclaim_lent();  // no submitter may write to it once it is being killed
    if (w.life.exited())
        return;
    if (w.life.kill(reason, std::move(detail)))
        w.kill_target = target;
    w.link.kill();
}

void process_pool_engine::retire(worker& w)
{
    reclaim_lent();  // goodbye must come after anything a submitter sent it
    w.life.retire();
    w.link.say_goodbye();
}

void process_pool_engine::retire_all()
{
    reclaim_lent();
    shutting_down_ = true;
    for (auto& w : workers_)
        if (!w->life.leaving())
            retire(*w);
    if (workers_.empty()) {
        io_.stop();
        return;
    }
    // Workers that do not leave in time get SIGTERM, then SIGKILL.
    shutdown_timer_ = std::make_unique<asio::steady_timer>(io_, options_.shutdown_grace);
    shutdown_timer_->async_wait([this](boost::system::error_code ec) {
        if (ec)
            return;
        for (auto& w : workers_)
            if (!w->life.exited())
                w->link.signal(SIGTERM);
        shutdown_timer_->expires_after(options_.shutdown_grace);
        shutdown_timer_->async_wait([this](boost::system::error_code ec2) {
            if (ec2)
                return;
            for (auto& w : workers_)
                if (!w->life.exited())
                    w->link.signal(SIGKILL);
        });
    });
}

void process_pool_engine::finish_worker(worker& w)
{
    const int exit_status = w.life.exit_status();
    std::string status = worker_process::describe_status(exit_status);
    bool clean_exit = w.life.reason() == kill_reason::shutdown && WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0;
    bool failed_start = !w.life.was_ready() && !clean_exit && !terminating_;
    if (failed_start && WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == worker_exit_missing_worker_line) {
        // It will not go away: every worker of this program does the same.
        break_pool(std::make_exception_ptr(broken_executor(
            "asyncjobs: the worker program '" + executable_ +
            "' started as a worker but its main did not run the worker loop (it built a process pool instead); put "
            "`if (auto code = asyncjobs::run_worker_if_requested(argc, argv)) return *code;` first in main, or name a "
            "worker executable whose main is asyncjobs::worker_main in process_pool_options::worker_executable")));
    } else if (failed_start) {
        // A worker SIGKILLed from outside while it started (an operator, the OOM killer)
        // says nothing about the worker program, which is what max_start_failures
        // guards: it counts apart, and only a long run of them in a row (workers no
        // longer start at all) breaks the pool, so that queued work fails, not waits.
        bool killed_from_outside = w.life.reason() == kill_reason::none && WIFSIGNALED(exit_status) &&
                                   WTERMSIG(exit_status) == SIGKILL;
        ++(killed_from_outside ? killed_starts_ : start_failures_);
        std::string why = "asyncjobs: a worker process (pid " + std::to_string(w.link.pid()) +
                          ") died before it was ready, with " + status;
        if (!last_start_error_.empty())
            why += "; its initializer threw " + last_start_error_;
        else if (w.life.reason() == kill_reason::protocol)
            why += "; " + w.life.reason_detail();
        last_start_reason_ = why;
        if (start_failures_ >= options_.max_start_failures)
            break_pool(std::make_exception_ptr(broken_executor(
                why + ". After " + std::to_string(start_failures_) +
                " failed starts in a row the pool is broken: check the worker executable and the initializer")));
        else if (killed_starts_ >= max_killed_starts)
            break_pool(std::make_exception_ptr(broken_executor(
                why + ". " + std::to_string(killed_starts_) +
                " workers in a row were killed from outside before they were ready; the pool is broken")));
    }
    std::deque<call_ptr> held = std::move(w.in_flight);
    if (!held.empty() && held.front()->initializer)
        held.pop_front();
    // Calls sent ahead under the claim board: the board says which one the worker began;
    // the others go back to plain pending. Those a cancel() won were never run: done.
    {
        std::lock_guard lock(mutex_);
        for (auto& c : held)
            settle_gate_locked(w, *c);
        std::erase_if(held, [&](const call_ptr& c) {
            if (!c->cancelled_ahead)
                return false;
            count_end(ending::cancelled);
            finished_one_locked();
            return true;
        });
        // What ended it, for stats(): a clean exit is a retirement, counted when decided.
        if (!clean_exit) {
            kill_reason reason = w.life.reason();
            if (reason == kill_reason::none || (reason == kill_reason::shutdown && !shutting_down_))
                ++counts_.worker_crashes;  // on its own, or while retiring (max_tasks_per_child)
            else if (reason != kill_reason::shutdown)
                ++counts_.worker_kills;
        }
    }
    if (terminating_) {
        end_terminated(held);
    } else {
        // The first call fails if it was running (the worker said so, or claimed it on the
        // board), or if the pool killed the worker while it held it (a timeout, a cancel, a
        // protocol error). Calls not started yet go to another worker, unless workers keep
        // dying before they start one: that call fails rather than go round forever.
        bool blame_first = false;
        if (!held.empty()) {
            call& first = *held.front();
            policy::first_call_facts facts{
                .running = first.running,
                .delivered = first.delivered,
                .killed_by_pool = w.life.reason() != kill_reason::none && w.life.reason() != kill_reason::shutdown,
                .lost_workers = first.lost_workers};
            blame_first = policy::dead_worker_verdict(w.life.was_ready(), facts) == policy::held_call_verdict::fail;
            if (!blame_first && w.life.was_ready() && first.delivered)
                ++first.lost_workers;
        }
        if (blame_first) {
            call_ptr running = std::move(held.front());
            held.pop_front();
            if (!running->abandoned) {
                if (retry(w, running, status)) {
                    if (running)  // no backoff: first in line again
                        held.push_front(std::move(running));
                } else {
                    finish_killed(w, *running, status);
                    std::lock_guard lock(mutex_);
                    finished_one_locked();
                }
            }
        }
        std::lock_guard lock(mutex_);
        for (auto it = held.rbegin(); it != held.rend(); ++it)
            if (!(*it)->abandoned)
                queue_.push_front(std::move(*it));
    }
    w.timer.cancel();
    w.start_timer.cancel();
    std::unique_ptr<worker> gone;  // destroyed outside the lock
    {
        std::lock_guard lock(mutex_);
        for (auto it = workers_.begin(); it != workers_.end(); ++it)
            if (it->get() == &w) {
                gone = std::move(*it);
                workers_.erase(it);
                break;
            }
    }
    gone.reset();
    publish_pids();
    if (shutting_down_) {
        if (workers_.empty())
            io_.stop();
        return;
    }
    dispatch();
}

process_pool_engine::ending process_pool_engine::finish_killed(const worker& w, call& c, const std::string& status)
{
    auto why = failure_for(w, c, status);
    // Killed on request (cancel_and_kill on this very call): cancelled in every observer.
    if (w.life.reason() == kill_reason::cancel && w.kill_target.lock().get() == &c) {
        if (!c.started)
            c.state->try_start();
        count_end(ending::cancelled);
        c.state->cancel_claimed(std::move(why));
        return ending::cancelled;
    }
    count_end(ending::failed);
    c.remote->fail(std::move(why));
    return ending::failed;
}

bool process_pool_engine::retry(const worker& w, call_ptr& c, const std::string& status)
{
    const int exit_status = w.life.exit_status();
    if (!c->deaths)
        c->deaths = std::make_unique<call_deaths>();
    call_deaths& deaths = *c->deaths;
    deaths.attempts.push_back({.pid = w.link.pid(),
                           .exit_code = WIFEXITED(exit_status) ? WEXITSTATUS(exit_status) : -1,
                           .signal = WIFSIGNALED(exit_status) ? WTERMSIG(exit_status) : 0});
    auto cause = policy::cause_of_death(w.life.reason(), w.kill_target.lock().get() == c.get());
    deaths.words += (deaths.words.empty() ? "" : "; ") + std::string("pid ") + std::to_string(w.link.pid()) + ": " +
                 (cause == policy::death_cause::timeout ? "killed after its timeout" : status);
    const auto tries = static_cast<unsigned>(deaths.attempts.size());
    if (!policy::retry_after_death({.cause = cause,
                                    .tries = tries,
                                    .retries = c->retries,
                                    .retry_on_timeout = c->retry_on_timeout}))
        return false;
    {
        std::lock_guard lock(mutex_);
        ++counts_.retried;
    }
    c->running = false;
    c->delivered = false;
    auto delay = policy::retry_delay(deaths.backoff.value_or(options_.retry_backoff), tries);
    if (delay.count() == 0)
        return true;
    auto& waiting = delayed_.emplace_back(io_);
    waiting.c = std::move(c);
    waiting.timer.expires_after(delay);
    auto it = std::prev(delayed_.end());
    // However the wait ends (its time, terminate, a cancel_and_kill that took the call):
    // the call, if still there, joins the front of the queue; dispatch decides its fate.
    waiting.timer.async_wait([this, it](boost::system::error_code) {
        call_ptr back = std::move(it->c);
        delayed_.erase(it);
        if (back) {
            std::lock_guard lock(mutex_);
            queue_.push_front(std::move(back));
        }
        dispatch();
    });
    return true;
}

void process_pool_engine::sweep_idle()
{
    if (shutting_down_)
        return;
    reclaim_lent();  // a lent worker may hold a call sent directly: not idle
    bool work_waits;
    {
        std::lock_guard lock(mutex_);
        work_waits = !queue_.empty();
    }
    if (!work_waits) {
        const auto now = std::chrono::steady_clock::now();
        std::size_t staying = 0;
        for (auto& w : workers_)
            staying += !w->life.leaving();
        for (auto& w : workers_) {
            if (!w->life.takes_calls() || !w->in_flight.empty())
                continue;
            if (!policy::reap_idle(*options_.idle_timeout, now - w->idle_since, staying, options_.min_workers))
                continue;
            retire(*w);
            --staying;
            std::lock_guard lock(mutex_);
            ++counts_.worker_retirements;
        }
    }
    idle_sweep_.expires_after(policy::idle_sweep_interval(*options_.idle_timeout));
    idle_sweep_.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            sweep_idle();
    });
}

namespace {
std::string mebibytes(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }
} // namespace

void process_pool_engine::poll_memory()
{
    if (shutting_down_)
        return;
    reclaim_lent();  // a call sent directly runs on its worker: watched like any other
    for (auto& w : workers_) {
        if (w->in_flight.empty() || !w->runs_a_call() || w->life.leaving())
            continue;
        std::uint64_t resident = private_bytes_of(w->link.pid());
        switch (policy::judge_memory(resident, true, options_.max_worker_memory, options_.memory_limit)) {
        case policy::memory_verdict::kill:
            kill_worker(*w, kill_reason::memory,
                        "the worker's private resident memory (" + mebibytes(resident) +
                            ") went over process_pool_options::memory_limit (" + mebibytes(options_.memory_limit) +
                            ") while it ran this task; the pool killed it and replaced it",
                        w->in_flight.front());
            break;
        default:
            break;
        }
    }
    memory_poll_.expires_after(policy::memory_poll_interval);
    memory_poll_.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            poll_memory();
    });
}

void process_pool_engine::check_memory_between_calls(worker& w)
{
    if (w.life.leaving() || !w.in_flight.empty())
        return;
    std::uint64_t resident = private_bytes_of(w.link.pid());
    if (policy::judge_memory(resident, false, options_.max_worker_memory, options_.memory_limit) ==
        policy::memory_verdict::replace) {
        retire(w);
        std::lock_guard lock(mutex_);
        ++counts_.worker_retirements;
    }
}

void process_pool_engine::release_delayed()
{
    for (auto& d : delayed_)
        d.timer.cancel();
}

void process_pool_engine::end_terminated(std::deque<call_ptr>& held)
{
    for (auto& c : held) {
        if (c->abandoned)
            continue;
        count_end(ending::cancelled);
        if (c->started || !c->state->cancel())
            c->state->cancel_claimed(std::make_exception_ptr(cancelled_error(
                c->running ? "asyncjobs: the task was running when process_pool_executor::terminate() killed its worker"
                           : "asyncjobs: process_pool_executor::terminate() cancelled the task before it started")));
        std::lock_guard lock(mutex_);
        finished_one_locked();
    }
    held.clear();
}

std::exception_ptr process_pool_engine::failure_for(const worker& w, const call& c, const std::string& status)
{
    std::string where = " (worker pid " + std::to_string(w.link.pid()) + ", task '" + c.entry->name + "')";
    const kill_reason reason = w.life.reason();
    const bool aimed_here = w.kill_target.lock().get() == &c;
    // The kill aimed at another call (its timeout, its cancel_and_kill) that finished
    // while the signal was on its way, and this call had started: it is not this call's
    // timeout or cancellation; the worker died under it.
    std::string collateral;
    if ((reason == kill_reason::timeout || reason == kill_reason::cancel) && !aimed_here)
        collateral = std::string("; the pool killed it to stop another task (") +
                     (reason == kill_reason::timeout ? "timeout" : "cancel_and_kill") + ") that finished just before";
    // A retried task: every try, each with how its worker died.
    if (c.deaths && c.deaths->attempts.size() > 1)
        where += "; it ran " + std::to_string(c.deaths->attempts.size()) + " times (task_options::retries " +
                 std::to_string(c.retries) + ") and each time its worker died: " + c.deaths->words;
    switch (policy::cause_of_death(reason, aimed_here)) {
    case policy::death_cause::timeout:
        return std::make_exception_ptr(task_timeout("asyncjobs: the task ran past its timeout of " +
                                                    std::to_string(c.timeout.count()) +
                                                    " ms; its worker was killed and replaced" + where));
    case policy::death_cause::cancelled:
        return std::make_exception_ptr(cancelled_error("asyncjobs: the task was cancelled while running; its worker "
                                                       "was killed and replaced" + where));
    case policy::death_cause::terminated:
        return std::make_exception_ptr(cancelled_error(
            "asyncjobs: the task was running when process_pool_executor::terminate() killed its worker" + where));
    case policy::death_cause::memory_limit:
        return std::make_exception_ptr(memory_limit_exceeded("asyncjobs: " + w.life.reason_detail() + where));
    case policy::death_cause::protocol:
        return std::make_exception_ptr(protocol_error("asyncjobs: " + w.life.reason_detail() +
                                                      "; the worker was killed and replaced" + where));
    case policy::death_cause::crashed: {
        int code = WIFEXITED(w.life.exit_status()) ? WEXITSTATUS(w.life.exit_status()) : -1;
        int sig = WIFSIGNALED(w.life.exit_status()) ? WTERMSIG(w.life.exit_status()) : 0;
        // A frame cut short by the death is a symptom worth naming: the worker wrote
        // some of its reply, or garbage shaped like one, and then died.
        std::string partial;
        if (std::size_t cut = w.link.partial_frame_bytes())
            partial = "; its output ended in the middle of a frame (" + std::to_string(cut) +
                      " bytes of it arrived)";
        return std::make_exception_ptr(worker_crashed(
            code, sig,
            "asyncjobs: the worker process died with " + status +
                " while running this task; the pool replaced it and went on" + where + partial + collateral,
            c.deaths ? c.deaths->attempts : std::vector<worker_crashed::attempt>{}));
    }
    }
    return {};
}

void process_pool_engine::break_pool(std::exception_ptr why)
{
    std::deque<call_ptr> doomed;
    {
        std::lock_guard lock(mutex_);
        if (!broken_)
            broken_ = std::move(why);
        closed_ = true;
        doomed = take_queue_locked();
        why = broken_;
    }
    fail_all(doomed, why);
}

void process_pool_engine::fail_all(std::deque<call_ptr>& calls, const std::exception_ptr& why)
{
    for (auto& c : calls) {
        bool failed = c->started || c->state->try_start();
        count_end(failed ? ending::failed : ending::cancelled);
        if (failed)
            c->remote->fail(copy_exception(why));  // each future its own object
        std::lock_guard lock(mutex_);
        finished_one_locked();
    }
}

void process_pool_engine::start_failed(int error, std::string why)
{
    switch (error) {
    case ENOENT:
    case EACCES:
    case ENOEXEC:
    case ENOTDIR:
    case EISDIR:
    case ELOOP:
    case ENAMETOOLONG:
    case EPERM:
        // The program cannot be executed, now or on any retry: fail what waits, at once.
        break_pool(std::make_exception_ptr(broken_executor(
            why + "; the pool is broken: check process_pool_options::worker_executable")));
        return;
    default:
        break;
    }
    // Out of descriptors, processes or memory: passing, perhaps. Live workers take the
    // queued work meanwhile, and the pool is not broken under them (retiring ones may
    // still be finishing their last calls, but will take no more).
    bool alive = std::any_of(workers_.begin(), workers_.end(),
                             [](const std::unique_ptr<worker>& w) { return !w->life.leaving(); });
    if (alive)
        return;  // each reply and each exit dispatches again, and tries another start
    if (++start_failures_ >= options_.max_start_failures) {
        break_pool(std::make_exception_ptr(broken_executor(
            why + ". After " + std::to_string(start_failures_) +
            " failed starts in a row with no worker alive the pool is broken")));
        return;
    }
    // With no worker alive, nothing else would try again before the next submit: a timer
    // does, after 10 ms doubling to 1 s.
    if (spawn_retry_armed_)
        return;
    spawn_retry_armed_ = true;
    auto delay = std::chrono::milliseconds(10 << std::min<std::size_t>(start_failures_, 7));
    spawn_retry_.expires_after(std::min(delay, std::chrono::milliseconds(1000)));
    spawn_retry_.async_wait([this](boost::system::error_code ec) {
        spawn_retry_armed_ = false;
        if (!ec && !shutting_down_)
            dispatch();
    });
}

void process_pool_engine::arm_start_timer(worker& w)
{
    w.start_timer.expires_after(options_.start_timeout);
    w.start_timer.async_wait([this, &w](boost::system::error_code ec) {
        if (ec || w.life.greeted() || w.life.exited())
            return;
        kill_worker(w, kill_reason::protocol,
                    "it sent no hello within process_pool_options::start_timeout (" +
                        std::to_string(options_.start_timeout.count()) + " ms) and was killed");
    });
}

void process_pool_engine::publish_pids()
{
    std::vector<long> pids;
    for (auto& w : workers_)
        if (!w->life.exited())
            pids.push_back(w->link.pid());
    std::lock_guard lock(mutex_);
    pids_ = std::move(pids);
}

} // namespace asyncjobs::detail
