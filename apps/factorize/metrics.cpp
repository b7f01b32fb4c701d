// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "metrics.hpp"

#include <cstdio>

namespace factorize {

void service_metrics::answered(unsigned status, double seconds)
{
    ++by_status_[status];
    std::size_t i = 0;
    while (i < bounds_.size() && seconds > bounds_[i])
        ++i;
    ++buckets_[i];
    latency_sum_ += seconds;
    ++latency_count_;
}

namespace {

/// One metric without labels: its HELP and TYPE lines and its value.
void append_metric(std::string& out, const char* name, const char* type, const char* help, unsigned long long value)
{
    char line[512];
    std::snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name, value);
    out += line;
}

} // namespace

std::string service_metrics::prometheus_text() const
{
    std::string out;
    char line[512];
    out += "# HELP factorize_requests_total Requests answered, by HTTP status code.\n"
           "# TYPE factorize_requests_total counter\n";
    for (auto [status, count] : by_status_) {
        std::snprintf(line, sizeof line, "factorize_requests_total{code=\"%u\"} %llu\n", status,
                      static_cast<unsigned long long>(count));
        out += line;
    }
    std::uint64_t failures = 0;
    for (auto [status, count] : by_status_)
        failures += status >= 400 ? count : 0;
    append_metric(out, "factorize_request_failures_total", "counter",
                  "Requests answered with a status of 400 or more.", failures);
    append_metric(out, "factorize_number_failures_total", "counter",
                  "Numbers whose task failed (crash, timeout).", failed_numbers_);
    append_metric(out, "factorize_requests_in_flight", "gauge",
                  "POST /factorize requests admitted and not yet answered.", in_flight_);
    append_metric(out, "factorize_workers", "gauge", "Workers of the pool that runs the numbers.", workers_);
    out += "# HELP factorize_request_duration_seconds Time from a request read to its answer written.\n"
           "# TYPE factorize_request_duration_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += buckets_[i];
        std::snprintf(line, sizeof line, "factorize_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds_[i],
                      static_cast<unsigned long long>(cumulative));
        out += line;
    }
    cumulative += buckets_.back();
    std::snprintf(line, sizeof line,
                  "factorize_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                  "factorize_request_duration_seconds_sum %.9g\n"
                  "factorize_request_duration_seconds_count %llu\n",
                  static_cast<unsigned long long>(cumulative), latency_sum_,
                  static_cast<unsigned long long>(latency_count_));
    out += line;
    return out;
}

} // namespace factorize
