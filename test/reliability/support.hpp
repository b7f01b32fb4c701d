// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Helpers of the reliability suites: /proc readings (descriptors, children, memory, CPU
// time) and the scale of each run (smaller under sanitizers, but still meaningful).
#ifndef ASYNCJOBS_TEST_RELIABILITY_SUPPORT_HPP
#define ASYNCJOBS_TEST_RELIABILITY_SUPPORT_HPP

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace reliability {

#ifdef ASYNCJOBS_TEST_SANITIZED
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif

/// `release` in an optimized plain build, `sanitized_count` under a sanitizer.
constexpr std::size_t scaled(std::size_t release, std::size_t sanitized_count) noexcept
{
    return sanitized ? sanitized_count : release;
}

/// The seed of a run: ASYNCJOBS_TEST_SEED if set (to replay a failure), else a fixed one.
inline std::uint64_t seed()
{
    if (const char* s = std::getenv("ASYNCJOBS_TEST_SEED"))
        return std::strtoull(s, nullptr, 10);
    return 20260501;
}

inline std::size_t open_fds()
{
    std::size_t n = 0;
    for ([[maybe_unused]] auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

/// Fields of /proc/<pid>/stat after the command name: [0] is the state (field 3).
inline std::vector<std::string> proc_stat(long pid)
{
    // Plain read(): a process that exits while it is read makes read() fail (ESRCH), which
    // libstdc++'s filebuf turns into an exception.
    std::vector<std::string> fields;
    std::string text;
    int fd = ::open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fields;
    char buffer[1024];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    auto close = text.rfind(')');
    if (close == std::string::npos)
        return fields;
    std::istringstream rest(text.substr(close + 1));
    for (std::string f; rest >> f;)
        fields.push_back(f);
    return fields;
}

/// A process that still exists and is not a zombie (a killed worker whose new parent has
/// not reaped it yet is gone for our purposes: it runs nothing and holds nothing).
inline bool alive(long pid)
{
    auto f = proc_stat(pid);
    return !f.empty() && f[0] != "Z" && f[0] != "X";
}

inline long parent_of(long pid)
{
    auto f = proc_stat(pid);
    return f.size() > 1 ? std::stol(f[1]) : -1;
}

/// utime + stime of a process, in clock ticks.
inline long cpu_ticks(long pid)
{
    auto f = proc_stat(pid);
    return f.size() > 12 ? std::stol(f[11]) + std::stol(f[12]) : -1;
}

/// The children of this process (any state, zombies included), from a /proc scan.
inline std::vector<long> children()
{
    std::vector<long> found;
    long self = static_cast<long>(::getpid());
    for (auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        long pid = std::stol(name);
        if (parent_of(pid) == self)
            found.push_back(pid);
    }
    return found;
}

/// True when this process has no child at all: waitpid finds none (ECHILD), so none is a
/// zombie waiting to be reaped, and the /proc scan agrees.
inline bool no_children()
{
    errno = 0;
    int status = 0;
    pid_t r = ::waitpid(-1, &status, WNOHANG);
    return r == -1 && errno == ECHILD && children().empty();
}

/// Resident set size in bytes (/proc/self/statm).
inline std::size_t rss_bytes()
{
    std::ifstream in("/proc/self/statm");
    std::size_t size = 0, resident = 0;
    in >> size >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

} // namespace reliability

#endif
