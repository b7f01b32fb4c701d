// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// serve_load: a bounded load generator for `factorize --serve` and its Python peer
// (serve_peer.py), on 127.0.0.1 only. N keep-alive connections, one thread each, send a fixed
// number of requests in all (the same body every time) and time each one. With --lag it
// reads GET /lag (which resets) before and after the load: the server's own measurement of
// how late a 1 ms timer fired on its event loop meanwhile.
//
//   serve_load --port P --connections N --requests R --body '{"numbers": [12]}' [--lag]
//
// Prints one JSON object: requests, ok, errors, seconds, rps, p50_ms, p99_ms (and lag_p50_ms,
// lag_p99_ms, lag_max_ms, lag_samples with --lag).
#include "http_client.hpp"

#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>


namespace {

namespace http = boost::beast::http;

constexpr auto bound = std::chrono::seconds(120);  // a server that stops answering fails the run

/// Status and body of one exchange on `c`; status 0 (and the error) if the connection failed.
std::pair<unsigned, std::string> exchange(asyncjobs_apps::client& c, http::verb method, const std::string& target,
                                          const std::string& body)
{
    try {
        auto a = c.request(method, target, body);
        return {a.status, std::move(a.body)};
    } catch (const boost::system::system_error& e) {
        return {0, e.what()};
    }
}

double percentile(std::vector<double>& v, double q)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

[[noreturn]] void usage(const char* why)
{
    std::fprintf(stderr,
                 "serve_load: %s\nusage: serve_load --port P --connections N --requests R --body JSON [--lag]\n", why);
    std::exit(2);
}

} // namespace

int main(int argc, char** argv)
{
    unsigned long port = 0, connections = 8, requests = 1000;
    std::string body;
    bool lag = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc)
                usage("an option lacks its value");
            return argv[++i];
        };
        if (a == "--port")
            port = std::strtoul(value(), nullptr, 10);
        else if (a == "--connections")
            connections = std::strtoul(value(), nullptr, 10);
        else if (a == "--requests")
            requests = std::strtoul(value(), nullptr, 10);
        else if (a == "--body")
            body = value();
        else if (a == "--lag")
            lag = true;
        else
            usage("unknown option");
    }
    if (port == 0 || port > 65535 || connections == 0 || requests < connections || body.empty())
        usage("need --port (1-65535), --connections >= 1, --requests >= connections, --body");

    auto lag_reading = [&]() {
        asyncjobs_apps::client c(static_cast<unsigned short>(port), bound);
        auto [status, text] = exchange(c, http::verb::get, "/lag", {});
        if (status != 200)
            usage("GET /lag failed: start the server with --lag-probe");
        return boost::json::parse(text).as_object();
    };
    if (lag)
        lag_reading();  // resets the server's samples

    std::vector<double> latencies;
    std::mutex m;
    std::atomic<unsigned long> errors{0};
    std::atomic<unsigned long> next{0};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (unsigned long t = 0; t < connections; ++t) {
        threads.emplace_back([&] {
            std::vector<double> mine;
            try {
                asyncjobs_apps::client c(static_cast<unsigned short>(port), bound);
                while (next.fetch_add(1) < requests) {
                    auto sent = std::chrono::steady_clock::now();
                    auto [status, text] = exchange(c, http::verb::post, "/factorize", body);
                    mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count());
                    if (status != 200) {
                        ++errors;
                        if (status == 0)
                            break;
                    }
                }
            } catch (const std::exception&) {
                ++errors;
            }
            std::lock_guard lock(m);
            latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
    }
    for (auto& t : threads)
        t.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    boost::json::object out;
    out["connections"] = connections;
    out["requests"] = latencies.size();
    out["errors"] = errors.load();
    out["seconds"] = seconds;
    out["rps"] = static_cast<double>(latencies.size()) / seconds;
    out["p50_ms"] = percentile(latencies, 0.50);
    out["p99_ms"] = percentile(latencies, 0.99);
    if (lag) {
        auto l = lag_reading();
        out["lag_samples"] = l["samples"];
        out["lag_p50_ms"] = l["p50_ms"];
        out["lag_p99_ms"] = l["p99_ms"];
        out["lag_max_ms"] = l["max_ms"];
    }
    std::printf("%s\n", boost::json::serialize(out).c_str());
    return errors.load() ? 1 : 0;
}
