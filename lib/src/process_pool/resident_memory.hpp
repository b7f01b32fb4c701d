// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// A worker's resident memory, for stats() and the memory guard.
#ifndef ASYNCJOBS_SRC_RESIDENT_MEMORY_HPP
#define ASYNCJOBS_SRC_RESIDENT_MEMORY_HPP

#include <cstdint>

namespace asyncjobs::detail {

/// VmRSS of `pid` in bytes, from /proc/<pid>/statm (one small read, a few microseconds);
/// 0 when it cannot be read (the process has exited, or there is no /proc).
std::uint64_t resident_bytes_of(long pid) noexcept;

/// The part of VmRSS that is the process's own (RssAnon: statm's resident less its shared
/// field, which counts file and shared-memory pages), what the memory guard judges: the
/// pages of a shared_buffer a worker maps belong to the parent's arena, and a worker
/// killed for them would be killed for memory that its death does not free.
std::uint64_t private_bytes_of(long pid) noexcept;

} // namespace asyncjobs::detail

#endif
