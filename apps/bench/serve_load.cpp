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
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
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

#include <sys/socket.h>
#include <sys/time.h>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct connection {
    asio::io_context io;
    tcp::socket socket{io};
    beast::flat_buffer buffer;

    explicit connection(unsigned short port)
    {
        socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        timeval tv{120, 0};  // bounded: a server that stops answering fails the run
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        socket.set_option(tcp::no_delay(true));
    }

    /// Status and body; status 0 if the connection failed.
    std::pair<unsigned, std::string> exchange(http::verb method, std::string_view target, const std::string& body)
    {
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (method == http::verb::post)
            req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        boost::system::error_code ec;
        http::write(socket, req, ec);
        if (ec)
            return {0, ec.message()};
        http::response<http::string_body> res;
        http::read(socket, buffer, res, ec);
        if (ec)
            return {0, ec.message()};
        return {res.result_int(), std::move(res.body())};
    }
};

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
        connection c(static_cast<unsigned short>(port));
        auto [status, text] = c.exchange(http::verb::get, "/lag", {});
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
                connection c(static_cast<unsigned short>(port));
                while (next.fetch_add(1) < requests) {
                    auto sent = std::chrono::steady_clock::now();
                    auto [status, text] = c.exchange(http::verb::post, "/factorize", body);
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
