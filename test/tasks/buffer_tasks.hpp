// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks of the shared_buffer suite (test/process/test_shared_buffer.cpp): buffers echoed,
// filled in place, made by the worker, held by a dying worker, and forged handles.
#ifndef ASYNCJOBS_TEST_BUFFER_TASKS_HPP
#define ASYNCJOBS_TEST_BUFFER_TASKS_HPP

#include <asyncjobs/shared_buffer.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace buffer_tasks {

/// The byte at `index` of pattern `seed`.
inline std::byte pattern_byte(std::size_t index, std::uint32_t seed) noexcept
{
    std::uint32_t x = static_cast<std::uint32_t>(index) * 2654435761u + seed * 40503u + 7u;
    return static_cast<std::byte>((x ^ (x >> 13)) & 0xFF);
}

/// Writes pattern `seed` over all of `b`.
void write_pattern(const asyncjobs::shared_buffer& b, std::uint32_t seed) noexcept;
/// The first index where `b` differs from pattern `seed`, or b.size() if none.
std::size_t first_mismatch(const asyncjobs::shared_buffer& b, std::uint32_t seed) noexcept;

/// Returns `b` itself.
asyncjobs::shared_buffer echo(asyncjobs::shared_buffer b);
/// Fills `b` in place with pattern `seed`; returns the address the worker saw it at.
std::uint64_t fill(asyncjobs::shared_buffer b, std::uint32_t seed);
/// A buffer of `size` bytes the worker allocates and fills with pattern `seed`.
asyncjobs::shared_buffer make(std::uint64_t size, std::uint32_t seed);
/// The first index where `b` differs from pattern `seed` (b.size() if none).
std::uint64_t check(asyncjobs::shared_buffer b, std::uint32_t seed);
/// Reads `b`, then dies (SIGKILL) while the file `counter` has at most `deaths` bytes after
/// this try appended one; else returns check(b, seed).
std::uint64_t check_dying_first(asyncjobs::shared_buffer b, std::uint32_t seed, std::string counter, int deaths);
/// Waits until the file `go` exists (60 s at most), then fills `b` with pattern `seed`.
std::uint64_t fill_when(asyncjobs::shared_buffer b, std::uint32_t seed, std::string go);
/// Fills `b` with pattern `seed`, then holds its pages mapped for `hold_ms` milliseconds.
std::uint64_t fill_and_hold(asyncjobs::shared_buffer b, std::uint32_t seed, int hold_ms);
/// Returns a buffer whose handle says `id`, `offset` and `size`: a worker that lies.
asyncjobs::shared_buffer forge(std::uint64_t id, std::uint64_t offset, std::uint64_t size);

} // namespace buffer_tasks

#endif
