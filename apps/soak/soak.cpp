// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// soak: mixed workloads on a thread pool and a process pool for minutes or hours, under
// random faults, verifying every result.
//
//   soak --minutes 10 --workers 3 --seed 1      (or --seconds 5 for a smoke run)
//
// Workloads: submit batches collected with as_completed / wait / get, map, then chains,
// when_all; tasks that sleep, compute, echo payloads of random size up to 4 MB, throw.
// Faults: a thread SIGKILLs random process workers from outside; tasks abort or _exit;
// task timeouts; cancel; cancel_and_kill; pools shut down (with and without
// cancel_futures) and recreated. A result is lost when a future that should have
// succeeded did not (a worker_crashed by SIGKILL on a process pool is a casualty of the
// killer, counted apart), or when any future is not ready within two minutes. Exits 0
// only when nothing was lost and every failure was the expected one.
#include <asyncjobs/asyncjobs.hpp>

#include <boost/program_options.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace soak {

// --- tasks (registered: the process pool's workers are this program re-executed) ------

std::uint64_t mix(std::uint64_t seed, std::uint32_t rounds)
{
    std::uint64_t x = seed;
    for (std::uint32_t i = 0; i < rounds; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        x ^= x >> 29;
    }
    return x;
}
std::uint64_t mix_one(std::uint64_t seed) { return mix(seed, 500); }
std::string echo(std::string payload) { return payload; }
int nap(int ms)
{
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ms;
}
int fail(int x) { throw std::runtime_error("soak failure " + std::to_string(x)); }
int crash(int how)
{
    if (how == 0)
        std::abort();
    ::_exit(7);
}

} // namespace soak

ASYNCJOBS_TASK(soak::mix);
ASYNCJOBS_TASK(soak::mix_one);
ASYNCJOBS_TASK(soak::echo);
ASYNCJOBS_TASK(soak::nap);
ASYNCJOBS_TASK(soak::fail);
ASYNCJOBS_TASK(soak::crash);

namespace {

using asyncjobs::future;
constexpr auto hang_bound = 120s;

long parent_of(long pid)
{
    std::string text;
    int fd = ::open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buffer[512];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    auto close = text.rfind(')');
    if (close == std::string::npos || close + 4 >= text.size())
        return -1;
    return std::strtol(text.c_str() + close + 4, nullptr, 10);
}

std::string peak_memory()
{
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmHWM:", 0) == 0)
            return line.substr(6).erase(0, line.substr(6).find_first_not_of(" \t"));
    return "unknown";
}

/// What a future must end with.
enum class want { value, task_error, crash, timeout, cancelled };

struct counters {
    std::atomic<std::size_t> tasks{0}, succeeded{0}, expected_failures{0}, killer_casualties{0};
    std::atomic<std::size_t> lost{0}, unexpected{0}, hung{0};
    std::atomic<std::size_t> kills{0}, self_crashes{0}, timeouts{0}, cancels{0}, kill_cancels{0}, recreations{0},
        shutdowns_cancelling{0};
    std::size_t faults() const
    {
        return kills + self_crashes + timeouts + cancels + kill_cancels + recreations;
    }
};

class soaker {
public:
    soaker(std::size_t workers, std::uint64_t seed) : workers_(workers), rng_(seed)
    {
        threads_ = make_threads();
        processes_ = make_processes();
    }

    void start_killer(std::uint64_t seed)
    {
        killer_ = std::thread([this, seed] {
            std::mt19937_64 r(seed);
            const long self = static_cast<long>(::getpid());
            while (!stop_.load()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20 + r() % 400));
                std::vector<long> pids;
                {
                    std::lock_guard lock(pools_mutex_);
                    pids = processes_->worker_pids();
                }
                if (pids.empty())
                    continue;
                long pid = pids[r() % pids.size()];
                if (parent_of(pid) == self && ::kill(static_cast<pid_t>(pid), SIGKILL) == 0)
                    ++c_.kills;
            }
        });
    }

    void stop_killer()
    {
        stop_ = true;
        if (killer_.joinable())
            killer_.join();
    }

    ~soaker() { stop_killer(); }

    /// One random round of work; returns false once a future hung (the run must end).
    bool round()
    {
        switch (rng_() % 12) {
        case 0: batch(*thread_pool(), false); break;
        case 1: batch(*process_pool(), true); break;
        case 2: map(*thread_pool(), false); break;
        case 3: map(*process_pool(), true); break;
        case 4: chains(rng_() % 2 ? static_cast<asyncjobs::executor&>(*thread_pool()) : *process_pool(), true); break;
        case 5: gather(rng_() % 2 ? static_cast<asyncjobs::executor&>(*thread_pool()) : *process_pool(), true); break;
        case 6: self_crashes(); break;
        case 7: timeouts(); break;
        case 8: cancels(rng_() % 2 ? static_cast<asyncjobs::executor&>(*thread_pool()) : *process_pool(), true); break;
        case 9: kill_cancels(); break;
        case 10: recreate(rng_() % 2 == 0); break;
        default: batch(*process_pool(), true); break;
        }
        return c_.hung == 0;
    }

    const counters& counts() const { return c_; }

private:
    std::unique_ptr<asyncjobs::thread_pool_executor> make_threads()
    {
        return std::make_unique<asyncjobs::thread_pool_executor>(workers_);
    }
    std::unique_ptr<asyncjobs::process_pool_executor> make_processes()
    {
        asyncjobs::process_pool_options o;
        o.max_workers = workers_;
        return std::make_unique<asyncjobs::process_pool_executor>(o);
    }
    asyncjobs::thread_pool_executor* thread_pool() { return threads_.get(); }
    asyncjobs::process_pool_executor* process_pool() { return processes_.get(); }

    void problem(const char* what, const std::string& detail)
    {
        std::lock_guard lock(print_mutex_);
        if (printed_++ < 50)
            std::fprintf(stderr, "soak: %s: %s\n", what, detail.c_str());
    }

    /// Checks one outcome against `w`; `good(value)` verifies a value. On a process pool
    /// (`killable`), worker_crashed by SIGKILL is the killer's doing and always allowed;
    /// with `may_cancel` (a shutdown with cancel_futures), so is cancelled_error.
    template <class Future, class Good>
    void verify(Future& f, want w, bool killable, const char* what, Good good, bool may_cancel = false)
    {
        ++c_.tasks;
        const bool should_succeed = w == want::value;
        if (f.wait_for(hang_bound) != std::future_status::ready) {
            ++c_.hung;
            ++c_.lost;
            problem(what, "a future was not ready after 120 s");
            return;
        }
        auto miss = [&](const std::string& got) {
            if (should_succeed)
                ++c_.lost;
            else
                ++c_.unexpected;
            problem(what, "got " + got);
        };
        try {
            auto v = f.get();
            if (w != want::value)
                return miss("a value instead of an error");
            if (good(v))
                ++c_.succeeded;
            else
                miss("a wrong value");
        } catch (const asyncjobs::worker_crashed& e) {
            if (w == want::crash)
                ++c_.expected_failures;
            else if (killable && e.signal() == SIGKILL)
                ++c_.killer_casualties;
            else
                miss(std::string("worker_crashed: ") + e.what());
        } catch (const asyncjobs::task_timeout& e) {
            if (w == want::timeout)
                ++c_.expected_failures;
            else
                miss(std::string("task_timeout: ") + e.what());
        } catch (const asyncjobs::cancelled_error& e) {
            if (w == want::cancelled || may_cancel)
                ++c_.expected_failures;
            else
                miss(std::string("cancelled_error: ") + e.what());
        } catch (const asyncjobs::error& e) {
            miss(std::string("asyncjobs::error: ") + e.what());
        } catch (const std::runtime_error& e) {
            if (w == want::task_error && std::string(e.what()).rfind("soak failure", 0) == 0)
                ++c_.expected_failures;
            else
                miss(std::string("runtime_error: ") + e.what());
        } catch (const std::exception& e) {
            miss(std::string("exception: ") + e.what());
        }
    }

    /// A random task with its expectation: compute, echo, nap or throw.
    struct planned {
        future<std::uint64_t> number;
        future<std::string> text;
        future<int> small;
        std::uint64_t expected = 0;
        std::string payload;
        int expected_small = 0;
        want w = want::value;
    };

    std::string random_payload()
    {
        std::size_t size = rng_() % 20 == 0 ? rng_() % (4u << 20) : rng_() % 4096;
        std::string s(size, '\0');
        std::uint64_t x = rng_();
        for (std::size_t i = 0; i < size; ++i) {
            if (i % 8 == 0)
                x = x * 6364136223846793005ull + 1;
            s[i] = static_cast<char>(x >> (8 * (i % 8)));
        }
        return s;
    }

    planned plan(asyncjobs::executor& pool)
    {
        planned p;
        switch (rng_() % 8) {
        case 0:
        case 1:
        case 2: {
            std::uint64_t s = rng_();
            auto rounds = static_cast<std::uint32_t>(rng_() % 200000);
            p.expected = soak::mix(s, rounds);
            p.number = pool.submit(soak::mix, s, rounds);
            break;
        }
        case 3:
        case 4:
            p.payload = random_payload();
            p.text = pool.submit(soak::echo, p.payload);
            break;
        case 5:
        case 6:
            p.expected_small = static_cast<int>(rng_() % 20);
            p.small = pool.submit(soak::nap, p.expected_small);
            break;
        default:
            p.expected_small = static_cast<int>(rng_() % 1000);
            p.small = pool.submit(soak::fail, p.expected_small);
            p.w = want::task_error;
            break;
        }
        return p;
    }

    void check(planned& p, bool killable, const char* what, bool may_cancel = false)
    {
        if (p.number.valid())
            verify(p.number, p.w, killable, what, [&](std::uint64_t v) { return v == p.expected; }, may_cancel);
        else if (p.text.valid())
            verify(p.text, p.w, killable, what, [&](const std::string& v) { return v == p.payload; }, may_cancel);
        else
            verify(p.small, p.w, killable, what, [&](int v) { return v == p.expected_small; }, may_cancel);
    }

    void batch(asyncjobs::executor& pool, bool killable)
    {
        std::size_t n = 1 + rng_() % 40;
        std::vector<planned> tasks;
        for (std::size_t i = 0; i < n; ++i)
            tasks.push_back(plan(pool));
        switch (rng_() % 3) {
        case 0: {
            // as_completed over one kind at a time (it takes a range of one future type).
            std::vector<future<std::uint64_t>*> numbers;
            for (auto& t : tasks)
                if (t.number.valid())
                    numbers.push_back(&t.number);
            try {
                std::size_t yielded = 0;
                for ([[maybe_unused]] auto& f : asyncjobs::as_completed(numbers, hang_bound))
                    ++yielded;
                if (yielded != numbers.size())
                    problem("as_completed", "yielded too few futures");
            } catch (const std::exception& e) {
                problem("as_completed", e.what());
            }
            break;
        }
        case 1: {
            std::vector<future<int>*> smalls;
            for (auto& t : tasks)
                if (t.small.valid())
                    smalls.push_back(&t.small);
            auto r = asyncjobs::wait(smalls, asyncjobs::return_when::all_completed, hang_bound);
            if (!r.not_done.empty())
                problem("wait", std::to_string(r.not_done.size()) + " futures not done");
            break;
        }
        default:
            break;
        }
        for (auto& t : tasks)
            check(t, killable, "batch");
    }

    void map(asyncjobs::executor& pool, bool killable)
    {
        std::size_t n = 1 + rng_() % 3000;
        std::vector<std::uint64_t> inputs(n);
        for (auto& x : inputs)
            x = rng_();
        asyncjobs::map_options o;
        o.chunksize = rng_() % 2 ? 0 : 1 + rng_() % 64;
        o.timeout = hang_bound;
        std::size_t i = 0;
        try {
            for (std::uint64_t v : pool.map(soak::mix_one, inputs, o)) {
                ++c_.tasks;
                if (v == soak::mix_one(inputs[i]))
                    ++c_.succeeded;
                else {
                    ++c_.lost;
                    problem("map", "a wrong value");
                }
                ++i;
            }
            if (i != n) {
                c_.lost += n - i;
                problem("map", "ended early");
            }
        } catch (const asyncjobs::worker_crashed& e) {
            // A chunk's worker was killed: that element (and its chunk) fail, the rest is
            // still readable, but this loop stops here; count the element as the killer's.
            ++c_.tasks;
            if (killable && e.signal() == SIGKILL)
                ++c_.killer_casualties;
            else {
                ++c_.lost;
                problem("map", e.what());
            }
        } catch (const asyncjobs::timeout_error& e) {
            ++c_.hung;
            ++c_.lost;
            problem("map", e.what());
        } catch (const std::exception& e) {
            ++c_.lost;
            problem("map", e.what());
        }
    }

    void chains(asyncjobs::executor& pool, bool killable)
    {
        std::size_t n = 1 + rng_() % 20;
        std::vector<future<std::uint64_t>> ends;
        std::vector<std::uint64_t> expected;
        for (std::size_t i = 0; i < n; ++i) {
            std::uint64_t s = rng_();
            auto rounds = static_cast<std::uint32_t>(rng_() % 50000);
            expected.push_back((soak::mix(s, rounds) ^ 1) + 2);
            ends.push_back(pool.submit(soak::mix, s, rounds)
                               .then([](future<std::uint64_t> f) { return f.get() ^ 1; })
                               .then([](future<std::uint64_t> f) { return f.get() + 2; }));
        }
        for (std::size_t i = 0; i < n; ++i)
            verify(ends[i], want::value, killable, "then chain", [&](std::uint64_t v) { return v == expected[i]; });
    }

    void gather(asyncjobs::executor& pool, bool killable)
    {
        std::size_t n = 1 + rng_() % 30;
        std::vector<future<std::string>> parts;
        std::vector<std::string> payloads;
        for (std::size_t i = 0; i < n; ++i) {
            payloads.push_back(random_payload());
            parts.push_back(pool.submit(soak::echo, payloads.back()));
        }
        auto all = asyncjobs::when_all(std::move(parts));
        if (all.wait_for(hang_bound) != std::future_status::ready) {
            ++c_.hung;
            c_.lost += n;
            problem("when_all", "not ready after 120 s");
            return;
        }
        auto ready = all.get();
        for (std::size_t i = 0; i < n; ++i)
            verify(ready[i], want::value, killable, "when_all", [&](const std::string& v) { return v == payloads[i]; });
    }

    void self_crashes()
    {
        auto& pool = *process_pool();
        std::vector<planned> around;
        std::vector<future<int>> crashes;
        std::size_t n = 1 + rng_() % 3;
        for (std::size_t i = 0; i < n; ++i) {
            around.push_back(plan(pool));
            crashes.push_back(pool.submit(soak::crash, static_cast<int>(rng_() % 2)));
            ++c_.self_crashes;
        }
        for (auto& f : crashes)
            verify(f, want::crash, true, "self-crash", [](int) { return false; });
        for (auto& t : around)
            check(t, true, "next to a self-crash");
    }

    void timeouts()
    {
        auto& pool = *process_pool();
        std::vector<planned> around;
        for (std::size_t i = 0; i < 3; ++i)
            around.push_back(plan(pool));
        asyncjobs::task_options o;
        o.timeout = std::chrono::milliseconds(20 + rng_() % 80);
        auto hung = pool.submit_with(o, soak::nap, 5000);
        ++c_.timeouts;
        verify(hung, want::timeout, true, "timeout", [](int) { return false; });
        for (auto& t : around)
            check(t, true, "next to a timeout");
    }

    void cancels(asyncjobs::executor& pool, bool killable)
    {
        std::size_t n = 2 + rng_() % 30;
        std::vector<future<int>> fs;
        std::vector<int> asked(n, 0);
        for (std::size_t i = 0; i < n; ++i)
            fs.push_back(pool.submit(soak::nap, static_cast<int>(rng_() % 10)));
        for (std::size_t i = 0; i < n; ++i)
            if (rng_() % 2) {
                asked[i] = fs[i].cancel() ? 1 : 2;
                ++c_.cancels;
            }
        for (std::size_t i = 0; i < n; ++i)
            verify(fs[i], asked[i] == 1 ? want::cancelled : want::value, killable, "cancel",
                   [](int v) { return v >= 0 && v < 10; });
    }

    void kill_cancels()
    {
        auto& pool = *process_pool();
        std::vector<planned> around;
        for (std::size_t i = 0; i < 3; ++i)
            around.push_back(plan(pool));
        auto victim = pool.submit(soak::nap, 5000);
        // Wait until it runs (bounded), then kill it; whichever state it is in, it must end
        // cancelled (or, if the killer got there first, crashed).
        for (auto give_up = std::chrono::steady_clock::now() + 10s;
             !victim.running() && !victim.done() && std::chrono::steady_clock::now() < give_up;)
            std::this_thread::sleep_for(1ms);
        if (rng_() % 3 == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(rng_() % 20));
        bool asked = pool.cancel_and_kill(victim);
        ++c_.kill_cancels;
        verify(victim, asked ? want::cancelled : want::value, true, "cancel_and_kill", [](int) { return true; });
        for (auto& t : around)
            check(t, true, "next to a cancel_and_kill");
    }

    void recreate(bool processes)
    {
        asyncjobs::executor& pool = processes ? static_cast<asyncjobs::executor&>(*process_pool()) : *thread_pool();
        std::vector<planned> tasks;
        std::size_t n = rng_() % 30;
        for (std::size_t i = 0; i < n; ++i)
            tasks.push_back(plan(pool));
        bool wait = rng_() % 2, cancel = rng_() % 2;
        pool.shutdown(wait, cancel);
        ++c_.recreations;
        c_.shutdowns_cancelling += cancel;
        try {
            (void)pool.submit(soak::nap, 1);
            problem("recreate", "submit after shutdown did not throw");
            ++c_.unexpected;
        } catch (const asyncjobs::shutdown_error&) {
        }
        for (auto& t : tasks)
            check(t, processes, "shut down", cancel);
        std::lock_guard lock(pools_mutex_);
        if (processes)
            processes_ = make_processes();
        else
            threads_ = make_threads();
    }

    std::size_t workers_;
    std::mt19937_64 rng_;
    std::mutex pools_mutex_;  // the killer reads processes_ while rounds may replace it
    std::unique_ptr<asyncjobs::thread_pool_executor> threads_;
    std::unique_ptr<asyncjobs::process_pool_executor> processes_;
    std::thread killer_;
    std::atomic<bool> stop_{false};
    counters c_;
    std::mutex print_mutex_;
    std::size_t printed_ = 0;
};

void print(const counters& c, double seconds, const char* label)
{
    std::printf("%s after %.0f s: tasks done %zu (succeeded %zu, expected failures %zu, killer casualties %zu); "
                "faults injected %zu (worker kills %zu, self-crashes %zu, timeouts %zu, cancels %zu, "
                "cancel_and_kill %zu, pool shutdown/recreate %zu); results lost %zu (hung %zu); unexpected outcomes %zu; "
                "peak memory %s\n",
                label, seconds, c.tasks.load(), c.succeeded.load(), c.expected_failures.load(),
                c.killer_casualties.load(), c.faults(), c.kills.load(), c.self_crashes.load(), c.timeouts.load(),
                c.cancels.load(), c.kill_cancels.load(), c.recreations.load(), c.lost.load(), c.hung.load(),
                c.unexpected.load(), peak_memory().c_str());
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;

    namespace po = boost::program_options;
    double minutes = 0;
    double seconds = 0;
    std::size_t workers = 3;
    std::uint64_t seed = 1;
    po::options_description desc("soak: mixed asyncjobs workloads under random faults; every result verified");
    desc.add_options()("help,h", "this help")("minutes", po::value(&minutes), "how long to run, in minutes")(
        "seconds", po::value(&seconds), "how long to run, in seconds (added to --minutes; default 60 s in all)")(
        "workers", po::value(&workers)->default_value(3), "process workers and pool threads")(
        "seed", po::value(&seed)->default_value(1), "random seed (workload and faults)");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "soak: " << e.what() << "\n" << desc << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }
    double total = minutes * 60 + seconds;
    if (total <= 0)
        total = 60;
    workers = std::max<std::size_t>(1, workers);

    std::printf("soak: %.0f s, %zu workers, seed %llu\n", total, workers, static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    auto next_report = start + 30s;
    bool hung = false;
    std::size_t lost = 0, unexpected = 0;
    {
        soaker s(workers, seed);
        s.start_killer(seed * 7919 + 1);
        while (elapsed() < total) {
            if (!s.round()) {
                hung = true;
                break;
            }
            if (std::chrono::steady_clock::now() >= next_report) {
                print(s.counts(), elapsed(), "progress");
                next_report += 30s;
            }
        }
        s.stop_killer();
        print(s.counts(), elapsed(), "soak done");
        lost = s.counts().lost;
        unexpected = s.counts().unexpected;
        if (hung) {
            std::fprintf(stderr, "soak: a future hung; exiting without waiting for the pools\n");
            std::fflush(stderr);
            std::_Exit(1);
        }
    }
    std::printf("soak: %s\n", lost == 0 && unexpected == 0 ? "PASS (no result lost)" : "FAIL");
    return lost == 0 && unexpected == 0 ? 0 : 1;
}
