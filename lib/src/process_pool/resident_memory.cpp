// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "resident_memory.hpp"

#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

namespace asyncjobs::detail {

namespace {

/// statm's first three fields (size, resident, shared), in bytes; false if unreadable.
bool read_statm(long pid, std::uint64_t& resident, std::uint64_t& shared) noexcept
{
    // statm rather than status: its fields are in pages, without a text scan.
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/statm", pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char text[128];
    ssize_t n = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (n <= 0)
        return false;
    text[n] = '\0';
    unsigned long long size = 0, pages = 0, shared_pages = 0;
    if (std::sscanf(text, "%llu %llu %llu", &size, &pages, &shared_pages) != 3)
        return false;
    static const long page = ::sysconf(_SC_PAGESIZE);
    const std::uint64_t bytes = static_cast<std::uint64_t>(page > 0 ? page : 4096);
    resident = pages * bytes;
    shared = shared_pages * bytes;
    return true;
}

} // namespace

std::uint64_t resident_bytes_of(long pid) noexcept
{
    std::uint64_t resident = 0, shared = 0;
    return read_statm(pid, resident, shared) ? resident : 0;
}

std::uint64_t private_bytes_of(long pid) noexcept
{
    std::uint64_t resident = 0, shared = 0;
    return read_statm(pid, resident, shared) && resident > shared ? resident - shared : 0;
}

} // namespace asyncjobs::detail
