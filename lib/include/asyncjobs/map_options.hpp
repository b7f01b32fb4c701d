// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_MAP_OPTIONS_HPP
#define ASYNCJOBS_MAP_OPTIONS_HPP

// What executor::map() takes besides the function and the input, and the limits of its
// automatic chunks (executor.hpp: map(); map.hpp: what it returns).

#include <asyncjobs/timeout.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>

namespace asyncjobs {

/// The largest map_options::chunksize: inputs in one task. A chunk is read and reserved
/// up front; far below this a task's overhead (microseconds) is already amortized.
inline constexpr std::size_t map_max_chunksize = std::size_t{1} << 24;

/// The largest map_options::window: tasks in flight at once, each holding a future.
inline constexpr std::size_t map_max_window = std::size_t{1} << 20;

/// How executor::map() cuts its input into tasks. map() throws std::invalid_argument
/// naming the field for a value out of range (a negative number assigned to these
/// std::size_t fields becomes a huge one, and is caught the same way).
struct map_options {
    /// Inputs per task, at most map_max_chunksize. 0 chooses it automatically: chunks grow
    /// until each task runs for about the executor's chunk target, but no faster than the
    /// reader consumes results (map_auto_chunk_limit), and shrink near the end of a sized input.
    std::size_t chunksize = 0;
    /// Tasks in flight at most (up to map_max_window); input is read only as far as this
    /// window reaches. 0 means default_map_window(max_workers()): 16 per worker.
    std::size_t window = 0;
    /// One deadline for the whole map, counted from the call (Python's semantics):
    /// reading a result past it throws timeout_error.
    std::optional<timeout_duration> timeout{};
};

/// The default window of map(): 16 chunks per worker. Results are read in input order, so
/// one slow element holds the reader while the other workers run ahead; with 4 chunks per
/// worker they ran out of work behind it (factorize --bench, where one number can cost 1000
/// times another: threads reached 1.48x on 2 cores with map, 1.97x with as_completed).
constexpr std::size_t default_map_window(std::size_t workers) noexcept
{
    return 16 * (workers ? workers : 1);
}

/// The largest chunk map() chooses on its own (chunksize = 0), however cheap the calls.
inline constexpr std::size_t map_max_auto_chunk = std::size_t{1} << 16;

/// Automatic chunks hold at most this many inputs until the reader has consumed results.
inline constexpr std::size_t map_first_auto_chunk_limit = 64;

/// The largest automatic chunk map() submits once the reader has taken `consumed` results
/// off a window of `window` chunks: chunks grow with the measured call cost only as fast as
/// the reader keeps up (the window then holds at most 4 x consumed inputs, or
/// window x map_first_auto_chunk_limit). Without this a reader that stopped after 1,000
/// results of a cheap function had made map() read about a million inputs, because chunks
/// had grown to map_max_auto_chunk while it read.
///
/// So a reader that stops after n results has made map() read at most
/// c + window * map_auto_chunk_limit(c, window) inputs, c = n + map_auto_chunk_limit(n, window)
/// (the results read, the rest of the chunk being read, and the window ahead).
constexpr std::size_t map_auto_chunk_limit(std::size_t consumed, std::size_t window) noexcept
{
    std::size_t by_reader = 4 * consumed / (window ? window : 1);
    return std::clamp(by_reader, map_first_auto_chunk_limit, map_max_auto_chunk);
}

} // namespace asyncjobs

#endif
