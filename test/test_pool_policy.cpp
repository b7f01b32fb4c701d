// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The process pool's policies (lib/src/process_pool/process_pool_policy.hpp), case by case: how far ahead
// calls are sent, which worker gets the next call, and the verdict on a dead worker's first
// call; and a worker's life (worker_life.hpp), event by event. The process suites check that
// the engine follows them; here each rule is pinned.
#define BOOST_TEST_MODULE asyncjobs pool policy
#include <boost/test/unit_test.hpp>

#include "claim_board.hpp"
#include "process_pool_policy.hpp"
#include "worker_life.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace policy = asyncjobs::detail::policy;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(pipeline)

BOOST_AUTO_TEST_CASE(cap_by_average_task_time)
{
    struct row {
        std::chrono::nanoseconds average;
        std::size_t cap;
    };
    const row table[] = {
        {0ns, 64},                         // nothing ran yet: deep, for a burst of short tasks
        {-5ns, 64},                        // never negative, but harmless
        {1ns, 64},                         // no-ops: the deepest
        {std::chrono::microseconds(31), 2 + 64},  // clamped below
        {std::chrono::microseconds(50), 2 + 40},  // 2 ms of work ahead
        {std::chrono::microseconds(100), 2 + 20},
        {1ms, 4},
        {2ms, 3},
        {3ms, 2},  // longer than the 2 ms sent ahead: one running, one waiting
        {100ms, 2},
        {24h, 2},
    };
    for (const auto& r : table) {
        BOOST_TEST_CONTEXT("average " << r.average.count() << " ns")
        BOOST_TEST(policy::pipeline_cap(r.average) == std::min<std::size_t>(r.cap, 64));
    }
}

BOOST_AUTO_TEST_CASE(depth_from_queue_and_ready_workers)
{
    constexpr std::size_t slots = asyncjobs::detail::claim_board::slots;
    struct row {
        std::size_t configured, queued, ready, cap, depth;
    };
    const row table[] = {
        {0, 0, 2, 64, 2},         // empty queue: the shallowest
        {0, 10, 0, 64, 2},        // no ready worker: the shallowest
        {0, 100, 2, 64, 50},      // the queue shared among the ready workers
        {0, 1000, 2, 64, 64},     // no deeper than the cap
        {0, 1000, 2, 3, 3},       // long tasks: the cap keeps it shallow
        {0, 1000, 4, 2, 2},
        {0, 3, 2, 64, 2},         // never below 2
        {5, 0, 0, 64, 5},         // a configured depth wins ...
        {5, 1000, 2, 2, 5},       // ... over the cap too
        {10'000, 0, 1, 64, slots - 1},  // but the claim board bounds everything
        {0, 1'000'000, 1, 1'000, slots - 1},
    };
    for (const auto& r : table) {
        BOOST_TEST_CONTEXT("configured " << r.configured << ", queued " << r.queued << ", ready " << r.ready
                                         << ", cap " << r.cap)
        BOOST_TEST(policy::pipeline_depth(r.configured, r.queued, r.ready, r.cap, slots) ==
                   std::min(r.depth, slots - 1));
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pick_worker)

policy::worker_load ready(std::size_t in_flight, std::size_t done = 0)
{
    return {.ready = true, .retiring = false, .in_flight = in_flight, .tasks_done = done};
}
const policy::worker_load starting{.ready = false, .retiring = false, .in_flight = 0, .tasks_done = 0};
const policy::worker_load retiring{.ready = true, .retiring = true, .in_flight = 0, .tasks_done = 0};

policy::pool_load pool(std::size_t queued, std::size_t depth, std::size_t max_workers, std::size_t per_child = 0)
{
    return {.queued = queued, .depth = depth, .max_workers = max_workers, .max_tasks_per_child = per_child};
}

BOOST_AUTO_TEST_CASE(table)
{
    struct row {
        const char* what;
        std::vector<policy::worker_load> workers;
        policy::pool_load pool;
        std::optional<std::size_t> chosen;
    };
    const row table[] = {
        {"no worker", {}, pool(1, 2, 2), std::nullopt},
        {"the idle one", {ready(1), ready(0)}, pool(1, 2, 2), 1},
        {"the least loaded", {ready(3), ready(1), ready(2)}, pool(10, 4, 3), 1},
        {"the first of equals", {ready(1), ready(1)}, pool(10, 4, 2), 0},
        {"all pipelines full", {ready(2), ready(2)}, pool(10, 2, 2), std::nullopt},
        {"not a starting one", {starting, ready(0)}, pool(1, 2, 2), 1},
        {"not a retiring one", {retiring, ready(1)}, pool(10, 2, 3), 1},
        {"only retiring ones", {retiring, retiring}, pool(10, 2, 2), std::nullopt},
        // Busy best, and a starting worker could take all the queue: wait for it.
        {"starting one takes it", {ready(1), starting}, pool(1, 4, 2), std::nullopt},
        // ... or a worker may still be started (max_workers above the live ones).
        {"a worker may start", {ready(1)}, pool(1, 4, 2), std::nullopt},
        // More queued than the spare workers can take: queue behind the running one.
        {"queue behind", {ready(1), starting}, pool(5, 4, 2), 0},
        {"at max_workers", {ready(1)}, pool(1, 4, 1), 0},
        // max_tasks_per_child: a worker takes only the calls it may still run.
        {"near its last task", {ready(1, 4), ready(2, 0)}, pool(10, 4, 2, 5), 1},
        {"every worker near its last", {ready(1, 4), ready(0, 5)}, pool(10, 4, 2, 5), std::nullopt},
    };
    for (const auto& r : table) {
        BOOST_TEST_CONTEXT(r.what)
        {
            auto got = policy::pick_worker(r.workers, r.pool);
            BOOST_TEST(got.has_value() == r.chosen.has_value());
            if (got && r.chosen)
                BOOST_TEST(*got == *r.chosen);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dead_worker)

BOOST_AUTO_TEST_CASE(verdict_on_the_first_call)
{
    using v = policy::held_call_verdict;
    struct row {
        const char* what;
        bool worker_ready;
        policy::first_call_facts first;
        v verdict;
    };
    const row table[] = {
        {"it was running: the task crashed the worker", true, {.running = true}, v::fail},
        {"running, even if not all of it was delivered", true, {.running = true, .delivered = false}, v::fail},
        {"the pool killed the worker holding it", true, {.delivered = true, .killed_by_pool = true}, v::fail},
        {"killed, but the call never reached the pipe", true, {.delivered = false, .killed_by_pool = true},
         v::redispatch},
        {"first death before it started", true, {.delivered = true, .lost_workers = 0}, v::redispatch},
        {"second death before it started", true, {.delivered = true, .lost_workers = 1}, v::redispatch},
        {"third death: it fails rather than go round forever", true, {.delivered = true, .lost_workers = 2},
         v::fail},
        {"never delivered: deaths do not count", true, {.delivered = false, .lost_workers = 5}, v::redispatch},
        {"a worker that never became ready blames nothing", false,
         {.running = true, .delivered = true, .killed_by_pool = true, .lost_workers = 9}, v::redispatch},
    };
    for (const auto& r : table) {
        BOOST_TEST_CONTEXT(r.what)
        BOOST_TEST((policy::dead_worker_verdict(r.worker_ready, r.first) == r.verdict));
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(worker_life)

using asyncjobs::detail::kill_reason;
using asyncjobs::detail::worker_state;

// What happens to a worker, in the order the engine reports it.
enum class event { hello, hello_then_initializer, initialized, retire, kill_timeout, kill_cancel, kill_terminate, reaped };

BOOST_AUTO_TEST_CASE(transitions)
{
    struct row {
        const char* story;
        std::initializer_list<event> events;
        worker_state state;
        bool takes_calls;
        bool greeted;
        bool was_ready;
        kill_reason reason;
        bool last_kill_recorded;  // what the last kill() returned (false when there was none)
    };
    using enum event;
    const row table[] = {
        {"spawned", {}, worker_state::starting, false, false, false, kill_reason::none, false},
        {"hello", {hello}, worker_state::ready, true, true, true, kill_reason::none, false},
        {"hello, initializer pending", {hello_then_initializer}, worker_state::initializing, false, true, false,
         kill_reason::none, false},
        {"initializer done", {hello_then_initializer, initialized}, worker_state::ready, true, true, true,
         kill_reason::none, false},
        {"retired while ready", {hello, retire}, worker_state::retiring, false, true, true, kill_reason::shutdown,
         false},
        // Retired while starting, it may still become ready: then its death is no failed start.
        {"retired, then hello", {retire, hello}, worker_state::retiring, false, true, true, kill_reason::shutdown,
         false},
        {"retired, then initializer done", {hello_then_initializer, retire, initialized}, worker_state::retiring,
         false, true, true, kill_reason::shutdown, false},
        {"killed on timeout", {hello, kill_timeout}, worker_state::being_killed, false, true, true,
         kill_reason::timeout, true},
        {"the first kill's reason stays", {hello, kill_timeout, kill_cancel}, worker_state::being_killed, false, true,
         true, kill_reason::timeout, false},
        {"a kill overrides a retirement", {hello, retire, kill_cancel}, worker_state::being_killed, false, true, true,
         kill_reason::cancel, true},
        {"terminate overrides everything", {hello, kill_timeout, kill_terminate}, worker_state::being_killed, false,
         true, true, kill_reason::terminate, true},
        {"killed while starting, then hello", {kill_timeout, hello}, worker_state::being_killed, false, true, true,
         kill_reason::timeout, true},
        {"died on its own", {hello, reaped}, worker_state::exited, false, true, true, kill_reason::none, false},
        {"died while starting", {reaped}, worker_state::exited, false, false, false, kill_reason::none, false},
        {"no kill after exit", {hello, reaped, kill_cancel}, worker_state::exited, false, true, true, kill_reason::none,
         false},
        {"killed, then reaped", {hello, kill_cancel, reaped}, worker_state::exited, false, true, true,
         kill_reason::cancel, true},
    };
    for (const row& r : table) {
        BOOST_TEST_CONTEXT(r.story)
        {
            asyncjobs::detail::worker_life life;
            bool recorded = false;
            for (event e : r.events) {
                switch (e) {
                case hello: life.said_hello(false); break;
                case hello_then_initializer: life.said_hello(true); break;
                case initialized: life.initialized(); break;
                case retire: life.retire(); break;
                case kill_timeout: recorded = life.kill(kill_reason::timeout, "timeout"); break;
                case kill_cancel: recorded = life.kill(kill_reason::cancel, "cancel"); break;
                case kill_terminate: recorded = life.kill(kill_reason::terminate, "terminate"); break;
                case reaped: life.exit(9); break;
                }
            }
            BOOST_TEST((life.state() == r.state));
            BOOST_TEST(life.takes_calls() == r.takes_calls);
            BOOST_TEST(life.leaving() == (r.state >= worker_state::retiring));
            BOOST_TEST(life.exited() == (r.state == worker_state::exited));
            BOOST_TEST(life.greeted() == r.greeted);
            BOOST_TEST(life.was_ready() == r.was_ready);
            BOOST_TEST((life.reason() == r.reason));
            BOOST_TEST(recorded == r.last_kill_recorded);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_recorded_kill_keeps_its_detail)
{
    asyncjobs::detail::worker_life life;
    life.said_hello(false);
    BOOST_TEST(life.kill(kill_reason::timeout, "task 'slow' ran past 10 ms"));
    BOOST_TEST(!life.kill(kill_reason::protocol, "garbage"));
    BOOST_TEST(life.reason_detail() == "task 'slow' ran past 10 ms");
    life.exit(9);
    BOOST_TEST(life.exit_status() == 9);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(retries)

using asyncjobs::detail::kill_reason;
using policy::death_cause;

BOOST_AUTO_TEST_CASE(cause_of_death_by_kill_reason_and_target)
{
    struct row {
        kill_reason reason;
        bool aimed_here;
        death_cause cause;
    };
    const row table[] = {
        {kill_reason::none, true, death_cause::crashed},       // died on its own, or killed from outside
        {kill_reason::none, false, death_cause::crashed},
        {kill_reason::timeout, true, death_cause::timeout},    // this call's timeout
        {kill_reason::timeout, false, death_cause::crashed},   // another call's: collateral
        {kill_reason::cancel, true, death_cause::cancelled},
        {kill_reason::cancel, false, death_cause::crashed},
        {kill_reason::protocol, false, death_cause::protocol},
        {kill_reason::terminate, false, death_cause::terminated},
        {kill_reason::shutdown, false, death_cause::crashed},  // a retiring worker that died
    };
    for (const auto& r : table) {
        BOOST_TEST_CONTEXT("reason " << static_cast<int>(r.reason) << ", aimed here " << r.aimed_here)
        BOOST_TEST((policy::cause_of_death(r.reason, r.aimed_here) == r.cause));
    }
}

BOOST_AUTO_TEST_CASE(which_deaths_run_again)
{
    struct row {
        death_cause cause;
        unsigned tries, retries;
        bool retry_on_timeout, again;
    };
    const row table[] = {
        {death_cause::crashed, 1, 0, false, false},    // no retries: the default
        {death_cause::crashed, 1, 3, false, true},     // first death of three allowed retries
        {death_cause::crashed, 3, 3, false, true},     // the last retry
        {death_cause::crashed, 4, 3, false, false},    // every retry spent: it fails
        {death_cause::timeout, 1, 3, false, false},    // a timeout only when asked for
        {death_cause::timeout, 1, 3, true, true},
        {death_cause::timeout, 4, 3, true, false},
        {death_cause::cancelled, 1, 3, true, false},   // cancel_and_kill: never
        {death_cause::protocol, 1, 3, true, false},    // a broken worker: never
        {death_cause::terminated, 1, 3, true, false},  // terminate(): never
    };
    for (const auto& r : table) {
        BOOST_TEST_CONTEXT("cause " << static_cast<int>(r.cause) << ", tries " << r.tries << ", retries "
                                    << r.retries << ", retry_on_timeout " << r.retry_on_timeout)
        BOOST_TEST(policy::retry_after_death({.cause = r.cause,
                                              .tries = r.tries,
                                              .retries = r.retries,
                                              .retry_on_timeout = r.retry_on_timeout}) == r.again);
    }
}

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_a_cap)
{
    struct row {
        std::chrono::milliseconds backoff;
        unsigned retry;
        std::chrono::milliseconds delay;
    };
    const row table[] = {
        {0ms, 1, 0ms},  // no backoff: at once
        {0ms, 5, 0ms},
        {-5ms, 2, 0ms},  // rejected by validation; harmless here
        {10ms, 0, 0ms},  // not a retry
        {10ms, 1, 10ms},
        {10ms, 2, 20ms},
        {10ms, 3, 40ms},
        {10ms, 12, 20480ms},
        {10ms, 13, 40960ms},
        {10ms, 14, 60000ms},  // a minute at most
        {10ms, 1000, 60000ms},
        {std::chrono::milliseconds(90000), 1, std::chrono::milliseconds(90000)},  // longer than the cap: itself
        {std::chrono::milliseconds(90000), 4, std::chrono::milliseconds(90000)},
        {std::chrono::milliseconds::max(), 3, std::chrono::milliseconds::max()},  // no overflow
    };
    for (const auto& r : table) {
        BOOST_TEST_CONTEXT("backoff " << r.backoff.count() << " ms, retry " << r.retry)
        BOOST_TEST(policy::retry_delay(r.backoff, r.retry).count() == r.delay.count());
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(idle_reaping)

BOOST_AUTO_TEST_CASE(an_idle_worker_exits_after_the_timeout_down_to_the_minimum)
{
    struct row {
        std::optional<std::chrono::nanoseconds> timeout;
        std::chrono::nanoseconds idle_for;
        std::size_t staying, min_workers;
        bool reap;
    };
    const row table[] = {
        {std::nullopt, 24h, 4, 0, false},  // unset: never
        {100ms, 99ms, 4, 0, false},        // not idle long enough
        {100ms, 100ms, 4, 0, true},
        {100ms, 5s, 1, 0, true},           // down to none
        {100ms, 5s, 2, 1, true},
        {100ms, 5s, 1, 1, false},          // the minimum stays
        {100ms, 5s, 3, 3, false},
        {100ms, -1ms, 2, 0, false},        // idle since a moment in the future: not idle
    };
    for (const auto& r : table) {
        BOOST_TEST_CONTEXT("timeout " << (r.timeout ? r.timeout->count() : -1) << " ns, idle " << r.idle_for.count()
                                      << " ns, staying " << r.staying << ", min " << r.min_workers)
        BOOST_TEST(policy::reap_idle(r.timeout, r.idle_for, r.staying, r.min_workers) == r.reap);
    }
}

BOOST_AUTO_TEST_CASE(the_sweep_runs_at_a_quarter_of_the_timeout_within_bounds)
{
    BOOST_TEST(policy::idle_sweep_interval(1ms).count() == std::chrono::nanoseconds(1ms).count());
    BOOST_TEST(policy::idle_sweep_interval(100ms).count() == std::chrono::nanoseconds(25ms).count());
    BOOST_TEST(policy::idle_sweep_interval(1h).count() == std::chrono::nanoseconds(5s).count());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(memory_guard)

BOOST_AUTO_TEST_CASE(judged_against_the_soft_and_the_hard_limit)
{
    using policy::memory_verdict;
    constexpr std::uint64_t mib = 1 << 20;
    struct row {
        std::uint64_t resident;
        bool running;
        std::uint64_t max_worker_memory, memory_limit;
        memory_verdict verdict;
    };
    const row table[] = {
        {500 * mib, false, 0, 0, memory_verdict::keep},            // no guard
        {500 * mib, true, 0, 0, memory_verdict::keep},
        {0, true, 100 * mib, 200 * mib, memory_verdict::keep},     // unknown (exited): nothing to judge
        {100 * mib, false, 100 * mib, 0, memory_verdict::keep},    // at the threshold: still fine
        {101 * mib, false, 100 * mib, 0, memory_verdict::replace}, // above, between calls: replaced
        {101 * mib, true, 100 * mib, 0, memory_verdict::keep},     // above while running: judged after the call
        {201 * mib, true, 100 * mib, 200 * mib, memory_verdict::kill},  // the hard cap, while running
        {201 * mib, true, 0, 200 * mib, memory_verdict::kill},
        {201 * mib, false, 0, 200 * mib, memory_verdict::replace},      // above the cap but idle: no task to fail
        {150 * mib, true, 100 * mib, 200 * mib, memory_verdict::keep},
        {150 * mib, false, 100 * mib, 200 * mib, memory_verdict::replace},
    };
    for (const auto& r : table) {
        BOOST_TEST_CONTEXT("resident " << r.resident << ", running " << r.running << ", max " << r.max_worker_memory
                                       << ", limit " << r.memory_limit)
        BOOST_TEST((policy::judge_memory(r.resident, r.running, r.max_worker_memory, r.memory_limit) == r.verdict));
    }
}

BOOST_AUTO_TEST_CASE(a_memory_kill_is_the_calls_own_only_when_aimed_at_it)
{
    using asyncjobs::detail::kill_reason;
    BOOST_TEST((policy::cause_of_death(kill_reason::memory, true) == policy::death_cause::memory_limit));
    BOOST_TEST((policy::cause_of_death(kill_reason::memory, false) == policy::death_cause::crashed));
    // Never retried.
    BOOST_TEST(!policy::retry_after_death(
        {.cause = policy::death_cause::memory_limit, .tries = 1, .retries = 3, .retry_on_timeout = true}));
}

BOOST_AUTO_TEST_SUITE_END()
