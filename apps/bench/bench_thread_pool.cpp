// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// bench_thread_pool: what a no-op task, a continuation, a when_all and a map item cost on
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

#include "harness.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/thread/executors/work.hpp>
#include <boost/thread/future.hpp>
#include <boost/version.hpp>

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
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

struct config {
    std::size_t threads = 2;
    int rounds = 11;
    double scale = 1.0;
    std::vector<std::string> only;  // figure groups to run; empty = all
    std::optional<std::string> json_path;
    std::optional<std::string> markdown_path;
    bool markdown_stdout = false;
    enum class python_mode { automatic, required, off } python = python_mode::automatic;
    std::string python_exe = "python3";
    std::string peer_script = ASYNCJOBS_BENCH_PEER_SCRIPT;
    int python_rounds = 3;
    bool check_targets = false;
    bool quiet = false;

    std::size_t scaled(std::size_t n) const
    {
        return std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(static_cast<double>(n) * scale)));
    }
    bool wants(const std::string& group) const
    {
        return only.empty() || std::find(only.begin(), only.end(), group) != only.end();
    }
};

const char* usage_text =
    "usage: bench_thread_pool [options]\n"
    "  --threads N        threads in every pool (default 2)\n"
    "  --rounds N         measured rounds; figures are medians over them (default 11)\n"
    "  --scale X          multiply every task count by X (default 1)\n"
    "  --only LIST        comma-separated groups: bulk,roundtrip,chain,fan,when_all,map\n"
    "  --json FILE        write every figure, sample and ratio as JSON\n"
    "  --markdown         print the table as Markdown (for the README) instead of text\n"
    "  --markdown-out FILE  also write the Markdown table to FILE\n"
    "  --python           require the Python peer (fail if python3 is missing)\n"
    "  --no-python        skip the Python peer (default: run it when python3 is on PATH)\n"
    "  --python-exe PATH  interpreter for the peer (default python3)\n"
    "  --peer-script PATH thread_peer.py to run (default: the one in the source tree)\n"
    "  --python-rounds N  rounds of the Python peer (default 3)\n"
    "  --check            exit with status 1 if a figure misses its target\n"
    "  --quiet            no progress on stderr\n";

config parse_args(int argc, char** argv)
{
    config c;
    auto value = [&](int& i) -> std::string {
        if (i + 1 >= argc)
            throw std::invalid_argument(std::string(argv[i]) + " needs a value");
        return argv[++i];
    };
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--threads") {
            c.threads = static_cast<std::size_t>(std::stoul(value(i)));
            if (c.threads == 0)
                throw std::invalid_argument("--threads must be at least 1");
        } else if (a == "--rounds") {
            c.rounds = std::max(1, std::stoi(value(i)));
        } else if (a == "--scale") {
            c.scale = std::stod(value(i));
            if (!(c.scale > 0))
                throw std::invalid_argument("--scale must be positive");
        } else if (a == "--only") {
            std::stringstream list(value(i));
            for (std::string item; std::getline(list, item, ',');) {
                static const char* const groups[] = {"bulk", "roundtrip", "chain", "fan", "when_all", "map"};
                if (std::find(std::begin(groups), std::end(groups), item) == std::end(groups))
                    throw std::invalid_argument("--only: unknown group '" + item + "'");
                c.only.push_back(item);
            }
        } else if (a == "--json") {
            c.json_path = value(i);
        } else if (a == "--markdown") {
            c.markdown_stdout = true;
        } else if (a == "--markdown-out") {
            c.markdown_path = value(i);
        } else if (a == "--python") {
            c.python = config::python_mode::required;
        } else if (a == "--no-python") {
            c.python = config::python_mode::off;
        } else if (a == "--python-exe") {
            c.python_exe = value(i);
        } else if (a == "--peer-script") {
            c.peer_script = value(i);
        } else if (a == "--python-rounds") {
            c.python_rounds = std::max(1, std::stoi(value(i)));
        } else if (a == "--check") {
            c.check_targets = true;
        } else if (a == "--quiet") {
            c.quiet = true;
        } else if (a == "--help" || a == "-h") {
            std::fputs(usage_text, stdout);
            std::exit(0);
        } else {
            throw std::invalid_argument("unknown option " + a);
        }
    }
    return c;
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
    explicit pools(std::size_t threads) : asio(threads), boost_ex(asio), aj(threads) {}
    boost::asio::thread_pool asio;       // the baselines run here
    asio_boost_executor boost_ex;        // boost::future::then(ex, fn) on that pool
    asyncjobs::thread_pool_executor aj;  // the same number of threads
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

double bulk_asio_std_promise(pools& p, std::size_t n)
{
    std::vector<std::future<void>> futures;
    futures.reserve(n);
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
        std::promise<void> promise;
        futures.push_back(promise.get_future());
        boost::asio::post(p.asio, [promise = std::move(promise)]() mutable {
            try {
                promise.set_value();
            } catch (...) {
            }
        });
    }
    for (auto& f : futures)
        f.get();
    return ns_since(start) / static_cast<double>(n);
}

double bulk_asio_boost_promise(pools& p, std::size_t n)
{
    std::vector<boost::future<void>> futures;
    futures.reserve(n);
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
        boost::promise<void> promise;
        futures.push_back(promise.get_future());
        boost::asio::post(p.asio, [promise = std::move(promise)]() mutable {
            try {
                promise.set_value();
            } catch (...) {
            }
        });
    }
    for (auto& f : futures)
        f.get();
    return ns_since(start) / static_cast<double>(n);
}

double bulk_asio_packaged_task(pools& p, std::size_t n)
{
    std::vector<boost::future<void>> futures;
    futures.reserve(n);
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
        boost::packaged_task<void()> task([] {});
        futures.push_back(task.get_future());
        boost::asio::post(p.asio, [task = std::move(task)]() mutable { task(); });
    }
    for (auto& f : futures)
        f.get();
    return ns_since(start) / static_cast<double>(n);
}

double bulk_asyncjobs(pools& p, std::size_t n)
{
    std::vector<asyncjobs::future<void>> futures;
    futures.reserve(n);
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < n; ++i)
        futures.push_back(p.aj.submit([] {}));
    for (auto& f : futures)
        f.get();
    return ns_since(start) / static_cast<double>(n);
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

using sink = std::map<std::string, double>;

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


double fan_boost(pools& p, std::size_t n)
{
    std::vector<boost::future<int>> ready = boost_futures_completed_on(p.asio, n);
    std::vector<boost::future<int>> continuations;
    continuations.reserve(n);
    auto start = bench_clock::now();
    for (auto& f : ready)
        continuations.push_back(f.then(p.boost_ex, [](boost::future<int> x) { return x.get() + 1; }));
    long long sum = 0;
    for (auto& c : continuations)
        sum += c.get();
    double ns = ns_since(start);
    check(sum == static_cast<long long>(n) * static_cast<long long>(n + 1) / 2, "boost fan sum");
    return ns / static_cast<double>(n);
}

double fan_asyncjobs(pools& p, std::size_t n)
{
    std::vector<asyncjobs::future<int>> ready;
    ready.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        ready.push_back(p.aj.submit([i] { return static_cast<int>(i); }));
    for (auto& f : ready)
        f.wait();
    std::vector<asyncjobs::future<int>> continuations;
    continuations.reserve(n);
    auto start = bench_clock::now();
    for (auto& f : ready)
        continuations.push_back(f.then([](asyncjobs::future<int> x) { return x.get() + 1; }));
    long long sum = 0;
    for (auto& c : continuations)
        sum += c.get();
    double ns = ns_since(start);
    check(sum == static_cast<long long>(n) * static_cast<long long>(n + 1) / 2, "asyncjobs fan sum");
    return ns / static_cast<double>(n);
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

// ---------------------------------------------------------------------------------------
// Rounds, samples, statistics

struct variant {
    /// One sample under `key`: the figure `run` returns.
    variant(std::string k, std::function<double()> r) : key(std::move(k)), run(std::move(r)) {}
    /// Several samples at once (round trips); gets the round number.
    explicit variant(std::function<void(int, sink&)> r) : run_many(std::move(r)) {}

    std::string key;
    std::function<double()> run;
    std::function<void(int, sink&)> run_many;
};

struct group {
    std::string name;
    std::vector<variant> variants;
};

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
    double ratio = 0, ratio_min = 0, ratio_max = 0;
    std::vector<double> ours_samples, base_samples, ratio_samples;
    std::optional<double> python;
    bool has_target() const { return def.target > 0; }
    bool pass() const { return !has_target() || ratio <= def.target; }
};

// ---------------------------------------------------------------------------------------
// Python peer

struct python_result {
    std::string json;
    std::string version;
    std::map<std::string, double> figures;
};

std::optional<python_result> run_python_peer(const config& c, std::string& note)
{
    if (c.python == config::python_mode::off) {
        note = "Python peer skipped (--no-python)";
        return std::nullopt;
    }
    auto fail = [&](const std::string& why) -> std::optional<python_result> {
        if (c.python == config::python_mode::required)
            throw std::runtime_error(why);
        note = why + "; Python column left empty";
        return std::nullopt;
    };
    auto exe = find_on_path(c.python_exe);
    if (!exe)
        return fail(c.python_exe + " not found on PATH");
    if (access(c.peer_script.c_str(), R_OK) != 0)
        return fail("peer script " + c.peer_script + " not readable");
    std::ostringstream cmd;
    cmd << shell_quote(*exe) << ' ' << shell_quote(c.peer_script) << " --workers " << c.threads << " --rounds "
        << c.python_rounds << " --scale " << c.scale;
    if (!c.quiet)
        std::fprintf(stderr, "running the Python peer: %s\n", cmd.str().c_str());
    std::fflush(nullptr);
    FILE* pipe = popen(cmd.str().c_str(), "r");
    if (!pipe)
        return fail("could not start " + *exe);
    python_result r;
    char buf[4096];
    for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
        r.json.append(buf, got);
    int status = pclose(pipe);
    if (status != 0)
        return fail("the Python peer failed (status " + std::to_string(status) + ")");
    auto figures_at = r.json.find("\"figures\"");
    std::string figures = figures_at == std::string::npos ? std::string() : r.json.substr(figures_at);
    for (const char* key : {"submit_bulk_ns_per_task", "round_trip_us", "map_ns_per_item"})
        if (auto v = json_number(figures, key))
            r.figures[key] = *v;
    if (r.figures.empty())
        return fail("the Python peer printed no figures");
    auto v = r.json.find("\"python\"");
    if (v != std::string::npos) {
        auto q1 = r.json.find('"', r.json.find(':', v) + 1);
        auto q2 = q1 == std::string::npos ? q1 : r.json.find('"', q1 + 1);
        if (q2 != std::string::npos)
            r.version = r.json.substr(q1 + 1, q2 - q1 - 1);
    }
    return r;
}

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
    if (std::isnan(r.ratio_min))
        return "-";
    return format_ratio(r.ratio_min) + "-" + format_ratio(r.ratio_max);
}

std::string describe_setup(const config& c, const std::optional<python_result>& py)
{
    std::ostringstream s;
    s << c.threads << (c.threads == 1 ? " thread" : " threads") << " per pool, median of " << c.rounds
      << (c.rounds == 1 ? " round" : " rounds");
    if (c.scale != 1.0)
        s << ", scale " << c.scale;
    s << "; " <<
#if defined(__clang__)
        "clang++ " << __clang_major__ << "." << __clang_minor__
#else
        "g++ " << __GNUC__ << "." << __GNUC_MINOR__
#endif
      << ", Boost " << BOOST_VERSION / 100000 << "." << BOOST_VERSION / 100 % 1000 << ", "
      << std::thread::hardware_concurrency() << " hardware threads";
    if (py)
        s << "; Python " << py->version;
    return s.str();
}

void print_text(const std::vector<row>& rows, const config& c, const std::optional<python_result>& py,
                const std::string& python_note)
{
    std::printf("\nasyncjobs thread_pool_executor vs baselines (%s)\n", describe_setup(c, py).c_str());
    std::printf("ratio = asyncjobs / baseline, lower is better (median of per-round ratios; min-max in brackets)\n\n");
    std::printf("%-46s %-35s %12s %12s %9s %-15s %-8s %-6s  %s\n", "figure", "compared with", "asyncjobs", "baseline",
                "ratio", "[min-max]", "target", "result", "Python ThreadPoolExecutor (our speedup)");
    std::printf("%s\n", std::string(196, '-').c_str());
    for (auto& r : rows) {
        std::printf("%-46s %-35s %12s %12s %9s %-15s %-8s %-6s  %s\n", r.def.figure.c_str(), r.def.baseline.c_str(),
                    format_value(r.ours, r.def.unit).c_str(), format_value(r.base, r.def.unit).c_str(),
                    format_ratio(r.ratio).c_str(), ("[" + spread_cell(r) + "]").c_str(),
                    r.def.target_text.c_str(), result_cell(r).c_str(), python_cell(r).c_str());
    }
    if (!python_note.empty())
        std::printf("\nnote: %s\n", python_note.c_str());
    std::printf("\n");
}

std::string markdown_table(const std::vector<row>& rows, const config& c, const std::optional<python_result>& py,
                           const std::string& python_note)
{
    std::ostringstream md;
    md << "Measured by `apps/bench/update_readme_table.sh` (`bench_thread_pool`: " << describe_setup(c, py)
       << "). Each baseline runs on a `boost::asio::thread_pool` with the same number of threads, "
          "in the same run; ratio = asyncjobs / baseline, lower is better.\n\n";
    md << "| figure | compared with | asyncjobs | baseline | ratio | target | result | Python ThreadPoolExecutor (our speedup) |\n";
    md << "|---|---|---:|---:|---:|---|---|---|\n";
    for (auto& r : rows) {
        md << "| " << r.def.figure << " | " << r.def.baseline << " | " << format_value(r.ours, r.def.unit) << " | "
           << format_value(r.base, r.def.unit) << " | " << format_ratio(r.ratio) << " | "
           << (r.def.target_text.empty() ? "-" : r.def.target_text) << " | " << result_cell(r) << " | "
           << (python_cell(r).empty() ? "" : python_cell(r)) << " |\n";
    }
    if (!python_note.empty())
        md << "\n" << python_note << ".\n";
    return md.str();
}

void write_json(const std::string& path, const std::vector<row>& rows, const std::map<std::string, std::vector<double>>& samples,
                const config& c, const std::optional<python_result>& py, const std::string& python_note)
{
    std::ostringstream j;
    std::time_t now = std::time(nullptr);
    char when[64];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    j << "{\n  \"benchmark\": \"bench_thread_pool\",\n  \"date\": \"" << when << "\",\n";
    j << "  \"setup\": \"" << json_escape(describe_setup(c, py)) << "\",\n";
    j << "  \"threads\": " << c.threads << ",\n  \"rounds\": " << c.rounds << ",\n  \"scale\": " << c.scale << ",\n";
    j << "  \"hardware_concurrency\": " << std::thread::hardware_concurrency() << ",\n";
    j << "  \"compiler\": \"" << json_escape(__VERSION__) << "\",\n  \"boost\": \"" << BOOST_LIB_VERSION << "\",\n";
    j << "  \"figures\": [\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto& r = rows[i];
        j << "    {\"key\": \"" << r.def.key << "\", \"figure\": \"" << json_escape(r.def.figure) << "\", \"unit\": \""
          << r.def.unit << "\", \"baseline\": \"" << json_escape(r.def.baseline) << "\",\n"
          << "     \"asyncjobs\": " << json_number_text(r.ours) << ", \"baseline_value\": " << json_number_text(r.base)
          << ", \"ratio\": " << json_number_text(r.ratio) << ", \"ratio_min\": " << json_number_text(r.ratio_min)
          << ", \"ratio_max\": " << json_number_text(r.ratio_max) << ",\n"
          << "     \"target_ratio_at_most\": " << (r.has_target() ? json_number_text(r.def.target) : "null")
          << ", \"result\": \"" << result_cell(r) << "\", \"python\": "
          << (r.python ? json_number_text(*r.python) : "null") << ",\n"
          << "     \"asyncjobs_samples\": " << json_array(r.ours_samples)
          << ", \"baseline_samples\": " << json_array(r.base_samples) << "}" << (i + 1 < rows.size() ? "," : "")
          << "\n";
    }
    j << "  ],\n  \"samples\": {";
    bool first = true;
    for (auto& [key, values] : samples) {
        j << (first ? "\n" : ",\n") << "    \"" << json_escape(key) << "\": " << json_array(values);
        first = false;
    }
    j << "\n  },\n  \"python_note\": \"" << json_escape(python_note) << "\",\n  \"python_peer\": ";
    if (py) {
        std::string raw = py->json;
        while (!raw.empty() && (raw.back() == '\n' || raw.back() == ' '))
            raw.pop_back();
        j << raw;
    } else {
        j << "null";
    }
    j << "\n}\n";
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f)
        throw std::runtime_error("cannot write " + path);
    std::fputs(j.str().c_str(), f);
    std::fclose(f);
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

    pools p(c.threads);
    std::vector<int> map_input(map_n);
    for (std::size_t i = 0; i < map_n; ++i)
        map_input[i] = static_cast<int>(i);

    auto with_commas = [](std::size_t n) {
        std::string digits = std::to_string(n), out;
        for (std::size_t i = 0; i < digits.size(); ++i) {
            if (i && (digits.size() - i) % 3 == 0)
                out += ',';
            out += digits[i];
        }
        return out;
    };

    std::vector<group> groups = {
        {"bulk",
         {{"bulk.asyncjobs", [&] { return bulk_asyncjobs(p, bulk_n); }},
          {"bulk.asio_std_promise", [&] { return bulk_asio_std_promise(p, bulk_n); }},
          {"bulk.asio_boost_promise", [&] { return bulk_asio_boost_promise(p, bulk_n); }},
          {"bulk.asio_packaged_task", [&] { return bulk_asio_packaged_task(p, bulk_n); }},
          {"bulk.asio_counter", [&] { return bulk_asio_counter(p, bulk_n); }}}},
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
         "asio::post, no future (counter)", 0, "", ""},
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
    };

    std::vector<group*> active;
    for (auto& g : groups)
        if (c.wants(g.name))
            active.push_back(&g);
    if (active.empty())
        throw std::invalid_argument("--only selects no figure group");

    std::map<std::string, std::vector<double>> samples;
    auto start = bench_clock::now();
    // Round 0 warms up (threads started, allocator pools grown, code paged in) and is dropped.
    for (int round = 0; round <= c.rounds; ++round) {
        if (!c.quiet)
        {
            if (round == 0)
                std::fputs("warm-up round", stderr);
            else
                std::fprintf(stderr, "round %d/%d", round, c.rounds);
        }
        for (auto* g : active) {
            auto n = g->variants.size();
            for (std::size_t k = 0; k < n; ++k) {
                auto& v = g->variants[(k + static_cast<std::size_t>(round)) % n];
                sink out;
                if (v.run_many)
                    v.run_many(round, out);
                else
                    out[v.key] = v.run();
                if (round > 0)
                    for (auto& [key, value] : out)
                        samples[key].push_back(value);
            }
            if (!c.quiet)
                std::fprintf(stderr, " %s", g->name.c_str());
        }
        if (!c.quiet)
            std::fprintf(stderr, " (%.1f s)\n", ns_since(start) / 1e9);
    }

    std::string python_note;
    auto py = run_python_peer(c, python_note);

    std::vector<row> rows;
    for (auto& d : defs) {
        if (!c.wants(d.group))
            continue;
        row r;
        r.def = d;
        r.ours_samples = samples[d.ours];
        r.base_samples = samples[d.base];
        for (std::size_t i = 0; i < r.ours_samples.size() && i < r.base_samples.size(); ++i)
            if (!std::isnan(r.ours_samples[i]) && !std::isnan(r.base_samples[i]))
                r.ratio_samples.push_back(r.ours_samples[i] / r.base_samples[i]);
        r.ours = median(r.ours_samples);
        r.base = median(r.base_samples);
        r.ratio = median(r.ratio_samples);
        r.ratio_min = r.ratio_samples.empty() ? std::nan("")
                                              : *std::min_element(r.ratio_samples.begin(), r.ratio_samples.end());
        r.ratio_max = r.ratio_samples.empty() ? std::nan("")
                                              : *std::max_element(r.ratio_samples.begin(), r.ratio_samples.end());
        if (py && !d.python_key.empty()) {
            auto it = py->figures.find(d.python_key);
            if (it != py->figures.end())
                r.python = it->second;
        }
        rows.push_back(std::move(r));
    }

    if (c.markdown_stdout)
        std::fputs(markdown_table(rows, c, py, python_note).c_str(), stdout);
    else
        print_text(rows, c, py, python_note);
    if (c.markdown_path) {
        FILE* f = std::fopen(c.markdown_path->c_str(), "w");
        if (!f)
            throw std::runtime_error("cannot write " + *c.markdown_path);
        std::fputs(markdown_table(rows, c, py, python_note).c_str(), f);
        std::fclose(f);
    }
    if (c.json_path)
        write_json(*c.json_path, rows, samples, c, py, python_note);
    if (!c.quiet)
        std::fprintf(stderr, "total %.1f s\n", ns_since(start) / 1e9);

    bool all_pass = std::all_of(rows.begin(), rows.end(), [](const row& r) { return r.pass(); });
    return c.check_targets && !all_pass ? 1 : 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(parse_args(argc, argv));
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "bench_thread_pool: %s\n%s", e.what(), usage_text);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_thread_pool: %s\n", e.what());
        return 1;
    }
}
