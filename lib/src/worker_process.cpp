// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "worker_process.hpp"

#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>

#include <boost/process/v2/stdio.hpp>

#include <csignal>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace asyncjobs::detail {

namespace {

namespace bp2 = boost::process::v2;

/// Closes every descriptor not in `keep`. Boost.Process 1.81 means to do this but its
/// Linux close_all() compares each whitelisted fd with itself instead of the next one, so
/// descriptors between two whitelisted ones (a parent's fd 5 when the whitelist is
/// {0..4, 10}) leak into the worker. No allocation: this runs between fork and exec.
void close_unlisted_fds(const std::vector<int>& keep) noexcept
{
    constexpr std::size_t max_kept = 32;
    int sorted[max_kept];
    std::size_t n = 0;
    for (int fd : keep)
        if (n < max_kept)
            sorted[n++] = fd;
    for (std::size_t i = 1; i < n; ++i)
        for (std::size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; --j)
            std::swap(sorted[j - 1], sorted[j]);
    unsigned next = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (sorted[i] < 0 || static_cast<unsigned>(sorted[i]) < next)
            continue;
        if (static_cast<unsigned>(sorted[i]) > next)
            ::close_range(next, static_cast<unsigned>(sorted[i]) - 1, 0);
        next = static_cast<unsigned>(sorted[i]) + 1;
    }
    ::close_range(next, ~0u, 0);
}

/// Puts the pipe ends on the worker's fds 3 and 4, and the shared regions (if any) on 5
/// and 6. Not posix::bind_fd: in Boost 1.81 its on_setup() does not return a value, which
/// crashes optimized builds.
struct worker_fds_binding {
    int calls;
    int replies;
    int call_region;   ///< -1: none
    int reply_region;  ///< -1: none

    template <class Launcher>
    bp2::error_code on_setup(Launcher& launcher, const bp2::filesystem::path&, const char* const*)
    {
        launcher.fd_whitelist.push_back(worker_call_fd);
        launcher.fd_whitelist.push_back(worker_reply_fd);
        if (call_region >= 0 && reply_region >= 0) {
            launcher.fd_whitelist.push_back(worker_call_region_fd);
            launcher.fd_whitelist.push_back(worker_reply_region_fd);
        }
        return {};
    }

    template <class Launcher>
    bp2::error_code on_exec_setup(Launcher&, const bp2::filesystem::path&, const char* const*)
    {
        // Move every source above the targets first, so that no dup2 can overwrite another's
        // source; dup2 clears close-on-exec on the targets.
        int sources[] = {calls, replies, call_region, reply_region};
        const int targets[] = {worker_call_fd, worker_reply_fd, worker_call_region_fd, worker_reply_region_fd};
        std::size_t count = call_region >= 0 && reply_region >= 0 ? 4 : 2;
        for (std::size_t i = 0; i < count; ++i)
            if ((sources[i] = ::fcntl(sources[i], F_DUPFD_CLOEXEC, 10)) < 0)
                return bp2::error_code(errno, bp2::system_category());
        for (std::size_t i = 0; i < count; ++i)
            if (::dup2(sources[i], targets[i]) < 0)
                return bp2::error_code(errno, bp2::system_category());
        return {};
    }
};

/// Runs in the child between fork and exec, after the pipes are bound.
struct worker_child_setup {
    template <class Launcher>
    bp2::error_code on_exec_setup(Launcher& launcher, const bp2::filesystem::path&, const char* const*)
    {
        close_unlisted_fds(launcher.fd_whitelist);
        // Its own process group, so that killing the worker takes whatever its task started.
        ::setpgid(0, 0);
        // The parent's I/O thread blocks SIGPIPE; the worker must start with a clean mask.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        return {};
    }
};

struct pipe_fds {
    int read = -1;
    int write = -1;
    pipe_fds()
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            throw std::system_error(errno, std::generic_category(), "asyncjobs: cannot create a pipe for a worker");
        read = fds[0];
        write = fds[1];
        // Large payloads cross in far fewer wake-ups with a 1 MiB pipe (best effort: the
        // system limit may be lower).
        ::fcntl(read, F_SETPIPE_SZ, 1 << 20);
    }
    pipe_fds(const pipe_fds&) = delete;
    pipe_fds& operator=(const pipe_fds&) = delete;
    ~pipe_fds()
    {
        if (read >= 0)
            ::close(read);
        if (write >= 0)
            ::close(write);
    }
    int release_read() noexcept { return std::exchange(read, -1); }
    int release_write() noexcept { return std::exchange(write, -1); }
};

bp2::process spawn(boost::asio::io_context& io, const std::string& executable, std::size_t max_payload,
                   worker_fds_binding fds)
{
    std::string parent = std::to_string(::getpid());
    std::string payload = std::to_string(max_payload);
    return bp2::process(io, bp2::filesystem::path(executable), {std::string(worker_flag), parent, payload},
                        bp2::process_stdio{nullptr, {}, {}}, fds,
                        worker_child_setup{});
}

} // namespace

worker_process::worker_process(boost::asio::io_context& io, const std::string& executable, std::size_t max_payload)
    : calls_(io)
    , replies_(io)
    , call_region_(shared_region::create("asyncjobs-calls", frame_header_size + max_payload))
    , reply_region_(shared_region::create("asyncjobs-replies", frame_header_size + max_payload))
    , process_(io)
{
    pipe_fds call_pipe;
    pipe_fds reply_pipe;
    if (!call_region_.valid() || !reply_region_.valid()) {
        call_region_ = {};
        reply_region_ = {};
    }
    process_ = spawn(io, executable, max_payload,
                     worker_fds_binding{call_pipe.read, reply_pipe.write, call_region_.fd(), reply_region_.fd()});
    pid_ = process_.id();
    // The child also does this before exec; doing it here too closes the window in which
    // a kill of the group would find no group.
    ::setpgid(static_cast<pid_t>(pid_), static_cast<pid_t>(pid_));
    calls_.assign(call_pipe.release_write());
    replies_.assign(reply_pipe.release_read());
}

void worker_process::signal_group(int signal) noexcept
{
    if (pid_ > 0) {
        ::kill(-static_cast<pid_t>(pid_), signal);
        ::kill(static_cast<pid_t>(pid_), signal);
    }
}

std::string worker_process::describe_status(int status)
{
    if (status == -1)
        return "an unknown status";
    if (WIFEXITED(status))
        return "exit code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char* name = ::strsignal(sig);
        return "signal " + std::to_string(sig) + " (" + (name ? name : "unknown") + ")";
    }
    return "wait status " + std::to_string(status);
}

} // namespace asyncjobs::detail
