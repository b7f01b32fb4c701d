// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "worker_process.hpp"

#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>

#include "common/shared_arena.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace asyncjobs::detail {

namespace {

namespace bp2 = boost::process::v2;

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

/// Starts the worker with posix_spawn and hands it to Boost.Process v2, which then owns it
/// (pidfd, asynchronous wait, reaping). Boost.Process 1.81's launchers fork, and a fork
/// copies the parent's page tables and then makes every parent thread fault in copies of
/// the pages it writes: measured here, a worker took 104 ms to start from a parent with
/// 256 MiB resident, against 9.7 ms for posix_spawn (glibc's clone(CLONE_VM|CLONE_VFORK),
/// with signals blocked). Its vfork_launcher is no way out: in the child it notifies the
/// io_context of the fork, which rebuilds the reactor in memory it shares with the parent.
/// posix_spawn also spares us 1.81's fd-closing bugs (bind_fd::on_setup returns no value;
/// close_all() skips descriptors between whitelisted ones).
///
/// argv: the program, the worker flag, this process's pid, max_payload, and the nice
/// value when it is not 0. The child gets: stdin /dev/null, the parent's stdout and stderr, the pipe ends on fds 3
/// and 4, the shared regions (if any) on 5 and 6, the claim board (if any) on 7, the image it
/// runs (if the worker is this program) on 8, the shared arena (if any) on 9, nothing else; the worker marker in its
/// environment; its own process group, so
/// that killing the worker takes what its task started; an empty signal mask (the parent's
/// I/O thread blocks SIGPIPE).
pid_t spawn(const std::string& executable, int image, std::size_t max_payload, int nice, int calls, int replies,
            int call_region, int reply_region, int claims, int arena)
{
    std::string parent = std::to_string(::getpid());
    std::string payload = std::to_string(max_payload);
    std::string flag = worker_flag;
    // posix_spawn cannot lower the child's priority, and setpriority() from here would miss
    // the threads the worker starts first: the worker applies argv[4] itself, first thing.
    std::string niceness = std::to_string(nice);
    char* argv[] = {const_cast<char*>(executable.c_str()), flag.data(), parent.data(), payload.data(),
                    nice ? niceness.data() : nullptr, nullptr};

    // What goes where in the child: the pipes, the regions and the claim board when there
    // are some, and the running image when the worker is this program.
    std::vector<std::pair<int, int>> moves{{calls, worker_call_fd}, {replies, worker_reply_fd}};
    if (call_region >= 0 && reply_region >= 0) {
        moves.emplace_back(call_region, worker_call_region_fd);
        moves.emplace_back(reply_region, worker_reply_region_fd);
        if (claims >= 0)
            moves.emplace_back(claims, worker_claim_board_fd);
    }
    if (image >= 0)
        moves.emplace_back(image, worker_executable_fd);
    if (arena >= 0)
        moves.emplace_back(arena, worker_arena_fd);
    const int highest_target = moves.back().second;
    // Each source is first copied above every source, then onto its target, so that no
    // dup2 can overwrite a source still to be copied; dup2 clears close-on-exec.
    int above = 0;
    for (auto& m : moves)
        above = std::max(above, m.first + 1);
    // Those copies must fit under RLIMIT_NOFILE, or the child's dup2 fails with EBADF
    // ("Bad file descriptor"), which hides the real cause: this process is out of descriptors.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
        auto needed = static_cast<rlim_t>(std::max(above + static_cast<int>(moves.size()), highest_target + 1));
        if (needed > files.rlim_cur)
            throw std::system_error(EMFILE, std::generic_category(),
                                    "asyncjobs: too many open files to start a worker (it needs descriptors up to " +
                                        std::to_string(needed - 1) + " and RLIMIT_NOFILE is " +
                                        std::to_string(files.rlim_cur) + ")");
    }

    // The environment marks the child as a worker (worker_protocol.hpp): if its main
    // skips the worker loop and builds a pool, that pool refuses to start workers.
    std::string marker = std::string(worker_marker_variable) + "=" + std::to_string(image >= 0 ? worker_executable_fd : -1);
    std::vector<char*> environment;
    const std::size_t prefix = std::strlen(worker_marker_variable);
    for (char** e = environ; e && *e; ++e)
        if (std::strncmp(*e, worker_marker_variable, prefix) != 0 || (*e)[prefix] != '=')
            environment.push_back(*e);
    environment.push_back(marker.data());
    environment.push_back(nullptr);
    // The running image by its descriptor in the child: execve of /proc/self/fd/N runs
    // the very file this parent runs, whatever the path now holds.
    std::string path = image >= 0 ? "/proc/self/fd/" + std::to_string(worker_executable_fd) : executable;

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    if (int e = ::posix_spawn_file_actions_init(&actions))
        throw std::system_error(e, std::generic_category(), "asyncjobs: cannot prepare a worker's start");
    if (int e = ::posix_spawnattr_init(&attributes)) {
        ::posix_spawn_file_actions_destroy(&actions);
        throw std::system_error(e, std::generic_category(), "asyncjobs: cannot prepare a worker's start");
    }
    int error = ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    for (std::size_t i = 0; i < moves.size() && !error; ++i)
        error = ::posix_spawn_file_actions_adddup2(&actions, moves[i].first, above + static_cast<int>(i));
    for (std::size_t i = 0; i < moves.size() && !error; ++i)
        error = ::posix_spawn_file_actions_adddup2(&actions, above + static_cast<int>(i), moves[i].second);
    // Targets skipped below the highest one (no regions, but the image on fd 8) are closed.
    for (int fd = worker_reply_fd + 1; fd < highest_target && !error; ++fd)
        if (std::none_of(moves.begin(), moves.end(), [fd](auto& m) { return m.second == fd; }))
            error = ::posix_spawn_file_actions_addclose(&actions, fd);
    if (!error)
        error = ::posix_spawn_file_actions_addclosefrom_np(&actions, highest_target + 1);
    sigset_t no_signals;
    sigemptyset(&no_signals);
    if (!error)
        error = ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    if (!error)
        error = ::posix_spawnattr_setpgroup(&attributes, 0);
    if (!error)
        error = ::posix_spawnattr_setsigmask(&attributes, &no_signals);
    pid_t pid = -1;
    if (!error)
        error = ::posix_spawn(&pid, path.c_str(), &actions, &attributes, argv, environment.data());
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attributes);
    if (error)
        throw std::system_error(error, std::generic_category(), "asyncjobs: cannot start the worker program");
    return pid;
}

} // namespace

worker_process::worker_process(boost::asio::io_context& io, const std::string& executable, int image,
                               std::size_t max_payload, int nice)
    : calls_(io)
    , replies_(io)
    , call_region_(shared_region::create("asyncjobs-calls", frame_header_size + max_payload))
    , reply_region_(shared_region::create("asyncjobs-replies", frame_header_size + max_payload))
    , claims_(claim_board::create())
    , process_(io)
    , exit_watch_(io)
{
    pipe_fds call_pipe;
    pipe_fds reply_pipe;
    if (!call_region_.valid() || !reply_region_.valid()) {
        call_region_ = {};
        reply_region_ = {};
        claims_ = {};
    }
    int arena_fd = -1;
    arena_ = arena_for_workers(arena_fd);
    pid_t pid = spawn(executable, image, max_payload, nice, call_pipe.read, reply_pipe.write, call_region_.fd(),
                      reply_region_.fd(), claims_.fd(), arena_fd);
    pid_ = pid;
    try {
        process_ = bp2::process(io.get_executor(), pid);
    } catch (...) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw;
    }
    // A pidfd of our own, so that the wait is ours (see async_wait) while process_ still owns
    // the child: it kills and reaps it if this object goes first. (Boost 1.81's
    // basic_process::native_handle() does not compile, so it is not a duplicate of
    // process_'s.) Without pidfd_open, async_wait falls back to Boost.Process's own wait.
    if (long pidfd = ::syscall(SYS_pidfd_open, pid, 0); pidfd >= 0)
        exit_watch_.assign(static_cast<int>(pidfd));
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

void worker_process::kill_leftovers() noexcept
{
    // Only the group: the worker's own pid may already belong to another process.
    if (pid_ > 0)
        ::kill(-static_cast<pid_t>(pid_), SIGKILL);
}

std::string worker_process::describe_status(int status)
{
    if (status == -1) {
        // waitpid found no child: the kernel reaped it (SIGCHLD ignored) or someone else did.
        struct sigaction current {};
        if (::sigaction(SIGCHLD, nullptr, &current) == 0 &&
            (current.sa_handler == SIG_IGN || (current.sa_flags & SA_NOCLDWAIT) != 0))
            return "an unknown status (this program sets SIGCHLD to SIG_IGN or SA_NOCLDWAIT, so the kernel "
                   "discarded the worker's exit status; leave SIGCHLD at its default to see why workers die)";
        return "an unknown status (another part of this program reaped the worker first: a waitpid(-1) or a "
               "SIGCHLD handler that waits for any child; wait only for your own children's pids to see why "
               "workers die)";
    }
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
