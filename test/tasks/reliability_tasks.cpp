// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "reliability_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace reliability_tasks {

std::uint64_t chaos_step(std::uint64_t id, int mode, int spin_us, std::string log)
{
    // One descriptor per worker, opened on first use (a worker runs one task at a time).
    static std::string open_path;
    static int fd = -1;
    if (open_path != log) {
        if (fd >= 0)
            ::close(fd);
        fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        open_path = log;
    }
    if (fd >= 0 && ::write(fd, &id, sizeof id) != static_cast<ssize_t>(sizeof id))
        std::abort();
    if (mode == self_abort)
        std::abort();
    if (mode == self_exit)
        ::_exit(self_exit_code);
    auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(spin_us);
    while (std::chrono::steady_clock::now() < until) {
    }
    return answer(id);
}

long rendezvous(std::string dir, int n)
{
    namespace fs = std::filesystem;
    long pid = static_cast<long>(::getpid());
    int fd = ::open((fs::path(dir) / std::to_string(pid)).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
        ::close(fd);
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < give_up) {
        std::error_code ec;
        int entries = 0;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            ++entries;
        if (entries >= n)
            return pid;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return -1;
}

int add(int a, int b) { return a + b; }
int add_one(int x) { return x + 1; }
int sleep_ms(int ms)
{
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ms;
}
long self_pid(int) { return static_cast<long>(::getpid()); }

} // namespace reliability_tasks

ASYNCJOBS_TASK(reliability_tasks::chaos_step);
ASYNCJOBS_TASK(reliability_tasks::rendezvous);
ASYNCJOBS_TASK(reliability_tasks::add);
ASYNCJOBS_TASK(reliability_tasks::add_one);
ASYNCJOBS_TASK(reliability_tasks::sleep_ms);
ASYNCJOBS_TASK(reliability_tasks::self_pid);
