// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "resident_memory.hpp"

#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

namespace asyncjobs::detail {

std::uint64_t resident_bytes_of(long pid) noexcept
{
    // statm rather than status: its second field is VmRSS in pages, without a text scan.
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/statm", pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char text[128];
    ssize_t n = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    unsigned long long size = 0, resident = 0;
    if (std::sscanf(text, "%llu %llu", &size, &resident) != 2)
        return 0;
    static const long page = ::sysconf(_SC_PAGESIZE);
    return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

} // namespace asyncjobs::detail
