// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Resources: create/submit/destroy cycles of process pools leave descriptors, children and
// memory where they were; a pool's parent killed with SIGKILL leaves no worker behind; a
// worker whose parent is stopped does not spin, and the pool works again after SIGCONT.
// Run as: test_resources -- <test_worker>.
#define BOOST_TEST_MODULE resources
#include <boost/test/unit_test.hpp>

#include "support.hpp"
#include "reliability_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace std::chrono_literals;
namespace rt = reliability_tasks;
using reliability::scaled;

namespace {

std::string worker_path()
{
    auto& suite = boost::unit_test::framework::master_test_suite();
    BOOST_TEST_REQUIRE(suite.argc > 1, "run as: test_resources -- <test_worker>");
    return suite.argv[1];
}

asyncjobs::process_pool_options options(std::size_t workers)
{
    asyncjobs::process_pool_options o;
    o.max_workers = workers;
    o.worker_executable = worker_path();
    return o;
}

/// test_worker --pool-parent: a separate program that owns a process pool, talked
/// to over its stdin and stdout. Spawned with posix_spawn (this process has threads).
class pool_parent {
public:
    pool_parent(int workers, const std::string& dir)
    {
        int in[2], out[2];
        BOOST_TEST_REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
        BOOST_TEST_REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        std::string exe = worker_path(), count = std::to_string(workers);
        std::vector<char*> argv{exe.data(), const_cast<char*>("--pool-parent"), count.data(),
                                const_cast<char*>(dir.c_str()), nullptr};
        pid_t pid = 0;
        int rc = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        to_ = in[1];
        from_ = out[0];
        BOOST_TEST_REQUIRE(rc == 0);
        pid_ = pid;
    }
    pool_parent(const pool_parent&) = delete;
    pool_parent& operator=(const pool_parent&) = delete;
    ~pool_parent()
    {
        if (to_ >= 0)
            ::close(to_);
        if (from_ >= 0)
            ::close(from_);
        if (pid_ > 0) {
            ::kill(pid_, SIGCONT);
            ::kill(pid_, SIGKILL);
            reap();
        }
    }

    pid_t pid() const noexcept { return pid_; }

    /// One line of its output, or "" after `timeout` or at end of file.
    std::string read_line(std::chrono::milliseconds timeout = 60s)
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            auto nl = buffer_.find('\n');
            if (nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                return {};
            pollfd p{from_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
                continue;
            char chunk[512];
            ssize_t n = ::read(from_, chunk, sizeof chunk);
            if (n <= 0)
                return {};
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    void send(const std::string& line)
    {
        std::string text = line + "\n";
        BOOST_TEST_REQUIRE(::write(to_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    }

    /// The worker pids it printed at start.
    std::vector<long> worker_pids()
    {
        std::string line = read_line();
        BOOST_TEST_REQUIRE(line.rfind("pids", 0) == 0, "the pool parent said '" << line << "' instead of its pids");
        std::istringstream in(line.substr(4));
        std::vector<long> pids;
        for (long pid; in >> pid;)
            pids.push_back(pid);
        return pids;
    }

    void reap()
    {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
    int to_ = -1;
    int from_ = -1;
    std::string buffer_;
};

std::string fresh_dir(const std::string& what)
{
    auto dir = std::filesystem::temp_directory_path() /
               ("asyncjobs-" + what + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directory(dir);
    return dir.string();
}

} // namespace

BOOST_AUTO_TEST_CASE(create_submit_destroy_cycles_leave_nothing_behind)
{
    const std::size_t cycles = scaled(1000, 100);
    // One warm-up cycle first: the first pool loads what stays loaded (Asio's services,
    // the allocator's arenas, the completion pool's thread stack cache).
    {
        asyncjobs::process_pool_executor pool(options(1));
        BOOST_TEST_REQUIRE(pool.submit(rt::add, 1, 2).get() == 3);
    }
    const std::size_t fds = reliability::open_fds();
    const std::size_t rss = reliability::rss_bytes();
    BOOST_TEST_REQUIRE(reliability::no_children());
    auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < cycles; ++i) {
        asyncjobs::process_pool_executor pool(options(1 + i % 2));
        auto f = pool.submit(rt::add, static_cast<int>(i), 1);
        BOOST_TEST_REQUIRE((f.wait_for(60s) == std::future_status::ready));
        BOOST_TEST_REQUIRE(f.get() == static_cast<int>(i) + 1);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::size_t fds_after = reliability::open_fds();
    const std::size_t rss_after = reliability::rss_bytes();
    std::printf("resources: %zu create/submit/destroy cycles in %.1f s; fds %zu -> %zu; RSS %.1f MB -> %.1f MB; "
                "children left: %zu\n",
                cycles, seconds, fds, fds_after, rss / 1e6, rss_after / 1e6, reliability::children().size());
    BOOST_TEST(fds_after == fds);
    BOOST_TEST(reliability::no_children(), "a worker was left behind (or a zombie)");
    BOOST_TEST(rss_after <= rss + (std::size_t{20} << 20), "RSS grew by more than 20 MB over the cycles");
}

BOOST_AUTO_TEST_CASE(workers_die_with_a_sigkilled_parent)
{
    const std::string dir = fresh_dir("orphans");
    std::vector<long> pids;
    {
        pool_parent parent(2, dir);
        pids = parent.worker_pids();
        BOOST_TEST_REQUIRE(pids.size() == 2u);
        for (long pid : pids)
            BOOST_TEST_REQUIRE(reliability::alive(pid));
        BOOST_TEST_REQUIRE(::kill(parent.pid(), SIGKILL) == 0);
        auto killed = std::chrono::steady_clock::now();
        parent.reap();
        // Poll generously; the requirement is "gone within about a second", asserted with slack.
        bool gone = false;
        while (!gone && std::chrono::steady_clock::now() - killed < 5s) {
            gone = true;
            for (long pid : pids)
                gone = gone && !reliability::alive(pid);
            if (!gone)
                std::this_thread::sleep_for(1ms);
        }
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - killed).count();
        std::printf("resources: workers of a SIGKILLed parent gone after %.1f ms\n", ms);
        BOOST_TEST(gone, "a worker outlived its SIGKILLed parent by 5 s");
    }
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(workers_of_a_stopped_parent_do_not_spin)
{
    const std::string dir = fresh_dir("stopped");
    {
        pool_parent parent(2, dir);
        auto pids = parent.worker_pids();
        BOOST_TEST_REQUIRE(pids.size() == 2u);
        parent.send("run");
        BOOST_TEST_REQUIRE(parent.read_line() == "ok 36");

        BOOST_TEST_REQUIRE(::kill(parent.pid(), SIGSTOP) == 0);
        std::this_thread::sleep_for(100ms);  // let the stop land
        std::vector<long> before;
        for (long pid : pids)
            before.push_back(reliability::cpu_ticks(pid));
        std::this_thread::sleep_for(1s);
        const long hz = ::sysconf(_SC_CLK_TCK);
        for (std::size_t i = 0; i < pids.size(); ++i) {
            long used = reliability::cpu_ticks(pids[i]) - before[i];
            std::printf("resources: worker %ld used %ld of %ld clock ticks in 1 s while its parent was stopped\n",
                        pids[i], used, hz);
            BOOST_TEST(reliability::alive(pids[i]));
            // A spinning worker would use about hz ticks; an idle one 0. Allow scheduler noise.
            BOOST_TEST(used <= hz / 10, "a worker spins while its parent is stopped");
        }
        BOOST_TEST_REQUIRE(::kill(parent.pid(), SIGCONT) == 0);
        parent.send("run");
        BOOST_TEST(parent.read_line() == "ok 36");
    }
    std::filesystem::remove_all(dir);
}
