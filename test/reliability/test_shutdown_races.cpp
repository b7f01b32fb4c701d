// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Shutdown races, on thread pools and process pools alike: each race is run many times
// with random timing, and every outcome must be a result or a typed error (shutdown_error,
// cancelled_error), never a hang, a crash or a sanitizer report. Every wait is bounded: a
// future not ready within 60 s fails the test, and a thread stuck for 60 s aborts the run
// with a message instead of waiting for CTest's timeout.
// Run as: test_shutdown_races -- <test_worker>.
#define BOOST_TEST_MODULE shutdown_races
#include <boost/test/unit_test.hpp>

#include "support.hpp"
#include "reliability_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <typeinfo>
#include <vector>

#include <boost/core/demangle.hpp>

using namespace std::chrono_literals;
namespace rt = reliability_tasks;
using asyncjobs::future;
using reliability::scaled;

namespace {

std::string worker_path()
{
    auto& suite = boost::unit_test::framework::master_test_suite();
    BOOST_TEST_REQUIRE(suite.argc > 1, "run as: test_shutdown_races -- <test_worker>");
    return suite.argv[1];
}

struct thread_kind {
    using pool_type = asyncjobs::thread_pool_executor;
    static constexpr const char* name = "thread pool";
    static std::unique_ptr<pool_type> make() { return std::make_unique<pool_type>(2); }
    static std::size_t repetitions() { return scaled(200, 40); }
    static constexpr bool process = false;
};

struct process_kind {
    using pool_type = asyncjobs::process_pool_executor;
    static constexpr const char* name = "process pool";
    static std::unique_ptr<pool_type> make()
    {
        asyncjobs::process_pool_options o;
        o.max_workers = 2;
        o.worker_executable = worker_path();
        return std::make_unique<pool_type>(o);
    }
    static std::size_t repetitions() { return scaled(100, 15); }
    static constexpr bool process = true;
};

using pool_kinds = std::tuple<thread_kind, process_kind>;

/// Problems seen on any thread (Boost.Test's assertions are for the main thread only).
class problems {
public:
    void add(const std::string& what)
    {
        std::lock_guard lock(mutex_);
        if (list_.size() < 20)
            list_.push_back(what);
        ++count_;
    }
    void report(const char* race, const char* kind)
    {
        std::lock_guard lock(mutex_);
        for (auto& p : list_)
            BOOST_ERROR(race << " on a " << kind << ": " << p);
        BOOST_TEST(count_ == 0u, race << " on a " << kind << ": " << count_ << " problems");
    }

private:
    std::mutex mutex_;
    std::vector<std::string> list_;
    std::size_t count_ = 0;
};

/// Tallies of what the futures ended with, printed once per race.
struct tally {
    std::atomic<std::size_t> values{0}, cancelled{0}, shut_down{0};
    void print(const char* race, const char* kind, std::size_t reps) const
    {
        std::printf("%s on a %s: %zu runs; %zu values, %zu cancelled_error, %zu shutdown_error\n", race, kind, reps,
                    values.load(), cancelled.load(), shut_down.load());
    }
};

/// A random pause of up to `max_us` microseconds (spinning, so that it can be short).
void jitter(std::mt19937_64& rng, unsigned max_us)
{
    if (max_us == 0)
        return;
    auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(rng() % max_us);
    while (std::chrono::steady_clock::now() < until)
        std::this_thread::yield();
}

std::string describe_current_exception()
{
    try {
        throw;
    } catch (const std::exception& e) {
        return boost::core::demangle(typeid(e).name()) + ": " + e.what();
    } catch (...) {
        return "an unknown exception";
    }
}

/// Checks one outcome: the expected value, or one of the allowed typed errors.
template <class Future, class T>
void check(Future& f, const T& expected, bool allow_cancelled, bool allow_shutdown, tally& t, problems& p,
           const char* what)
{
    if (f.wait_for(60s) != std::future_status::ready) {
        p.add(std::string(what) + ": a future was not ready after 60 s");
        return;
    }
    try {
        auto v = f.get();
        if (v != expected)
            p.add(std::string(what) + ": wrong value " + std::to_string(v) + " instead of " + std::to_string(expected));
        else
            ++t.values;
    } catch (const asyncjobs::cancelled_error& e) {
        ++t.cancelled;
        if (!allow_cancelled)
            p.add(std::string(what) + ": unexpected cancelled_error: " + e.what());
    } catch (const asyncjobs::shutdown_error& e) {
        ++t.shut_down;
        if (!allow_shutdown)
            p.add(std::string(what) + ": unexpected shutdown_error: " + e.what());
    } catch (...) {
        p.add(std::string(what) + ": unexpected " + describe_current_exception());
    }
}

/// A process task that failed with worker_crashed by SIGKILL: next to a cancel_and_kill,
/// the kill can land after the targeted task finished, while the worker runs the next one,
/// which then fails with worker_crashed (never with cancelled_error: it was not cancelled).
template <class Future>
bool killed_next_to_a_kill(Future& f)
{
    if (f.wait_for(60s) != std::future_status::ready || !f.exception())
        return false;
    try {
        std::rethrow_exception(f.exception());
    } catch (const asyncjobs::worker_crashed& e) {
        return e.signal() == SIGKILL;
    } catch (...) {
        return false;
    }
}

/// Joins `t` once `done` is set; if that takes 60 s, the race hangs: abort with a message.
void join_bounded(std::thread& t, const std::atomic<bool>& done, const char* what)
{
    auto give_up = std::chrono::steady_clock::now() + 60s;
    while (!done.load()) {
        if (std::chrono::steady_clock::now() > give_up) {
            std::fprintf(stderr, "shutdown_races: %s hangs (60 s); aborting\n", what);
            std::fflush(stderr);
            std::abort();
        }
        std::this_thread::sleep_for(1ms);
    }
    t.join();
}

/// Runs `body` on a thread, flags `done` when it returns.
template <class Body>
std::thread spawn(std::atomic<bool>& done, Body body)
{
    return std::thread([&done, body = std::move(body)]() mutable {
        body();
        done = true;
    });
}

std::mt19937_64 rng_for(const char* race)
{
    std::uint64_t s = reliability::seed();
    for (const char* c = race; *c; ++c)
        s = s * 131 + static_cast<unsigned char>(*c);
    return std::mt19937_64(s);
}

/// Runs one race on fresh pools, `reps` times: `round(pool, rng, problems, tally)` once per
/// pool; then prints the tally and reports every problem seen.
template <class Kind, class Round>
void run_race(const char* race, Round round, std::size_t reps = Kind::repetitions())
{
    auto rng = rng_for(race);
    problems p;
    tally t;
    for (std::size_t rep = 0; rep < reps; ++rep) {
        auto pool = Kind::make();
        round(pool, rng, p, t);
        pool.reset();
    }
    t.print(race, Kind::name, reps);
    p.report(race, Kind::name);
}

} // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(submit_races_shutdown, Kind, pool_kinds)
{
    const char* race = "submit racing shutdown";
    std::size_t refused = 0;
    const int max_submits = static_cast<int>(Kind::process ? scaled(1500, 300) : scaled(5000, 1000));
    run_race<Kind>(race, [&](auto& pool, std::mt19937_64& rng, problems& p, tally& t) {
        const bool wait = rng() & 1, cancel = rng() & 1;
        std::vector<future<int>> fs;
        fs.reserve(static_cast<std::size_t>(max_submits));
        std::atomic<bool> go{false}, done{false}, got_refused{false};
        auto submitter = spawn(done, [&] {
            while (!go.load())
                std::this_thread::yield();
            for (int i = 0; i < max_submits; ++i) {
                try {
                    fs.push_back(pool->submit(rt::add, i, 1));
                } catch (const asyncjobs::shutdown_error&) {
                    got_refused = true;
                    return;
                } catch (...) {
                    p.add("submit threw " + describe_current_exception());
                    return;
                }
            }
        });
        go = true;
        jitter(rng, 400);
        pool->shutdown(wait, cancel);
        join_bounded(submitter, done, race);
        refused += got_refused.load();
        try {
            (void)pool->submit(rt::add, 1, 1);
            p.add("submit after shutdown() did not throw");
        } catch (const asyncjobs::shutdown_error&) {
        } catch (...) {
            p.add("submit after shutdown() threw " + describe_current_exception());
        }
        for (std::size_t i = 0; i < fs.size(); ++i)
            check(fs[i], static_cast<int>(i) + 1, cancel, false, t, p, race);
    });
    std::printf("  (submit refused with shutdown_error in %zu runs)\n", refused);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(cancel_races_completion, Kind, pool_kinds)
{
    const char* race = "cancel racing completion";
    constexpr std::size_t n = 24;
    std::size_t untouched = 0, collateral = 0;
    run_race<Kind>(race, [&](auto& pool, std::mt19937_64& rng, problems& p, tally& t) {
        std::vector<future<int>> fs;
        for (std::size_t i = 0; i < n; ++i)
            fs.push_back(i % 3 == 0 ? pool->submit(rt::sleep_ms, static_cast<int>(rng() % 2))
                                    : pool->submit(rt::add, static_cast<int>(i), 1));
        // What was asked of each future: 0 nothing, 1 cancel() true, 2 cancel() false,
        // 3 cancel_and_kill() true, 4 cancel_and_kill() false.
        std::vector<int> asked(n, 0);
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        order.resize(n / 2);
        std::atomic<bool> done{false};
        auto seed = rng();
        auto canceller = spawn(done, [&] {
            std::mt19937_64 r(seed);
            for (std::size_t i : order) {
                jitter(r, 300);
                if constexpr (Kind::process) {
                    if (r() % 3 == 0) {
                        asked[i] = pool->cancel_and_kill(fs[i]) ? 3 : 4;
                        continue;
                    }
                }
                asked[i] = fs[i].cancel() ? 1 : 2;
            }
        });
        join_bounded(canceller, done, race);
        const bool killed = std::count(asked.begin(), asked.end(), 3) > 0;
        for (std::size_t i = 0; i < n; ++i) {
            int expected = i % 3 == 0 ? -1 : static_cast<int>(i) + 1;
            if (asked[i] == 0)
                ++untouched;
            if (killed && asked[i] != 3 && killed_next_to_a_kill(fs[i])) {
                ++collateral;
                continue;
            }
            if (asked[i] == 1 && !fs[i].cancelled())
                p.add("cancel() returned true but the future is not cancelled");
            if (expected < 0) {
                // sleep_ms: its value is its argument; check the outcome type only.
                if (fs[i].wait_for(60s) != std::future_status::ready) {
                    p.add("a future was not ready after 60 s");
                    continue;
                }
                auto e = fs[i].exception();
                if (!e) {
                    ++t.values;
                    if (asked[i] == 1)
                        p.add("cancel() returned true but the task produced a value");
                    continue;
                }
                try {
                    std::rethrow_exception(e);
                } catch (const asyncjobs::cancelled_error&) {
                    ++t.cancelled;
                    if (asked[i] != 1 && asked[i] != 3)
                        p.add("a task that was not cancelled (asked " + std::to_string(asked[i]) +
                              ") failed with cancelled_error");
                } catch (...) {
                    p.add("unexpected " + describe_current_exception());
                }
                continue;
            }
            if (asked[i] == 1) {
                check(fs[i], expected, true, false, t, p, "cancel() returned true");
                if (fs[i].exception() == nullptr)
                    p.add("cancel() returned true but the task produced a value");
            } else {
                check(fs[i], expected, asked[i] == 3, false, t, p,
                      asked[i] == 0 ? "a task nobody cancelled" : "a task whose cancel returned false");
            }
        }
    });
    std::printf("  (%zu tasks not cancelled at all; %zu tasks failed with worker_crashed next to a cancel_and_kill)\n",
                untouched, collateral);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(then_while_the_pool_drains, Kind, pool_kinds)
{
    const char* race = "then() while the pool drains";
    constexpr std::size_t n = 32;
    run_race<Kind>(race, [&](auto& pool, std::mt19937_64& rng, problems& p, tally& t) {
        std::vector<future<int>> fs;
        for (std::size_t i = 0; i < n; ++i)
            fs.push_back(pool->submit(rt::add, static_cast<int>(i), 1));
        std::vector<future<int>> chained(n);
        std::atomic<bool> go{false}, done{false};
        auto seed = rng();
        auto chainer = spawn(done, [&] {
            std::mt19937_64 r(seed);
            while (!go.load())
                std::this_thread::yield();
            for (std::size_t i = 0; i < n; ++i) {
                jitter(r, 40);
                try {
                    chained[i] = std::move(fs[i]).then([](future<int> f) { return f.get() + 1; });
                } catch (...) {
                    p.add("then() threw " + describe_current_exception());
                }
            }
        });
        go = true;
        jitter(rng, 600);
        pool->shutdown(rng() & 1, false);
        join_bounded(chainer, done, race);
        for (std::size_t i = 0; i < n; ++i)
            if (chained[i].valid())
                check(chained[i], static_cast<int>(i) + 2, false, true, t, p, race);
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(shutdown_from_a_continuation, Kind, pool_kinds)
{
    const char* race = "shutdown() from a continuation";
    constexpr std::size_t n = 16;
    run_race<Kind>(race, [&](auto& pool, std::mt19937_64& rng, problems& p, tally& t) {
        const bool wait = rng() & 1, cancel = rng() & 1;
        const std::size_t trigger = rng() % n;
        auto& executor = *pool;
        std::vector<future<int>> fs;
        for (std::size_t i = 0; i < n; ++i)
            fs.push_back(pool->submit(rt::add, static_cast<int>(i), 1));
        // Attached after the last submit (the continuation may run at once and shut the pool).
        future<int> chained = std::move(fs[trigger]).then([&executor, wait, cancel](future<int> r) {
            executor.shutdown(wait, cancel);
            return r.get();
        });
        check(chained, static_cast<int>(trigger) + 1, false, false, t, p, "the continuation that shuts down");
        for (std::size_t i = 0; i < n; ++i)
            if (i != trigger)
                check(fs[i], static_cast<int>(i) + 1, cancel, false, t, p, race);
        try {
            (void)pool->submit(rt::add, 1, 1);
            p.add("submit after a continuation's shutdown() did not throw");
        } catch (const asyncjobs::shutdown_error&) {
        }
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(destruction_while_as_completed_iterates, Kind, pool_kinds)
{
    const char* race = "destruction while as_completed() iterates";
    constexpr std::size_t n = 24;
    run_race<Kind>(race, [&](auto& pool, std::mt19937_64& rng, problems& p, tally& t) {
        std::vector<future<int>> fs;
        for (std::size_t i = 0; i < n; ++i)
            fs.push_back(i % 4 == 0 ? pool->submit(rt::sleep_ms, 1) : pool->submit(rt::add, 0, 1));
        std::atomic<bool> done{false};
        auto reader = spawn(done, [&] {
            std::size_t yielded = 0;
            try {
                for (auto& f : asyncjobs::as_completed(fs, 60s)) {
                    check(f, 1, false, false, t, p, race);
                    ++yielded;
                }
            } catch (...) {
                p.add("as_completed threw " + describe_current_exception());
            }
            if (yielded != n)
                p.add("as_completed yielded " + std::to_string(yielded) + " of " + std::to_string(n));
        });
        jitter(rng, 800);
        pool.reset();
        join_bounded(reader, done, race);
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(wait_races_cancelling_shutdown, Kind, pool_kinds)
{
    const char* race = "wait() racing shutdown(cancel_futures)";
    constexpr std::size_t n = 32;
    run_race<Kind>(race, [&](auto& pool, std::mt19937_64& rng, problems& p, tally& t) {
        std::vector<future<int>> fs;
        for (std::size_t i = 0; i < n; ++i)
            fs.push_back(pool->submit(rt::add, static_cast<int>(i), 1));
        const auto when = rng() % 3 == 0 ? asyncjobs::return_when::first_completed : asyncjobs::return_when::all_completed;
        std::atomic<bool> done{false};
        auto waiter = spawn(done, [&] {
            try {
                auto r = asyncjobs::wait(fs, when, 60s);
                if (when == asyncjobs::return_when::all_completed && !r.not_done.empty())
                    p.add(std::to_string(r.not_done.size()) + " futures not done after wait(all_completed, 60 s)");
                if (r.done.empty())
                    p.add("wait() returned with no future done");
            } catch (...) {
                p.add("wait threw " + describe_current_exception());
            }
        });
        jitter(rng, 300);
        pool->shutdown(rng() & 1, true);
        join_bounded(waiter, done, race);
        for (std::size_t i = 0; i < n; ++i)
            check(fs[i], static_cast<int>(i) + 1, true, false, t, p, race);
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(map_consumed_while_the_pool_shuts_down, Kind, pool_kinds)
{
    const char* race = "map() consumed while the pool shuts down";
    std::size_t complete = 0, stopped = 0;
    const std::size_t n = Kind::process ? scaled(2000, 400) : scaled(20000, 4000);
    std::vector<int> inputs(n);
    std::iota(inputs.begin(), inputs.end(), 0);
    run_race<Kind>(race, [&](auto& pool, std::mt19937_64& rng, problems& p, tally& t) {
        asyncjobs::map_options o;
        o.chunksize = rng() % 2 ? 0 : 1 + rng() % 16;
        const int how = static_cast<int>(rng() % 3);  // 0 shutdown(wait), 1 shutdown(no wait, cancel), 2 destroy
        std::atomic<bool> done{false}, finished{false};
        std::atomic<std::size_t> read{0};
        auto results = pool->map(rt::add_one, inputs, o);
        auto consumer = spawn(done, [&] {
            try {
                int expected = 1;
                for (int v : results) {
                    if (v != expected)
                        p.add("map yielded " + std::to_string(v) + " instead of " + std::to_string(expected));
                    ++expected;
                    ++read;
                }
                finished = true;
            } catch (const asyncjobs::shutdown_error&) {
                ++t.shut_down;
            } catch (const asyncjobs::cancelled_error&) {
                ++t.cancelled;
            } catch (...) {
                p.add("reading map results threw " + describe_current_exception());
            }
        });
        jitter(rng, 2000);
        if (how == 2)
            pool.reset();
        else
            pool->shutdown(how == 0, how == 1);
        join_bounded(consumer, done, race);
        if (finished) {
            ++complete;
            if (read != n)
                p.add("map ended after " + std::to_string(read.load()) + " of " + std::to_string(n) + " results");
        } else {
            ++stopped;
        }
        t.values += read.load();
    });
    std::printf("  (%zu maps read to the end, %zu stopped by a typed error)\n", complete, stopped);
}

// cancel_and_kill(f) must stop f's task only. The kill is aimed at f's worker while f runs
// there, but the worker may finish f (its reply still in the pipe) and start the next call
// before the signal lands: that next call must not fail as "cancelled".
BOOST_AUTO_TEST_CASE(cancel_and_kill_races_completion)
{
    const char* race = "cancel_and_kill racing completion";
    constexpr std::size_t n = 48;
    std::size_t kills_asked = 0, collateral = 0;
    const std::size_t reps = scaled(100, 15);
    run_race<process_kind>(race, [&](auto& pool, std::mt19937_64& rng, problems& p, tally& t) {
        std::vector<future<int>> fs;
        for (std::size_t i = 0; i < n; ++i)
            fs.push_back(pool->submit(rt::add, static_cast<int>(i), 1));
        const std::size_t target = rng() % 12;
        // Wait (bounded) until the target is claimed, so that the kill meets it running or done.
        for (auto give_up = std::chrono::steady_clock::now() + 10s;
             !fs[target].running() && !fs[target].done() && std::chrono::steady_clock::now() < give_up;)
            std::this_thread::yield();
        jitter(rng, 200);
        kills_asked += pool->cancel_and_kill(fs[target]);
        for (std::size_t i = 0; i < n; ++i)
            if (i != target && killed_next_to_a_kill(fs[i]))
                ++collateral;
            else
                check(fs[i], static_cast<int>(i) + 1, i == target, false, t, p,
                  i == target ? "the task cancel_and_kill was aimed at" : "a task next to a cancel_and_kill");
    }, reps);
    std::printf("  (cancel_and_kill returned true %zu times; %zu other tasks failed with worker_crashed)\n",
                kills_asked, collateral);
}
