// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// A blocking HTTP/1.1 client of `factorize --serve` on 127.0.0.1 (Boost.Beast), shared by the
// load generator (apps/bench/serve_load.cpp) and the service's tests
// (test/factorize/test_serve.cpp). Reads and writes give up after a bound (SO_RCVTIMEO /
// SO_SNDTIMEO), so a server that stops answering fails its caller instead of hanging it.
#ifndef ASYNCJOBS_APPS_HTTP_CLIENT_HPP
#define ASYNCJOBS_APPS_HTTP_CLIENT_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <string>

#include <sys/socket.h>
#include <sys/time.h>

namespace asyncjobs_apps {

/// A response: its status, body, Retry-After header and whether the server keeps the
/// connection open.
struct answer {
    unsigned status = 0;
    std::string body;
    std::string retry_after;
    bool keep_alive = false;
    boost::json::value json() const { return boost::json::parse(body); }
};

/// One keep-alive connection to 127.0.0.1:port. send/receive/request throw
/// boost::system::system_error when the connection fails or the bound passes.
class client {
public:
    explicit client(unsigned short port, std::chrono::seconds bound = std::chrono::seconds(60)) : socket_(io_)
    {
        namespace asio = boost::asio;
        socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        timeval tv{static_cast<time_t>(bound.count()), 0};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        // Small requests one after another: without this each waits for the previous ACK.
        socket_.set_option(asio::ip::tcp::no_delay(true));
    }

    void send(boost::beast::http::verb method, const std::string& target, const std::string& body = {})
    {
        namespace http = boost::beast::http;
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (method == http::verb::post)
            req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        http::write(socket_, req);
    }

    answer receive()
    {
        namespace http = boost::beast::http;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 << 20);
        http::read(socket_, buffer_, parser);
        auto& res = parser.get();
        return {res.result_int(), res.body(), std::string(res[http::field::retry_after]), res.keep_alive()};
    }

    answer request(boost::beast::http::verb method, const std::string& target, const std::string& body = {})
    {
        send(method, target, body);
        return receive();
    }

    /// True once the server closed this connection (end of stream); bounded by the timeout.
    bool closed_by_server()
    {
        namespace asio = boost::asio;
        char c;
        boost::system::error_code ec;
        socket_.read_some(asio::buffer(&c, 1), ec);
        return ec == asio::error::eof || ec == asio::error::connection_reset;
    }

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

} // namespace asyncjobs_apps

#endif
