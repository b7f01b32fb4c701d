// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// bench_process_pool: what a no-op task, a map item, a 10 MiB argument and a whole pool
// cost on asyncjobs::process_pool_executor, next to Python's ProcessPoolExecutor
// (process_peer.py, run as a child process once per round) and to a raw-pipe baseline
// (a child process echoing length-prefixed messages over two pipes), all in the same run.
//
// Every round runs every variant of a figure once, in an order that rotates from round to
// round, and the Python peer once, so that drift on a noisy machine hits all sides alike.
// A figure is the median over rounds; a speedup or a ratio is the median of the per-round
// ones. Progress goes to stderr, the table to stdout.

#include "bench_options.hpp"
#include "harness.hpp"
#include "report.hpp"

#include <asyncjobs/asyncjobs.hpp>


#include <fcntl.h>
#include <spawn.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#ifndef ASYNCJOBS_BENCH_PROCESS_PEER_SCRIPT
#define ASYNCJOBS_BENCH_PROCESS_PEER_SCRIPT "process_peer.py"
#endif

extern char** environ;

// The tasks the workers run (this program re-executed in worker mode).
namespace bench_tasks {

int noop_int(int x) noexcept
{
    return x;
}

std::vector<std::uint8_t> echo_bytes(std::vector<std::uint8_t> payload)
{
    return payload;
}

asyncjobs::shared_buffer echo_buffer(asyncjobs::shared_buffer buffer)
{
    return buffer;
}

/// A buffer the worker allocates (a copy of the one it is given): it crosses back by value.
asyncjobs::shared_buffer copy_buffer(asyncjobs::shared_buffer buffer)
{
    asyncjobs::shared_buffer copy(buffer.size());
    std::memcpy(copy.data(), buffer.data(), buffer.size());
    return copy;
}

} // namespace bench_tasks

ASYNCJOBS_TASK(bench_tasks::noop_int);
ASYNCJOBS_TASK(bench_tasks::echo_bytes);
ASYNCJOBS_TASK(bench_tasks::echo_buffer);
ASYNCJOBS_TASK(bench_tasks::copy_buffer);

namespace {

using namespace asyncjobs_bench;

constexpr std::size_t echo_size = std::size_t{10} << 20;  // 10 MiB, as process_peer.py
constexpr int pipe_size = 1 << 20;                         // F_SETPIPE_SZ of the baselines' pipes
constexpr const char* echo_child_flag = "--bench-echo-child";
constexpr const char* lifecycle_flag = "--bench-lifecycle";  // REPS WORKERS BALLAST_MIB

// ---------------------------------------------------------------------------------------
// Configuration

struct config : bench_options {
    config() : bench_options(7, ASYNCJOBS_BENCH_PROCESS_PEER_SCRIPT) {}
    std::size_t workers = 2;
};

/// The command line: the options every bench has and --workers.
po::options_description options(config& c)
{
    po::options_description pool;
    pool.add_options()("workers", po::value(&c.workers)->value_name("N")->notifier(at_least_one("--workers")),
                       "workers in every pool, ours and Python's (default 2)");
    po::options_description all;
    all.add(pool)
        .add(figure_options(c, {"bulk", "roundtrip", "map", "echo", "lifecycle"}, "; the payload stays 10 MiB"))
        .add(python_options(c))
        .add(run_options(c));
    return all;
}

// ---------------------------------------------------------------------------------------
// The raw-pipe baseline: a child process that echoes messages ([u64 length][bytes]) from
// one pipe to another, with nothing but read() and write(). It echoes every complete
// message of a read() in one write(), so a batch of small messages costs two syscalls.

void write_all(int fd, const void* data, std::size_t size)
{
    auto* p = static_cast<const char*>(data);
    while (size) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw std::system_error(errno, std::generic_category(), "baseline write");
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

void read_all(int fd, void* data, std::size_t size)
{
    auto* p = static_cast<char*>(data);
    while (size) {
        ssize_t n = ::read(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw std::runtime_error("baseline read: the echo child is gone");
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

/// The echo loop of the child; returns at end of input. Runs in a child forked before any
/// thread exists, or in this program re-executed with --bench-echo-child.
int echo_loop(int in, int out)
{
    std::vector<char> buf(1 << 16);
    std::size_t have = 0;
    for (;;) {
        ssize_t n = ::read(in, buf.data() + have, buf.size() - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        have += static_cast<std::size_t>(n);
        std::size_t pos = 0;
        std::size_t need = 0;
        while (have - pos >= 8) {
            std::uint64_t len;
            std::memcpy(&len, buf.data() + pos, 8);
            if (have - pos - 8 < len) {
                need = 8 + static_cast<std::size_t>(len);
                break;
            }
            pos += 8 + static_cast<std::size_t>(len);
        }
        if (pos) {
            for (std::size_t done = 0; done < pos;) {
                ssize_t w = ::write(out, buf.data() + done, pos - done);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    return 1;
                done += static_cast<std::size_t>(w);
            }
            std::memmove(buf.data(), buf.data() + pos, have - pos);
            have -= pos;
        }
        if (need > buf.size())
            buf.resize(need);
        else if (have == buf.size())
            buf.resize(buf.size() * 2);
    }
}

void make_pipe(int fds[2])
{
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    // As the process pool does: a 1 MiB pipe moves a large payload in fewer wake-ups.
    ::fcntl(fds[1], F_SETPIPE_SZ, pipe_size);
}

/// A forked echo child, started before the pools (and their threads) exist.
class echo_child {
public:
    echo_child()
    {
        int down[2], up[2];
        make_pipe(down);
        make_pipe(up);
        pid_ = ::fork();
        if (pid_ < 0)
            throw std::system_error(errno, std::generic_category(), "fork");
        if (pid_ == 0) {
            ::close(down[1]);
            ::close(up[0]);
            std::_Exit(echo_loop(down[0], up[1]));
        }
        ::close(down[0]);
        ::close(up[1]);
        to_ = down[1];
        from_ = up[0];
    }
    echo_child(const echo_child&) = delete;
    echo_child& operator=(const echo_child&) = delete;
    ~echo_child()
    {
        ::close(to_);
        ::close(from_);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }

    /// One small message there and back.
    int trip(int value)
    {
        char msg[12];
        std::uint64_t len = 4;
        std::memcpy(msg, &len, 8);
        std::memcpy(msg + 8, &value, 4);
        write_all(to_, msg, sizeof msg);
        read_all(from_, msg, sizeof msg);
        std::memcpy(&value, msg + 8, 4);
        return value;
    }

    /// n small messages, `batch` at a time (one write, then the replies); the sum of the echoed values.
    long long batches(std::size_t n, std::size_t batch)
    {
        std::vector<char> out(batch * 12), in(batch * 12);
        long long sum = 0;
        for (std::size_t sent = 0; sent < n;) {
            std::size_t k = std::min(batch, n - sent);
            for (std::size_t i = 0; i < k; ++i) {
                std::uint64_t len = 4;
                int value = static_cast<int>(sent + i);
                std::memcpy(out.data() + 12 * i, &len, 8);
                std::memcpy(out.data() + 12 * i + 8, &value, 4);
            }
            write_all(to_, out.data(), 12 * k);
            read_all(from_, in.data(), 12 * k);
            for (std::size_t i = 0; i < k; ++i) {
                int value;
                std::memcpy(&value, in.data() + 12 * i + 8, 4);
                sum += value;
            }
            sent += k;
        }
        return sum;
    }

    /// `payload` there and back into `back` (sized like payload).
    void echo(const std::vector<std::uint8_t>& payload, std::vector<std::uint8_t>& back)
    {
        std::uint64_t len = payload.size();
        iovec parts[2] = {{&len, 8}, {const_cast<std::uint8_t*>(payload.data()), payload.size()}};
        std::size_t total = 8 + payload.size();
        for (std::size_t done = 0; done < total;) {
            ssize_t n = ::writev(to_, parts, 2);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                throw std::system_error(errno, std::generic_category(), "baseline writev");
            done += static_cast<std::size_t>(n);
            // Advance the two parts past what went out.
            std::size_t skip = static_cast<std::size_t>(n);
            for (auto& part : parts) {
                std::size_t s = std::min(skip, part.iov_len);
                part.iov_base = static_cast<char*>(part.iov_base) + s;
                part.iov_len -= s;
                skip -= s;
            }
        }
        std::uint64_t back_len = 0;
        read_all(from_, &back_len, 8);
        check(back_len == payload.size(), "echo child length");
        read_all(from_, back.data(), back.size());
    }

private:
    pid_t pid_ = -1;
    int to_ = -1;
    int from_ = -1;
};

std::string self_executable()
{
    std::vector<char> buf(4096);
    ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    if (n <= 0)
        throw std::system_error(errno, std::generic_category(), "readlink /proc/self/exe");
    return std::string(buf.data(), static_cast<std::size_t>(n));
}

/// The start baseline: spawn this program (as the pool spawns its workers) as an echo
/// child on two pipes, one small message there and back, close, wait for its exit.
double spawn_trip_exit_ms(const std::string& self)
{
    auto start = bench_clock::now();
    int down[2], up[2];
    make_pipe(down);
    make_pipe(up);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, down[0], 0);
    posix_spawn_file_actions_adddup2(&actions, up[1], 1);
    std::string arg0 = self, arg1 = echo_child_flag;
    char* args[] = {arg0.data(), arg1.data(), nullptr};
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, self.c_str(), &actions, nullptr, args, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(down[0]);
    ::close(up[1]);
    if (rc != 0) {
        ::close(down[1]);
        ::close(up[0]);
        throw std::system_error(rc, std::generic_category(), "posix_spawn");
    }
    char msg[12];
    std::uint64_t len = 4;
    int value = 7;
    std::memcpy(msg, &len, 8);
    std::memcpy(msg + 8, &value, 4);
    write_all(down[1], msg, sizeof msg);
    read_all(up[0], msg, sizeof msg);
    ::close(down[1]);
    ::close(up[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    double ms = ns_since(start) / 1e6;
    std::memcpy(&value, msg + 8, 4);
    check(value == 7 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "spawned echo child");
    return ms;
}

// ---------------------------------------------------------------------------------------
// The workloads. Each returns the figure of one run in its row's unit.

struct fixture {
    explicit fixture(std::size_t workers) : pool(workers) {}
    echo_child child;  // forked first, while this program has one thread
    asyncjobs::process_pool_executor pool;
};

// -- 1. submit N no-op tasks, then get all: us per task --------------------------------

double bulk_asyncjobs(fixture& f, std::size_t n)
{
    std::vector<asyncjobs::future<int>> futures;
    futures.reserve(n);
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < n; ++i)
        futures.push_back(f.pool.submit(bench_tasks::noop_int, static_cast<int>(i)));
    long long sum = 0;
    for (auto& fut : futures)
        sum += fut.get();
    double ns = ns_since(start);
    check(sum == static_cast<long long>(n) * static_cast<long long>(n - 1) / 2, "bulk sum");
    return ns / 1000.0 / static_cast<double>(n);
}

double bulk_pipe(fixture& f, std::size_t n)
{
    auto start = bench_clock::now();
    long long sum = f.child.batches(n, 64);
    double ns = ns_since(start);
    check(sum == static_cast<long long>(n) * static_cast<long long>(n - 1) / 2, "pipe batch sum");
    return ns / 1000.0 / static_cast<double>(n);
}

// -- 2. one at a time: submit, get: median us per trip ---------------------------------
// asyncjobs and the raw pipe alternate in batches of 100 trips; every trip is timed.

void round_trips(fixture& f, std::size_t n, int round, sink& out)
{
    constexpr std::size_t batch = 100;
    std::vector<double> ours, base;
    auto run_ours = [&](std::size_t k) {
        for (std::size_t i = 0; i < k; ++i) {
            auto start = bench_clock::now();
            int r = f.pool.submit(bench_tasks::noop_int, static_cast<int>(i)).get();
            ours.push_back(ns_since(start) / 1000.0);
            check(r == static_cast<int>(i), "round trip value");
        }
    };
    auto run_base = [&](std::size_t k) {
        for (std::size_t i = 0; i < k; ++i) {
            auto start = bench_clock::now();
            int r = f.child.trip(static_cast<int>(i));
            base.push_back(ns_since(start) / 1000.0);
            check(r == static_cast<int>(i), "pipe trip value");
        }
    };
    for (std::size_t done = 0, b = 0; done < n; ++b) {
        std::size_t k = std::min(batch, n - done);
        if ((b + static_cast<std::size_t>(round)) % 2) {
            run_ours(k);
            run_base(k);
        } else {
            run_base(k);
            run_ours(k);
        }
        done += k;
    }
    out["roundtrip.asyncjobs"] = median(ours);
    out["roundtrip.pipe"] = median(base);
    out["roundtrip.asyncjobs.mean"] = mean(ours);
    out["roundtrip.pipe.mean"] = mean(base);
}

// -- 3. map over N no-op ints: us per item ---------------------------------------------

double map_asyncjobs(fixture& f, const std::vector<int>& input, std::size_t chunksize)
{
    asyncjobs::map_options options;
    options.chunksize = chunksize;
    long long sum = 0;
    auto start = bench_clock::now();
    for (int r : f.pool.map(bench_tasks::noop_int, input, options))
        sum += r;
    double ns = ns_since(start);
    check(sum == static_cast<long long>(input.size()) * static_cast<long long>(input.size() - 1) / 2, "map sum");
    return ns / 1000.0 / static_cast<double>(input.size());
}

// -- 4. a 10 MiB argument echoed back: MB/s of payload (10^6 bytes) --------------------
// The payload moves into the task and its echo becomes the next payload: no copy is made
// outside the library. A round's figure is the median of its `reps` trips.

double echo_asyncjobs(fixture& f, std::vector<std::uint8_t>& payload, std::size_t reps)
{
    std::vector<double> seconds;
    for (std::size_t i = 0; i < reps; ++i) {
        auto start = bench_clock::now();
        payload = f.pool.submit(bench_tasks::echo_bytes, std::move(payload)).get();
        seconds.push_back(ns_since(start) / 1e9);
        check(payload.size() == echo_size && payload[12345] == static_cast<std::uint8_t>(12345 % 251),
              "echoed payload");
    }
    return static_cast<double>(echo_size) / median(seconds) / 1e6;
}

/// The same 10 MiB in a shared_buffer: it crosses by handle, both ways (no copy). With
/// `copy`, the worker returns a copy it allocates, which crosses back by value.
double echo_shared_buffer(fixture& f, asyncjobs::shared_buffer& buffer, bool copy, std::size_t reps)
{
    std::vector<double> seconds;
    for (std::size_t i = 0; i < reps; ++i) {
        auto start = bench_clock::now();
        buffer = copy ? f.pool.submit(bench_tasks::copy_buffer, buffer).get()
                      : f.pool.submit(bench_tasks::echo_buffer, buffer).get();
        seconds.push_back(ns_since(start) / 1e9);
        check(buffer.size() == echo_size && buffer.data()[12345] == static_cast<std::byte>(12345 % 251),
              "echoed shared_buffer");
    }
    return static_cast<double>(echo_size) / median(seconds) / 1e6;
}

double echo_pipe(fixture& f, std::vector<std::uint8_t>& payload, std::vector<std::uint8_t>& back, std::size_t reps)
{
    std::vector<double> seconds;
    for (std::size_t i = 0; i < reps; ++i) {
        auto start = bench_clock::now();
        f.child.echo(payload, back);
        seconds.push_back(ns_since(start) / 1e9);
        check(back[12345] == payload[12345], "pipe-echoed payload");
    }
    return static_cast<double>(echo_size) / median(seconds) / 1e6;
}

/// Two copies of the payload (there and back) in this process: what moving it costs at
/// the least without a process boundary.
double echo_memcpy(std::vector<std::uint8_t>& payload, std::vector<std::uint8_t>& scratch, std::size_t reps)
{
    std::vector<double> seconds;
    for (std::size_t i = 0; i < reps; ++i) {
        auto start = bench_clock::now();
        std::memcpy(scratch.data(), payload.data(), payload.size());
        asm volatile("" ::"r"(scratch.data()) : "memory");
        std::memcpy(payload.data(), scratch.data(), payload.size());
        asm volatile("" ::"r"(payload.data()) : "memory");
        seconds.push_back(ns_since(start) / 1e9);
    }
    return static_cast<double>(echo_size) / median(seconds) / 1e6;
}

// -- 5. pool start + first result + shutdown: ms ---------------------------------------
// Measured in a fresh process (this program re-executed with --bench-lifecycle), not in
// this one: the pool forks its workers, and a fork costs in proportion to the memory the
// parent holds, here the payloads and map inputs of the other figures. The same child can
// first fill some memory ("ballast") to show that cost. It alternates asyncjobs and the
// posix_spawn baseline rep by rep and prints the two medians.

double lifecycle_asyncjobs_once(std::size_t workers)
{
    auto start = bench_clock::now();
    {
        asyncjobs::process_pool_executor pool(workers);
        check(pool.submit(bench_tasks::noop_int, 7).get() == 7, "first result");
    }
    return ns_since(start) / 1e6;
}

/// main() of the --bench-lifecycle child: REPS WORKERS BALLAST_MIB.
int lifecycle_child_main(char** argv)
{
    std::size_t reps = std::strtoul(argv[2], nullptr, 10);
    std::size_t workers = std::strtoul(argv[3], nullptr, 10);
    std::size_t ballast_mib = std::strtoul(argv[4], nullptr, 10);
    std::vector<char> ballast(ballast_mib << 20, 1);  // resident: every page written
    asm volatile("" ::"r"(ballast.data()) : "memory");
    const std::string self = self_executable();
    std::vector<double> ours, base;
    for (std::size_t i = 0; i < reps; ++i) {
        if (i % 2) {
            ours.push_back(lifecycle_asyncjobs_once(workers));
            base.push_back(spawn_trip_exit_ms(self));
        } else {
            base.push_back(spawn_trip_exit_ms(self));
            ours.push_back(lifecycle_asyncjobs_once(workers));
        }
    }
    std::printf("%.6f %.6f\n", median(ours), median(base));
    return 0;
}

/// Runs the --bench-lifecycle child; puts its two medians (ms) under `prefix`.asyncjobs / .spawn.
void lifecycle(const std::string& self, std::size_t reps, std::size_t workers, std::size_t ballast_mib,
               const std::string& prefix, sink& out)
{
    int up[2];
    if (::pipe2(up, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, up[1], 1);
    std::string args_text[] = {self, lifecycle_flag, std::to_string(reps), std::to_string(workers),
                               std::to_string(ballast_mib)};
    char* args[] = {args_text[0].data(), args_text[1].data(), args_text[2].data(), args_text[3].data(),
                    args_text[4].data(), nullptr};
    pid_t pid = -1;
    std::fflush(nullptr);
    int rc = ::posix_spawn(&pid, self.c_str(), &actions, nullptr, args, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(up[1]);
    if (rc != 0) {
        ::close(up[0]);
        throw std::system_error(rc, std::generic_category(), "posix_spawn");
    }
    std::string text;
    char buf[256];
    for (ssize_t n; (n = ::read(up[0], buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(up[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    double ours = 0, base = 0;
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0 && std::sscanf(text.c_str(), "%lf %lf", &ours, &base) == 2,
          "the lifecycle child's figures");
    out[prefix + ".asyncjobs"] = ours;
    out[prefix + ".spawn"] = base;
}

// ---------------------------------------------------------------------------------------
// Python peer: run once per round, its figures become that round's samples.

const char* const python_keys[] = {"submit_bulk_us_per_task", "round_trip_us", "map_chunksize_1_us_per_item",
                                   "map_chunked_us_per_item", "echo_mb_per_s", "start_task_stop_ms"};

// ---------------------------------------------------------------------------------------
// Rows

enum class better { lower, higher };
enum class target_kind { none, python_speedup_at_least, at_most, at_least };

struct row_def {
    std::string group;
    std::string key;
    std::string figure;
    std::string unit;
    better direction;
    std::string ours;        // sample key of asyncjobs
    std::string python;      // sample key of the Python peer; "" if none
    std::string base;        // sample key of the C++ baseline; "" if none
    std::string baseline;    // what the baseline is
    target_kind target = target_kind::none;
    double target_value = 0;
    std::string target_text;
};

struct row {
    row_def def;
    double ours = 0, python = std::nan(""), base = std::nan("");
    paired_ratios speedup;  // how many times better than Python
    paired_ratios cost;     // asyncjobs' cost relative to the baseline (time ratio, lower is better)
    std::vector<double> ours_samples, python_samples, base_samples;

    bool has_target() const { return def.target != target_kind::none; }
    /// nullopt: the target cannot be judged (no Python figure).
    std::optional<bool> pass() const
    {
        switch (def.target) {
        case target_kind::none: return true;
        case target_kind::python_speedup_at_least:
            if (std::isnan(speedup.median))
                return std::nullopt;
            return speedup.median >= def.target_value;
        case target_kind::at_most: return ours <= def.target_value;
        case target_kind::at_least: return ours >= def.target_value;
        }
        return true;
    }
};

/// Per-round "how many times better asyncjobs is than `other`" for a figure of this direction.
double times_better(better d, double ours, double other)
{
    return d == better::lower ? other / ours : ours / other;
}

std::string result_cell(const row& r)
{
    if (!r.has_target())
        return "info";
    auto p = r.pass();
    if (!p)
        return "n/a";
    return *p ? "PASS" : "MISS";
}

/// "load average 0.3 at the start, 1.9 at the end": how busy the machine was (the figures
/// of a loaded machine are slower, the ratios less so). Set by run().
std::string machine_load;

std::string describe_setup(const config& c, const python_peer& py)
{
    std::string s = setup_text(c, c.workers, "worker");
    if (!py.version().empty())
        s += "; Python " + py.version() + " (fork)";
    if (!machine_load.empty())
        s += "; " + machine_load;
    return s;
}

/// The columns of the text and Markdown tables, and a row's cells.
const std::vector<column> table_columns = {
    {"figure", -60},
    {"asyncjobs", 12, true, true},
    {"Python ProcessPoolExecutor", 12, true, true, "Python"},
    {"speedup", 8, true, true},
    {"[min-max]", -15, false},
    {"target", -16},
    {"result", -6},
    {"C++ baseline", -44, true, false, "C++ baseline (same run)", 2},
    {"baseline", 12, true, true},
    {"vs baseline", 8, true, true, "vs base"},
};

table_row cells(const row& r)
{
    std::string spread =
        std::isnan(r.speedup.min) ? "" : "[" + speedup_cell(r.speedup.min) + "-" + speedup_cell(r.speedup.max) + "]";
    return {r.def.figure,
            format_value(r.ours, r.def.unit),
            format_value(r.python, r.def.unit),
            speedup_cell(r.speedup.median),
            spread,
            r.def.target_text.empty() ? "-" : r.def.target_text,
            result_cell(r),
            r.def.baseline.empty() ? "-" : r.def.baseline,
            r.def.base.empty() ? "" : format_value(r.base, r.def.unit),
            r.def.base.empty() ? "" : format_ratio(r.cost.median)};
}

/// The text table (write_outputs adds the Python note under it).
void print_text(const std::vector<row>& rows, const config& c, const python_peer& py)
{
    std::printf("\nasyncjobs process_pool_executor vs Python ProcessPoolExecutor and raw pipes (%s)\n",
                describe_setup(c, py).c_str());
    std::printf("speedup = how many times faster than Python (median of per-round ratios; min-max in brackets);\n"
                "vs baseline = asyncjobs' cost / the raw baseline's cost, lower is better\n\n");
    print_table(table_columns, rows, cells, 204);
}

/// The Markdown table, for the README (write_outputs adds the Python note under it).
std::string markdown_table(const std::vector<row>& rows, const config& c, const python_peer& py)
{
    return "Measured by `apps/bench/update_readme_table.sh process` (`bench_process_pool`: " + describe_setup(c, py) +
           "). Python's `ProcessPoolExecutor` (`apps/bench/process_peer.py`) runs once per round, and the C++ "
           "baselines in the same run; speedup = how many times faster asyncjobs is than Python, "
           "vs baseline = asyncjobs' cost / the baseline's, lower is better.\n\n" +
           markdown_rows(table_columns, rows, cells);
}

std::string json_report(const std::vector<row>& rows, const sample_map& samples, const config& c, const python_peer& py)
{
    auto figures = json_figures(rows, [](const row& r, boost::json::object& f) {
        auto p = r.pass();
        f["higher_is_better"] = r.def.direction == better::higher;
        f["asyncjobs"] = json_number(r.ours);
        f["python"] = json_number(r.python);
        f["speedup"] = json_number(r.speedup.median);
        f["baseline"] = r.def.baseline;
        f["baseline_value"] = json_number(r.base);
        f["cost_vs_baseline"] = json_number(r.cost.median);
        f["target"] = r.def.target_text;
        f["result"] = result_cell(r);
        f["pass"] = p ? boost::json::value(*p) : boost::json::value(nullptr);
        f["asyncjobs_samples"] = json_array(r.ours_samples);
        f["python_samples"] = json_array(r.python_samples);
        f["baseline_samples"] = json_array(r.base_samples);
    });
    boost::json::array runs;
    for (auto& out : py.outputs())
        runs.push_back(peer_json(out));
    return asyncjobs_bench::json_report("bench_process_pool", describe_setup(c, py), "workers", c.workers, c,
                                        std::move(figures), samples, py.note(), "python_runs", std::move(runs));
}

// ---------------------------------------------------------------------------------------

int run(const config& c)
{
    const std::size_t bulk_n = c.scaled(20000);
    const std::size_t trips = c.scaled(2000);
    const std::size_t map1_n = c.scaled(20000);
    const std::size_t map_n = c.scaled(1000000);
    const std::size_t echo_reps = c.scaled(10);
    const std::size_t lifecycles = c.scaled(10);
    const std::size_t ballast_mib = 256;
    const std::string self = self_executable();

    python_peer py(c, c.workers, 1);
    if (py.enabled() && !c.quiet)
        std::fprintf(stderr, "the Python peer runs once per round: %s\n", py.command().c_str());

    fixture f(c.workers);
    std::vector<int> map1_input(map1_n), map_input(map_n);
    for (std::size_t i = 0; i < map_n; ++i)
        map_input[i] = static_cast<int>(i);
    for (std::size_t i = 0; i < map1_n; ++i)
        map1_input[i] = static_cast<int>(i);
    std::vector<std::uint8_t> payload(echo_size), pipe_back(echo_size), scratch(echo_size);
    for (std::size_t i = 0; i < echo_size; ++i)
        payload[i] = static_cast<std::uint8_t>(i % 251);
    asyncjobs::shared_buffer shared(echo_size);
    for (std::size_t i = 0; i < echo_size; ++i)
        shared.data()[i] = static_cast<std::byte>(i % 251);

    std::vector<group> groups = {
        {"bulk",
         {{"bulk.asyncjobs", [&] { return bulk_asyncjobs(f, bulk_n); }},
          {"bulk.pipe", [&] { return bulk_pipe(f, bulk_n); }}}},
        {"roundtrip", {variant([&](int round, sink& out) { round_trips(f, trips, round, out); })}},
        {"map",
         {{"map1.asyncjobs", [&] { return map_asyncjobs(f, map1_input, 1); }},
          {"map.asyncjobs", [&] { return map_asyncjobs(f, map_input, 0); }}}},
        {"echo",
         {{"echo.asyncjobs", [&] { return echo_asyncjobs(f, payload, echo_reps); }},
          {"echo.pipe", [&] { return echo_pipe(f, payload, pipe_back, echo_reps); }},
          {"echo.memcpy", [&] { return echo_memcpy(payload, scratch, echo_reps); }},
          {"echo.shared_buffer", [&] { return echo_shared_buffer(f, shared, false, echo_reps); }},
          {"echo.shared_buffer_copy", [&] { return echo_shared_buffer(f, shared, true, echo_reps); }}}},
        {"lifecycle",
         {variant([&](int, sink& out) { lifecycle(self, lifecycles, c.workers, 0, "lifecycle", out); }),
          variant([&](int, sink& out) { lifecycle(self, lifecycles, c.workers, ballast_mib, "lifecycle_rss", out); })}},
    };

    std::vector<row_def> defs = {
        {"bulk", "submit_bulk", "submit " + with_commas(bulk_n) + " no-op tasks, then get all", "us/task",
         better::lower, "bulk.asyncjobs", "python.submit_bulk_us_per_task", "bulk.pipe",
         "raw pipes to a child, 64 messages per write", target_kind::python_speedup_at_least, 20, ">= 20x Python"},
        {"roundtrip", "round_trip", "one at a time: submit, get (median trip)", "us", better::lower,
         "roundtrip.asyncjobs", "python.round_trip_us", "roundtrip.pipe", "raw pipe round trip to a child",
         target_kind::none, 0, ""},
        {"map", "map_chunksize_1", "map over " + with_commas(map1_n) + " no-op ints, chunksize 1", "us/item",
         better::lower, "map1.asyncjobs", "python.map_chunksize_1_us_per_item", "", "", target_kind::none, 0, ""},
        {"map", "map_auto", "map over " + with_commas(map_n) + " no-op ints, auto chunksize (Python: 1000)",
         "us/item", better::lower, "map.asyncjobs", "python.map_chunked_us_per_item", "", "",
         target_kind::python_speedup_at_least, 3, ">= 3x Python"},
        {"echo", "echo", "10 MiB std::vector<uint8_t> echoed (Python: bytes)", "MB/s", better::higher,
         "echo.asyncjobs", "python.echo_mb_per_s", "echo.pipe", "raw pipes (1 MiB) to a child and back",
         target_kind::at_least, 1500, ">= 1500 MB/s"},
        {"echo", "echo_vs_memcpy", "  ... vs copying it in-process", "MB/s", better::higher, "echo.asyncjobs", "",
         "echo.memcpy", "memcpy there and back (2 copies)", target_kind::none, 0, ""},
        {"echo", "shared_buffer_echo", "10 MiB shared_buffer echoed (by handle)", "MB/s", better::higher,
         "echo.shared_buffer", "", "echo.memcpy", "memcpy there and back (2 copies)", target_kind::none, 0, ""},
        {"echo", "shared_buffer_copy", "  ... the worker returns a copy it allocates", "MB/s", better::higher,
         "echo.shared_buffer_copy", "", "echo.memcpy", "memcpy there and back (2 copies)", target_kind::none, 0, ""},
        {"lifecycle", "start_task_stop", "pool start + first result + shutdown (fresh process)", "ms", better::lower,
         "lifecycle.asyncjobs", "python.start_task_stop_ms", "lifecycle.spawn",
         "posix_spawn this program, 1 pipe trip, exit", target_kind::at_most, 5, "<= 5 ms"},
        {"lifecycle", "start_task_stop_rss", "  ... from a process with " + std::to_string(ballast_mib) + " MiB resident",
         "ms", better::lower, "lifecycle_rss.asyncjobs", "", "lifecycle_rss.spawn",
         "posix_spawn this program, 1 pipe trip, exit", target_kind::none, 0, ""},
    };

    const double load_at_start = load_average();
    auto start = bench_clock::now();
    // The Python peer warms itself up in each run and runs in measured rounds only: before
    // our figures in odd rounds, after them in even ones.
    auto run_python = [&](int round, bool before, sample_map& samples) {
        if (round == 0 || before != (round % 2 == 1) || !py.enabled())
            return;
        if (auto figures = py.run(python_keys))
            for (auto& [key, value] : *figures)
                samples["python." + key].push_back(value);
        if (!c.quiet)
            std::fputs(" python", stderr);
    };
    sample_map samples = run_rounds(groups, c, start, run_python);

    if (double load_at_end = load_average(); !std::isnan(load_at_start) && !std::isnan(load_at_end)) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "load average %.1f at the start, %.1f at the end", load_at_start, load_at_end);
        machine_load = buf;
    }

    auto rows = make_rows<row>(defs, c, samples, [&](row& r) {
        if (!r.def.python.empty() && samples.count(r.def.python))
            r.python_samples = samples[r.def.python];
        if (!r.def.base.empty())
            r.base_samples = samples[r.def.base];
        r.ours = median(r.ours_samples);
        r.python = median(r.python_samples);
        r.base = median(r.base_samples);
        // Python's run i pairs with our round i: the same stretch of the run.
        r.speedup = pair_up(r.ours_samples, r.python_samples,
                            [&](double ours, double python) { return times_better(r.def.direction, ours, python); });
        r.cost = pair_up(r.ours_samples, r.base_samples,
                         [&](double ours, double base) { return 1.0 / times_better(r.def.direction, ours, base); });
    });

    write_outputs(
        c, markdown_table(rows, c, py), [&] { print_text(rows, c, py); },
        [&] { return json_report(rows, samples, c, py); }, py.note(), start);

    bool all_pass = std::all_of(rows.begin(), rows.end(), [](const row& r) { return r.pass().value_or(true); });
    return c.check_targets && !all_pass ? 1 : 0;
}

} // namespace

int main(int argc, char** argv)
{
    // The pool's workers are this program re-executed: this line makes them workers.
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;
    // The start baseline's child: this program re-executed as a raw-pipe echo loop.
    if (argc == 2 && std::strcmp(argv[1], echo_child_flag) == 0)
        return echo_loop(0, 1);
    // The start figure's fresh process.
    if (argc == 5 && std::strcmp(argv[1], lifecycle_flag) == 0) {
        try {
            return lifecycle_child_main(argv);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "bench_process_pool %s: %s\n", lifecycle_flag, e.what());
            return 1;
        }
    }
    config c;
    return bench_main(argc, argv, "bench_process_pool", options(c), [&] { return run(c); });
}
