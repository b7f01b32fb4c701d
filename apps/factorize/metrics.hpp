// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// What `factorize --serve` counts, and its Prometheus text exposition (GET /metrics).
// Touched only on the server's io_context thread, so nothing here is atomic.
#ifndef FACTORIZE_METRICS_HPP
#define FACTORIZE_METRICS_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace factorize {

class service_metrics {
public:
    explicit service_metrics(std::size_t workers) noexcept : workers_(workers) {}

    /// A POST /factorize was admitted: it counts as in flight until request_finished().
    void request_started() noexcept { ++in_flight_; }
    void request_finished() noexcept { --in_flight_; }
    std::size_t in_flight() const noexcept { return in_flight_; }

    /// Every answered request, any path: by status code, and its latency from the end of
    /// the read to the response being written.
    void answered(unsigned status, double seconds);
    /// Numbers whose task failed (crash, timeout): they answer 200 with an "error" each.
    void numbers_failed(std::size_t count) noexcept { failed_numbers_ += count; }

    /// The text format of https://prometheus.io/docs/instrumenting/exposition_formats/.
    std::string prometheus_text() const;

private:
    // Upper bounds of the latency histogram's buckets, in seconds (+Inf is implied).
    static constexpr std::array<double, 12> bounds_{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
    std::size_t workers_;
    std::size_t in_flight_ = 0;
    std::uint64_t failed_numbers_ = 0;
    std::map<unsigned, std::uint64_t> by_status_;
    std::array<std::uint64_t, bounds_.size() + 1> buckets_{};  // not cumulative; the last is +Inf
    double latency_sum_ = 0;
    std::uint64_t latency_count_ = 0;
};

} // namespace factorize

#endif
