// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// bench_thread_pool: what a no-op task, a continuation, a when_all, a map item and a co_await cost on
// asyncjobs::thread_pool_executor, each next to its baseline on a boost::asio::thread_pool
// with the same number of threads, measured in the same run.
//
// Every round runs every variant of a figure once, in an order that rotates from round to
// round, so that drift on a noisy machine hits the baselines and asyncjobs alike. A figure
// is the median over rounds; a ratio is the median of the per-round ratios (asyncjobs /
// baseline, lower is better). Progress goes to stderr, the table to stdout.

// g++ 12 at -O1 and above reports -Wmaybe-uninitialized inside asyncjobs'
// detail/task.hpp (task_state::run moves the callable into a local std::optional; so does
// unwrapping_task_state::run in future.hpp) for any task or continuation whose lambda
// captures a non-trivial object: a false positive, but fatal under -Werror. Silenced for
// this file only, until the library avoids the pattern.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "bench_options.hpp"
#include "harness.hpp"
#include "report.hpp"

#include <asyncjobs/asio.hpp>
#include <asyncjobs/asyncjobs.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/thread/executors/work.hpp>
#include <boost/thread/future.hpp>

#if ASYNCJOBS_BENCH_HAVE_TBB
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#include <oneapi/tbb/version.h>
#endif

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#ifndef ASYNCJOBS_BENCH_PEER_SCRIPT
#define ASYNCJOBS_BENCH_PEER_SCRIPT "thread_peer.py"
#endif

namespace {

using namespace asyncjobs_bench;

/// Keeps the compiler from folding a value away (the serial loop of the map figure).
inline void keep(int& value)
{
    asm volatile("" : "+r"(value));
}

// ---------------------------------------------------------------------------------------
// Configuration

struct config : bench_options {
    config() : bench_options(11, ASYNCJOBS_BENCH_PEER_SCRIPT) {}
    std::size_t threads = 2;
    int python_rounds = 3;
};

/// The command line: the options every bench has, --threads and --python-rounds.
po::options_description options(config& c)
{
    po::options_description pool, python;
    pool.add_options()("threads", po::value(&c.threads)->value_name("N")->notifier(at_least_one("--threads")),
                       "threads in every pool (default 2)");
    python.add_options()(
        "python-rounds",
        po::value(&c.python_rounds)->value_name("N")->notifier([&c](int n) { c.python_rounds = std::max(1, n); }),
        "rounds of the Python peer (default 3)");
    po::options_description all;
    all.add(pool)
        .add(figure_options(c, {"bulk", "roundtrip", "chain", "fan", "when_all", "map", "co_await", "co_await_many"}))
        .add(python_options(c))
        .add(python)
        .add(run_options(c));
    return all;
}

// ---------------------------------------------------------------------------------------
// The Boost.Thread executor that raw boost::future::then(ex, fn) needs, over an Asio pool:
// the minimum Boost asks for (close, closed, submit(work&&), try_executing_one).

class asio_boost_executor {
public:
    explicit asio_boost_executor(boost::asio::thread_pool& pool) noexcept : pool_(pool) {}
    asio_boost_executor(const asio_boost_executor&) = delete;
    asio_boost_executor& operator=(const asio_boost_executor&) = delete;

    void close() noexcept { closed_.store(true, std::memory_order_relaxed); }
    bool closed() const noexcept { return closed_.load(std::memory_order_relaxed); }
    void submit(boost::executors::work&& closure)
    {
        boost::asio::post(pool_, [closure = std::move(closure)]() mutable {
            try {
                closure();
            } catch (...) {
                // An exception escaping an Asio handler terminates; Boost's closures store their own.
            }
        });
    }
    bool try_executing_one() noexcept { return false; }

private:
    boost::asio::thread_pool& pool_;
    std::atomic<bool> closed_{false};
};

// ---------------------------------------------------------------------------------------
// The workloads. Each returns the figure of one run in its row's unit.

struct pools {
    explicit pools(std::size_t threads)
        : asio(threads)
        , boost_ex(asio)
        , aj(threads)
#if ASYNCJOBS_BENCH_HAVE_TBB
        , tbb_limit(oneapi::tbb::global_control::max_allowed_parallelism, threads + 1)
        , tbb_arena(static_cast<int>(threads) + 1, 1)
#endif
    {
    }
    boost::asio::thread_pool asio;       // the baselines run here
    asio_boost_executor boost_ex;        // boost::future::then(ex, fn) on that pool
    asyncjobs::thread_pool_executor aj;  // the same number of threads
#if ASYNCJOBS_BENCH_HAVE_TBB
    // oneTBB's own workers, as many, plus a slot for the submitting thread (which then
    // leaves the arena and blocks in std::future::get like the other baselines' callers).
    // oneTBB starts at most hardware_concurrency - 1 workers unless told otherwise.
    oneapi::tbb::global_control tbb_limit;
    oneapi::tbb::task_arena tbb_arena;
#endif
};

// -- 1. submit N no-op tasks, then get all: ns per task ---------------------------------

double bulk_asio_counter(pools& p, std::size_t n)
{
    std::atomic<std::size_t> done{0};
    std::promise<void> all_done;
    auto finished = all_done.get_future();
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < n; ++i)
        boost::asio::post(p.asio, [&done, &all_done, n] {
            if (done.fetch_add(1, std::memory_order_acq_rel) + 1 == n)
                all_done.set_value();
        });
    finished.get();
    return ns_since(start) / static_cast<double>(n);
}

/// Submits n tasks, each with `submit_one()` (which returns its future), then gets every
/// future: ns per task.
template <class Future, class Submit>
double bulk_timed(std::size_t n, Submit submit_one)
{
    std::vector<Future> futures;
    futures.reserve(n);
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < n; ++i)
        futures.push_back(submit_one());
    for (auto& f : futures)
        f.get();
    return ns_since(start) / static_cast<double>(n);
}

/// asio::post of n tasks that each set a `Promise` (std:: or boost::promise<void>), then
/// get every future.
template <class Promise>
double bulk_asio_promise(pools& p, std::size_t n)
{
    return bulk_timed<decltype(Promise().get_future())>(n, [&] {
        Promise promise;
        auto future = promise.get_future();
        boost::asio::post(p.asio, [promise = std::move(promise)]() mutable {
            try {
                promise.set_value();
            } catch (...) {
            }
        });
        return future;
    });
}

double bulk_asio_packaged_task(pools& p, std::size_t n)
{
    return bulk_timed<boost::future<void>>(n, [&] {
        boost::packaged_task<void()> task([] {});
        auto future = task.get_future();
        boost::asio::post(p.asio, [task = std::move(task)]() mutable { task(); });
        return future;
    });
}

#if ASYNCJOBS_BENCH_HAVE_TBB
/// oneTBB calls a task_group's functor through a const reference.
struct tbb_promise_task {
    mutable std::promise<void> promise;
    void operator()() const { promise.set_value(); }
};

/// oneTBB's task_group, the work-stealing scheduler C++ programmers reach for, with a
/// std::promise per task so that the caller holds a future for each as with asyncjobs.
/// The caller submits from inside the arena (a task_arena::execute per task from outside
/// would wait for a free slot each time), then leaves it and waits like the others.
double bulk_tbb_task_group(pools& p, std::size_t n)
{
    oneapi::tbb::task_group group;
    std::vector<std::future<void>> futures;
    futures.reserve(n);
    auto start = bench_clock::now();
    p.tbb_arena.execute([&] {
        for (std::size_t i = 0; i < n; ++i) {
            tbb_promise_task task;
            futures.push_back(task.promise.get_future());
            group.run(std::move(task));
        }
    });
    for (auto& f : futures)
        f.get();
    double ns = ns_since(start) / static_cast<double>(n);
    p.tbb_arena.execute([&] { group.wait(); });
    return ns;
}
#endif

double bulk_asyncjobs(pools& p, std::size_t n)
{
    return bulk_timed<asyncjobs::future<void>>(n, [&] { return p.aj.submit([] {}); });
}

// -- 2. one at a time: submit, get, repeat: us per round trip --------------------------
// A round trip costs about 3 us when the pool thread runs on the caller's CPU and 30-100 us
// when it has to be woken on the other one (an idle vCPU of these VMs wakes slowly), and
// which one happens is the kernel's choice, for whole runs at a time. So every trip is
// timed and classified, asyncjobs and the baseline alternate in batches of 100 trips, and
// the figures are medians per trip: over all trips, and over each kind.

struct trip_samples {
    std::vector<double> all, same_cpu, other_cpu;
    void add(double us, int caller_cpu, int worker_cpu)
    {
        all.push_back(us);
        (caller_cpu == worker_cpu ? same_cpu : other_cpu).push_back(us);
    }
};

void round_trips(pools& p, std::size_t n, int round, sink& out)
{
    constexpr std::size_t batch = 100;
    trip_samples ours, base;
    auto run_ours = [&] {
        for (std::size_t i = 0; i < batch; ++i) {
            int caller = sched_getcpu();
            int worker = -1;
            auto start = bench_clock::now();
            p.aj.submit([&worker] { worker = sched_getcpu(); }).get();
            ours.add(ns_since(start) / 1000.0, caller, worker);
        }
    };
    auto run_base = [&] {
        for (std::size_t i = 0; i < batch; ++i) {
            int caller = sched_getcpu();
            int worker = -1;
            auto start = bench_clock::now();
            std::promise<void> promise;
            auto f = promise.get_future();
            boost::asio::post(p.asio, [promise = std::move(promise), &worker]() mutable {
                worker = sched_getcpu();
                try {
                    promise.set_value();
                } catch (...) {
                }
            });
            f.get();
            base.add(ns_since(start) / 1000.0, caller, worker);
        }
    };
    std::size_t batches = std::max<std::size_t>(1, n / batch);
    for (std::size_t b = 0; b < batches; ++b) {
        if ((b + static_cast<std::size_t>(round)) % 2) {
            run_ours();
            run_base();
        } else {
            run_base();
            run_ours();
        }
    }
    // A kind seen in fewer than 2% of the trips gives no figure.
    auto kind = [&](const std::vector<double>& v, const trip_samples& all) {
        return v.size() * 50 >= all.all.size() ? median(v) : std::nan("");
    };
    out["roundtrip.asyncjobs"] = median(ours.all);
    out["roundtrip.asio_std_promise"] = median(base.all);
    out["roundtrip.asyncjobs.mean"] = mean(ours.all);
    out["roundtrip.asio_std_promise.mean"] = mean(base.all);
    out["roundtrip.asyncjobs.same_cpu"] = kind(ours.same_cpu, ours);
    out["roundtrip.asio_std_promise.same_cpu"] = kind(base.same_cpu, base);
    out["roundtrip.asyncjobs.other_cpu"] = kind(ours.other_cpu, ours);
    out["roundtrip.asio_std_promise.other_cpu"] = kind(base.other_cpu, base);
    out["roundtrip.asyncjobs.other_cpu_share"] = static_cast<double>(ours.other_cpu.size()) / static_cast<double>(ours.all.size());
    out["roundtrip.asio_std_promise.other_cpu_share"] = static_cast<double>(base.other_cpu.size()) / static_cast<double>(base.all.size());
}

// -- 3a. a sequential chain of K continuations on a pending head: ns per continuation ----
// Attaching the whole chain and running it are both timed: the head is released right
// after the last attach, then the end of the chain is awaited.

double chain_boost(pools& p, std::size_t k)
{
    boost::promise<int> head;
    boost::future<int> f = head.get_future();
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < k; ++i)
        f = f.then(p.boost_ex, [](boost::future<int> x) { return x.get() + 1; });
    head.set_value(0);
    int result = f.get();
    double ns = ns_since(start);
    check(result == static_cast<int>(k), "boost chain result");
    return ns / static_cast<double>(k);
}

double chain_asyncjobs(pools& p, std::size_t k)
{
    std::promise<void> gate;
    std::shared_future<void> opened = gate.get_future().share();
    auto f = p.aj.submit([opened] {
        opened.wait();
        return 0;
    });
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < k; ++i)
        f = f.then([](asyncjobs::future<int> x) { return x.get() + 1; });
    gate.set_value();
    int result = f.get();
    double ns = ns_since(start);
    check(result == static_cast<int>(k), "asyncjobs chain result");
    return ns / static_cast<double>(k);
}

// -- 3b. N ready futures, one continuation each: ns per continuation ---------------------
// The inputs on both sides are futures of tasks that already ran on a pool thread.

/// n ready boost futures (values 0..n-1) whose promises were set on `pool`'s threads.
std::vector<boost::future<int>> boost_futures_completed_on(boost::asio::thread_pool& pool, std::size_t n)
{
    std::vector<boost::future<int>> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        boost::promise<int> promise;
        out.push_back(promise.get_future());
        boost::asio::post(pool, [promise = std::move(promise), i]() mutable {
            try {
                promise.set_value(static_cast<int>(i));
            } catch (...) {
            }
        });
    }
    for (auto& f : out)
        f.wait();
    return out;
}


/// Attaches a continuation (`attach(f)`, which returns its future) to each of `ready`,
/// then sums their results (each input + 1): ns per continuation.
template <class Future, class Ready, class Attach>
double fan_timed(std::vector<Ready>& ready, Attach attach, const char* what)
{
    const std::size_t n = ready.size();
    std::vector<Future> continuations;
    continuations.reserve(n);
    auto start = bench_clock::now();
    for (auto& f : ready)
        continuations.push_back(attach(f));
    long long sum = 0;
    for (auto& c : continuations)
        sum += c.get();
    double ns = ns_since(start);
    check(sum == static_cast<long long>(n) * static_cast<long long>(n + 1) / 2, what);
    return ns / static_cast<double>(n);
}

double fan_boost(pools& p, std::size_t n)
{
    std::vector<boost::future<int>> ready = boost_futures_completed_on(p.asio, n);
    return fan_timed<boost::future<int>>(
        ready, [&](boost::future<int>& f) { return f.then(p.boost_ex, [](boost::future<int> x) { return x.get() + 1; }); },
        "boost fan sum");
}

double fan_asyncjobs(pools& p, std::size_t n)
{
    std::vector<asyncjobs::future<int>> ready;
    ready.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        ready.push_back(p.aj.submit([i] { return static_cast<int>(i); }));
    for (auto& f : ready)
        f.wait();
    return fan_timed<asyncjobs::future<int>>(
        ready, [](asyncjobs::future<int>& f) { return f.then([](asyncjobs::future<int> x) { return x.get() + 1; }); },
        "asyncjobs fan sum");
}

// -- 4. when_all of W ready futures: us per call ----------------------------------------
// The inputs are futures of tasks that already ran on the pool (so their states were last
// touched by a pool thread, as in real use); the clock covers building the combinator and
// getting its result. A round's figure is the median call: a call lasts tens of
// microseconds, and a preempted one would otherwise decide the round.

double when_all_boost(pools& p, std::size_t width, std::size_t calls)
{
    std::vector<double> per_call;
    for (std::size_t c = 0; c < calls; ++c) {
        std::vector<boost::future<int>> inputs = boost_futures_completed_on(p.asio, width);
        auto start = bench_clock::now();
        auto all = boost::when_all(inputs.begin(), inputs.end());
        auto results = all.get();
        per_call.push_back(ns_since(start) / 1000.0);
        check(results.size() == width, "boost when_all size");
    }
    return median(per_call);
}

double when_all_asyncjobs(pools& p, std::size_t width, std::size_t calls)
{
    std::vector<double> per_call;
    for (std::size_t c = 0; c < calls; ++c) {
        std::vector<asyncjobs::future<int>> inputs;
        inputs.reserve(width);
        for (std::size_t i = 0; i < width; ++i)
            inputs.push_back(p.aj.submit([i] { return static_cast<int>(i); }));
        for (auto& f : inputs)
            f.wait();
        auto start = bench_clock::now();
        auto all = asyncjobs::when_all(std::move(inputs));
        auto results = all.get();
        per_call.push_back(ns_since(start) / 1000.0);
        check(results.size() == width, "asyncjobs when_all size");
    }
    return median(per_call);
}

// -- 5. map over N no-op ints: ns per item ---------------------------------------------

int noop_int(int x) noexcept
{
    return x;
}

double map_serial(const std::vector<int>& input)
{
    long long sum = 0;
    auto start = bench_clock::now();
    for (int x : input) {
        int r = noop_int(x);
        keep(r);
        sum += r;
    }
    double ns = ns_since(start);
    check(sum == static_cast<long long>(input.size()) * static_cast<long long>(input.size() - 1) / 2, "serial sum");
    return ns / static_cast<double>(input.size());
}

double map_asyncjobs(pools& p, const std::vector<int>& input)
{
    long long sum = 0;
    auto start = bench_clock::now();
    for (int r : p.aj.map([](int x) { return x; }, input))
        sum += r;
    double ns = ns_since(start);
    check(sum == static_cast<long long>(input.size()) * static_cast<long long>(input.size() - 1) / 2, "map sum");
    return ns / static_cast<double>(input.size());
}

// -- 6. co_await from an io_context: ns per await -----------------------------------------
// asyncjobs: co_await async_get(pool.submit(no-op), use_awaitable). Baseline: the least a
// hand-written awaitable operation does for the same trip, a raw asio::post of the no-op to
// an asio::thread_pool and an asio::post of the handler back to the io_context. Sequential
// (one coroutine, one await at a time: latency) and concurrent (many coroutines: throughput).

template <class Token>
auto raw_pool_trip(boost::asio::thread_pool& pool, Token&& token)
{
    return boost::asio::async_initiate<Token, void()>(
        [&pool](auto handler) {
            // The io_context counts this as work until the post back has returned: otherwise
            // its run() may return, and the io_context die, while this pool thread is still
            // inside post (signalling its condition variable after the unlock: TSan saw it).
            auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
            boost::asio::post(pool, [handler = std::move(handler), work = std::move(work)]() mutable {
                boost::asio::post(work.get_executor(), std::move(handler));
                work.reset();
            });
        },
        token);
}

/// `coroutines` coroutines on one io_context (run by this thread), each awaiting `awaits`
/// trips made by `trip`; ns per await.
template <class Trip>
double co_await_trips(std::size_t coroutines, std::size_t awaits, Trip trip)
{
    boost::asio::io_context io(1);
    std::size_t done = 0;
    auto start = bench_clock::now();
    for (std::size_t c = 0; c < coroutines; ++c)
        boost::asio::co_spawn(
            io,
            [&]() -> boost::asio::awaitable<void> {
                for (std::size_t i = 0; i < awaits; ++i)
                    co_await trip();
                ++done;
            },
            boost::asio::detached);
    io.run();
    double ns = ns_since(start);
    check(done == coroutines, "co_await coroutines");
    return ns / static_cast<double>(coroutines * awaits);
}

double co_await_asyncjobs(pools& p, std::size_t coroutines, std::size_t awaits)
{
    return co_await_trips(coroutines, awaits,
                          [&] { return asyncjobs::async_get(p.aj.submit([] {}), boost::asio::use_awaitable); });
}

double co_await_raw_asio(pools& p, std::size_t coroutines, std::size_t awaits)
{
    return co_await_trips(coroutines, awaits, [&] { return raw_pool_trip(p.asio, boost::asio::use_awaitable); });
}

// ---------------------------------------------------------------------------------------
// Rows

struct row_def {
    std::string group;
    std::string key;
    std::string figure;
    std::string unit;
    std::string ours;          // sample key of asyncjobs' variant
    std::string base;          // sample key of the baseline
    std::string baseline;      // what the baseline is
    double target = 0;         // ratio must be <= target; 0: no target (context)
    std::string target_text;
    std::string python_key;    // figure of thread_peer.py in the same unit; "" if none
};

struct row {
    row_def def;
    double ours = 0, base = 0;
    paired_ratios ratio;  // asyncjobs / baseline
    std::vector<double> ours_samples, base_samples;
    std::optional<double> python;
    bool has_target() const { return def.target > 0; }
    bool pass() const { return !has_target() || ratio.median <= def.target; }
};

/// The figures of thread_peer.py in the units of our rows.
const char* const python_keys[] = {"submit_bulk_ns_per_task", "round_trip_us", "map_ns_per_item"};

// ---------------------------------------------------------------------------------------
// Output

std::string python_cell(const row& r)
{
    if (!r.python || std::isnan(r.ours))
        return r.def.python_key.empty() ? "" : "-";
    double speedup = *r.python / r.ours;
    char buf[32];
    std::snprintf(buf, sizeof buf, speedup >= 10 ? "%.0fx" : "%.1fx", speedup);
    return format_value(*r.python, r.def.unit) + " (" + buf + ")";
}

std::string result_cell(const row& r)
{
    if (!r.has_target())
        return "info";
    return r.pass() ? "PASS" : "MISS";
}

std::string spread_cell(const row& r)
{
    if (std::isnan(r.ratio.min))
        return "-";
    return format_ratio(r.ratio.min) + "-" + format_ratio(r.ratio.max);
}

std::string describe_setup(const config& c, const python_peer& py)
{
    std::string s = setup_text(c, c.threads, "thread");
    if (!py.version().empty())
        s += "; Python " + py.version();
#if ASYNCJOBS_BENCH_HAVE_TBB
    s += "; oneTBB " + std::to_string(TBB_VERSION_MAJOR) + "." + std::to_string(TBB_VERSION_MINOR);
#else
    s += "; no oneTBB row (libtbb-dev missing at build time, or a ThreadSanitizer build)";
#endif
    return s;
}

/// The columns of the text and Markdown tables, and a row's cells.
const std::vector<column> table_columns = {
    {"figure", -46},
    {"compared with", -35},
    {"asyncjobs", 12, true, true},
    {"baseline", 12, true, true},
    {"ratio", 9, true, true},
    {"[min-max]", -15, false},
    {"target", -8},
    {"result", -6},
    {"Python ThreadPoolExecutor (our speedup)", 0, true, false, nullptr, 2},
};

table_row cells(const row& r)
{
    return {r.def.figure,
            r.def.baseline,
            format_value(r.ours, r.def.unit),
            format_value(r.base, r.def.unit),
            format_ratio(r.ratio.median),
            "[" + spread_cell(r) + "]",
            r.def.target_text.empty() ? "-" : r.def.target_text,
            result_cell(r),
            python_cell(r)};
}

/// The text table (write_outputs adds the Python note under it).
void print_text(const std::vector<row>& rows, const config& c, const python_peer& py)
{
    std::printf("\nasyncjobs thread_pool_executor vs baselines (%s)\n", describe_setup(c, py).c_str());
    std::printf("ratio = asyncjobs / baseline, lower is better (median of per-round ratios; min-max in brackets)\n\n");
    print_table(table_columns, rows, cells, 196);
}

/// The Markdown table, for the README (write_outputs adds the Python note under it).
std::string markdown_table(const std::vector<row>& rows, const config& c, const python_peer& py)
{
    return "Measured by `apps/bench/update_readme_table.sh` (`bench_thread_pool`: " + describe_setup(c, py) +
           "). Each baseline runs on a `boost::asio::thread_pool` with the same number of threads, "
           "in the same run; ratio = asyncjobs / baseline, lower is better.\n\n" +
           markdown_rows(table_columns, rows, cells);
}

std::string json_report(const std::vector<row>& rows, const sample_map& samples, const config& c, const python_peer& py)
{
    auto figures = json_figures(rows, [](const row& r, boost::json::object& f) {
        f["baseline"] = r.def.baseline;
        f["asyncjobs"] = json_number(r.ours);
        f["baseline_value"] = json_number(r.base);
        f["ratio"] = json_number(r.ratio.median);
        f["ratio_min"] = json_number(r.ratio.min);
        f["ratio_max"] = json_number(r.ratio.max);
        f["target_ratio_at_most"] = r.has_target() ? json_number(r.def.target) : nullptr;
        f["result"] = result_cell(r);
        f["python"] = r.python ? json_number(*r.python) : nullptr;
        f["asyncjobs_samples"] = json_array(r.ours_samples);
        f["baseline_samples"] = json_array(r.base_samples);
    });
    return asyncjobs_bench::json_report("bench_thread_pool", describe_setup(c, py), "threads", c.threads, c,
                                        std::move(figures), samples, py.note(), "python_peer",
                                        py.outputs().empty() ? nullptr : peer_json(py.outputs().front()));
}

// ---------------------------------------------------------------------------------------

int run(const config& c)
{
    const std::size_t bulk_n = c.scaled(100000);
    const std::size_t trips = c.scaled(5000);
    const std::size_t chain_k = c.scaled(10000);
    const std::size_t fan_n = c.scaled(20000);
    const std::size_t when_all_width = 1000;
    const std::size_t when_all_calls = c.scaled(20);
    const std::size_t map_n = c.scaled(1000000);
    const std::size_t awaits = c.scaled(5000);
    const std::size_t many_coroutines = 1000;
    const std::size_t many_awaits = c.scaled(20);

    pools p(c.threads);
    std::vector<int> map_input(map_n);
    for (std::size_t i = 0; i < map_n; ++i)
        map_input[i] = static_cast<int>(i);

    std::vector<group> groups = {
        {"bulk",
         {{"bulk.asyncjobs", [&] { return bulk_asyncjobs(p, bulk_n); }},
          {"bulk.asio_std_promise", [&] { return bulk_asio_promise<std::promise<void>>(p, bulk_n); }},
          {"bulk.asio_boost_promise", [&] { return bulk_asio_promise<boost::promise<void>>(p, bulk_n); }},
          {"bulk.asio_packaged_task", [&] { return bulk_asio_packaged_task(p, bulk_n); }},
          {"bulk.asio_counter", [&] { return bulk_asio_counter(p, bulk_n); }},
#if ASYNCJOBS_BENCH_HAVE_TBB
          {"bulk.tbb_task_group", [&] { return bulk_tbb_task_group(p, bulk_n); }},
#endif
         }},
        {"roundtrip", {variant([&](int round, sink& out) { round_trips(p, trips, round, out); })}},
        {"chain",
         {{"chain.asyncjobs", [&] { return chain_asyncjobs(p, chain_k); }},
          {"chain.boost", [&] { return chain_boost(p, chain_k); }}}},
        {"fan",
         {{"fan.asyncjobs", [&] { return fan_asyncjobs(p, fan_n); }},
          {"fan.boost", [&] { return fan_boost(p, fan_n); }}}},
        {"when_all",
         {{"when_all.asyncjobs", [&] { return when_all_asyncjobs(p, when_all_width, when_all_calls); }},
          {"when_all.boost", [&] { return when_all_boost(p, when_all_width, when_all_calls); }}}},
        {"map",
         {{"map.asyncjobs", [&] { return map_asyncjobs(p, map_input); }},
          {"map.serial", [&] { return map_serial(map_input); }}}},
        {"co_await",
         {{"co_await.asyncjobs", [&] { return co_await_asyncjobs(p, 1, awaits); }},
          {"co_await.raw_asio", [&] { return co_await_raw_asio(p, 1, awaits); }}}},
        {"co_await_many",
         {{"co_await_many.asyncjobs", [&] { return co_await_asyncjobs(p, many_coroutines, many_awaits); }},
          {"co_await_many.raw_asio", [&] { return co_await_raw_asio(p, many_coroutines, many_awaits); }}}},
    };

    const std::string bulk_fig = "submit " + with_commas(bulk_n) + " no-op tasks, then get all";
    std::vector<row_def> defs = {
        {"bulk", "submit_bulk", bulk_fig, "ns/task", "bulk.asyncjobs", "bulk.asio_std_promise",
         "asio::post + std::promise", 1.5, "<= 1.50x", "submit_bulk_ns_per_task"},
        {"bulk", "submit_bulk_vs_boost_promise", bulk_fig, "ns/task", "bulk.asyncjobs", "bulk.asio_boost_promise",
         "asio::post + boost::promise", 0, "", ""},
        {"bulk", "submit_bulk_vs_packaged_task", bulk_fig, "ns/task", "bulk.asyncjobs", "bulk.asio_packaged_task",
         "asio::post + boost::packaged_task", 0, "", ""},
        {"bulk", "submit_bulk_vs_no_future", bulk_fig, "ns/task", "bulk.asyncjobs", "bulk.asio_counter",
         "asio::post, no future (counter)", 1.25, "<= 1.25x", ""},
#if ASYNCJOBS_BENCH_HAVE_TBB
        {"bulk", "submit_bulk_vs_tbb", bulk_fig, "ns/task", "bulk.asyncjobs", "bulk.tbb_task_group",
         "oneTBB task_group + std::promise", 0, "", ""},
#endif
        {"roundtrip", "round_trip", "one at a time: submit, get (median trip)", "us", "roundtrip.asyncjobs",
         "roundtrip.asio_std_promise", "asio::post + std::promise", 0, "", "round_trip_us"},
        {"roundtrip", "round_trip_same_cpu", "  ... trips run on the caller's CPU", "us",
         "roundtrip.asyncjobs.same_cpu", "roundtrip.asio_std_promise.same_cpu", "asio::post + std::promise", 0, "", ""},
        {"roundtrip", "round_trip_other_cpu", "  ... trips woken on the other CPU", "us",
         "roundtrip.asyncjobs.other_cpu", "roundtrip.asio_std_promise.other_cpu", "asio::post + std::promise", 0, "",
         ""},
        {"chain", "then_chain", ".then: chain of " + with_commas(chain_k) + " continuations", "ns/cont",
         "chain.asyncjobs", "chain.boost", "boost::future::then(asio ex, fn)", 1.25, "<= 1.25x", ""},
        {"fan", "then_fan", ".then: " + with_commas(fan_n) + " ready futures x 1 continuation", "ns/cont",
         "fan.asyncjobs", "fan.boost", "boost::future::then(asio ex, fn)", 1.25, "<= 1.25x", ""},
        {"when_all", "when_all", "when_all of " + with_commas(when_all_width) + " ready futures", "us/call",
         "when_all.asyncjobs", "when_all.boost", "boost::when_all (a thread per call)", 0.1, "<= 0.10x", ""},
        {"map", "map", "map over " + with_commas(map_n) + " no-op ints, auto chunksize", "ns/item", "map.asyncjobs",
         "map.serial", "serial loop, same function", 0, "", "map_ns_per_item"},
        {"co_await", "co_await_async_get", "co_await async_get(no-op task), one coroutine", "ns/await",
         "co_await.asyncjobs", "co_await.raw_asio", "post to asio pool + post back", 1.5, "<= 1.50x", ""},
        {"co_await_many", "co_await_async_get_many",
         "  ... " + with_commas(many_coroutines) + " coroutines awaiting at once", "ns/await",
         "co_await_many.asyncjobs", "co_await_many.raw_asio", "post to asio pool + post back", 0, "", ""},
    };

    auto start = bench_clock::now();
    sample_map samples = run_rounds(groups, c, start);

    python_peer py(c, c.threads, c.python_rounds);
    sink python_figures;
    if (py.enabled()) {
        if (!c.quiet)
            std::fprintf(stderr, "running the Python peer: %s\n", py.command().c_str());
        python_figures = py.run(python_keys).value_or(sink{});
    }

    auto rows = make_rows<row>(defs, c, samples, [&](row& r) {
        r.base_samples = samples[r.def.base];
        r.ours = median(r.ours_samples);
        r.base = median(r.base_samples);
        r.ratio = pair_up(r.ours_samples, r.base_samples, [](double ours, double base) { return ours / base; });
        if (auto it = python_figures.find(r.def.python_key); it != python_figures.end())
            r.python = it->second;
    });

    write_outputs(
        c, markdown_table(rows, c, py), [&] { print_text(rows, c, py); },
        [&] { return json_report(rows, samples, c, py); }, py.note(), start);

    bool all_pass = std::all_of(rows.begin(), rows.end(), [](const row& r) { return r.pass(); });
    return c.check_targets && !all_pass ? 1 : 0;
}

} // namespace

int main(int argc, char** argv)
{
    config c;
    return bench_main(argc, argv, "bench_thread_pool", options(c), [&] { return run(c); });
}
