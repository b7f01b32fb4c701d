// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// `factorize --serve ADDR:PORT`: the app as an HTTP/1.1 JSON service on Boost.Beast.
//   POST /factorize  {"numbers": [12, 35], "algorithm": "rho"}  -> the JSON of --format json
//   GET  /healthz    -> {"status":"ok"}
//   GET  /metrics    -> Prometheus text (requests, in flight, failures, workers, latency)
// One io_context thread runs every connection as a coroutine; the numbers run on a pool and
// are awaited with co_await, so that thread never blocks (except in the --serve-blocking
// baseline, which exists to be measured against).
#ifndef FACTORIZE_SERVE_HPP
#define FACTORIZE_SERVE_HPP

#include "drivers.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace factorize {

struct listen_address {
    std::string host;  ///< a numeric IPv4 or IPv6 address
    unsigned short port = 0;  ///< 0: any free port (the server prints the one it got)
};

/// "127.0.0.1:8080", "[::1]:8080", "localhost:8080" (127.0.0.1), ":8080" (127.0.0.1).
/// Throws input_error naming the text.
listen_address parse_listen_address(std::string_view text);

struct serve_config {
    listen_address listen{"127.0.0.1", 8080};
    pool_config pool;  ///< threads or processes (serial would run on the io thread: refused)
    std::optional<u64> crash_on;  ///< processes only: the task of this number abort()s (testing aid)
    std::size_t max_body = 1 << 20;  ///< bytes of a request body; more: 413
    std::size_t max_numbers = 10000;  ///< numbers in one request; more: 413
    std::size_t max_in_flight = 64;  ///< POST /factorize at once; more: 503 with Retry-After
    std::chrono::milliseconds request_timeout{30000};  ///< longer: 504 (and pending numbers are cancelled)
    bool blocking_get = false;  ///< benchmark baseline: wait with get() on the io thread
    bool lag_probe = false;  ///< benchmark aid: a 1 ms timer measures the io thread's lag; GET /lag reads it
};

/// Serves until SIGINT or SIGTERM, then stops gracefully: no new connections, idle ones
/// are closed, requests already received are answered (with Connection: close), and it
/// returns 0 once they are. Prints "factorize: serving on http://HOST:PORT" on stdout when
/// it listens. Throws if it cannot listen.
int serve(const serve_config& config);

} // namespace factorize

#endif
