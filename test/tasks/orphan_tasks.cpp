// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "orphan_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <chrono>
#include <csignal>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

extern char** environ;

namespace orphan_tasks {

long spawn_sleeper(int)
{
    char sleep[] = "sleep";
    char seconds[] = "1000";
    char* argv[] = {sleep, seconds, nullptr};
    pid_t pid = -1;
    if (int e = ::posix_spawnp(&pid, "sleep", nullptr, nullptr, argv, environ))
        throw std::system_error(e, std::generic_category(), "posix_spawnp sleep");
    return pid;
}

long fork_holder(bool new_session, long watched, int then_sleep_ms)
{
    pid_t pid = ::fork();
    if (pid < 0)
        throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
        if (new_session)
            ::setsid();
        int null = ::open("/dev/null", O_RDWR);
        for (int fd = 0; fd < 3; ++fd)
            ::dup2(null, fd);
        for (int i = 0; i < 1200 && ::kill(static_cast<pid_t>(watched), 0) == 0; ++i)
            ::usleep(100 * 1000);
        ::_exit(0);
    }
    if (then_sleep_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(then_sleep_ms));
    return pid;
}

} // namespace orphan_tasks

ASYNCJOBS_TASK(orphan_tasks::spawn_sleeper);
ASYNCJOBS_TASK(orphan_tasks::fork_holder);
