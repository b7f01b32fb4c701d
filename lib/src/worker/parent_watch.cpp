// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "parent_watch.hpp"

#include <cerrno>
#include <csignal>
#include <thread>

#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace asyncjobs::detail {

namespace {

// The parent-death signal. Its default action also ends the worker, should a task reset
// the handler; SIGHUP because the parent hanging up is what it means here.
constexpr int parent_death_signal = SIGHUP;

// What to kill: the worker's process group when it leads one (the pool starts it so),
// else only the worker: killing a group it merely belongs to could hit the user's shell.
volatile pid_t kill_target = 0;

void kill_everything() noexcept { ::kill(kill_target, SIGKILL); }

extern "C" void on_parent_death(int) { kill_everything(); }

void watch(int parent_fd)
{
    pollfd p{parent_fd, POLLIN, 0};
    for (;;) {
        int r = ::poll(&p, 1, -1);
        if (r > 0)
            break;
        if (r < 0 && errno != EINTR)
            return;
    }
    kill_everything();
}

} // namespace

bool die_with_parent(long parent_pid)
{
    kill_target = ::getpgrp() == ::getpid() ? -::getpid() : ::getpid();
    struct sigaction action {};
    action.sa_handler = on_parent_death;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(parent_death_signal, &action, nullptr);
    ::prctl(PR_SET_PDEATHSIG, parent_death_signal);
    // The pidfd is opened before the check, so that it names the parent, not a stranger
    // given the pid after the parent died.
    long parent_fd = ::syscall(SYS_pidfd_open, static_cast<pid_t>(parent_pid), 0);
    // If the parent died before prctl, no signal comes, and getppid() already differs.
    if (::getppid() != parent_pid) {
        if (parent_fd >= 0)
            ::close(static_cast<int>(parent_fd));
        return false;
    }
    if (parent_fd >= 0) {
        try {
            std::thread(watch, static_cast<int>(parent_fd)).detach();
        } catch (...) {
            ::close(static_cast<int>(parent_fd));  // no thread: the signal alone guards
        }
    }
    return true;
}

} // namespace asyncjobs::detail
