// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "serve.hpp"

#include "metrics.hpp"
#include "output.hpp"
#include "serve_request.hpp"
#include "tasks.hpp"

#include <asyncjobs/asio.hpp>
#include <asyncjobs/process_pool_executor.hpp>
#include <asyncjobs/when_all.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <list>
#include <memory>
#include <thread>
#include <vector>

#include <csignal>

namespace factorize {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using response = http::response<http::string_body>;
using request = http::request<http::string_body>;
using clock_type = std::chrono::steady_clock;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

response make_response(unsigned version, http::status status, std::string body,
                       const char* type = "application/json")
{
    response res{status, version};
    res.set(http::field::server, "factorize");
    res.set(http::field::content_type, type);
    res.body() = std::move(body);
    return res;
}

response error_response(unsigned version, http::status status, std::string_view message)
{
    return make_response(version, status, error_json(message));
}

class server {
public:
    server(asio::io_context& io, const serve_config& config, asyncjobs::executor& pool, std::size_t workers)
        : io_(io), config_(config), pool_(pool), workers_(workers), acceptor_(io), signals_(io, SIGINT, SIGTERM),
          metrics_(workers)
    {
    }

    void start()
    {
        tcp::endpoint endpoint(asio::ip::make_address(config_.listen.host), config_.listen.port);
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen();
        auto bound = acceptor_.local_endpoint();
        std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
        std::printf("factorize: serving on http://%s:%u (%s x%zu)\n", host.c_str(), static_cast<unsigned>(bound.port()),
                    to_string(config_.pool.kind), workers_);
        std::fflush(stdout);
        signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
            if (!ec)
                stop(signal);
        });
        asio::co_spawn(io_, accept_loop(), asio::detached);
        if (config_.lag_probe)
            asio::co_spawn(io_, probe_lag(), asio::detached);
    }

private:
    struct connection {
        explicit connection(tcp::socket s) : stream(std::move(s)) {}
        beast::tcp_stream stream;
        beast::flat_buffer buffer;
        std::optional<http::request_parser<http::string_body>> parser;
        bool reading = false;  ///< waiting in async_read (as opposed to handling or writing)

        /// Nothing of a next request has arrived: stopping may close it without losing one.
        bool idle()
        {
            boost::system::error_code ec;
            std::size_t waiting = stream.socket().available(ec);
            return reading && buffer.size() == 0 && !(parser && parser->got_some()) && (ec || waiting == 0);
        }
    };

    asio::awaitable<void> accept_loop()
    {
        while (!stopping_) {
            auto [ec, socket] = co_await acceptor_.async_accept(tuple_awaitable);
            if (ec) {
                if (stopping_ || ec == asio::error::operation_aborted)
                    break;
                continue;  // a connection that died before we took it, or out of descriptors for now
            }
            open(std::move(socket));
        }
    }

    void open(tcp::socket socket)
    {
        auto c = std::make_shared<connection>(std::move(socket));
        connections_.push_back(c);
        auto where = std::prev(connections_.end());
        asio::co_spawn(io_, serve_connection(c), [this, where](std::exception_ptr) { connections_.erase(where); });
    }

    asio::awaitable<void> serve_connection(std::shared_ptr<connection> c)
    {
        for (;;) {
            c->parser.emplace();
            c->parser->body_limit(config_.max_body);
            c->parser->header_limit(16 * 1024);
            c->reading = true;
            if (stopping_ && c->idle())
                break;
            auto [ec, bytes] = co_await http::async_read(c->stream, c->buffer, *c->parser, tuple_awaitable);
            (void)bytes;
            c->reading = false;
            if (ec == http::error::body_limit) {
                co_await answer(*c, error_response(11, http::status::payload_too_large,
                                                   "request body larger than " + std::to_string(config_.max_body) +
                                                       " bytes (--max-body)"),
                                clock_type::now(), false);
                break;
            }
            if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == asio::error::eof ||
                ec == asio::error::connection_reset || ec == beast::error::timeout)
                break;
            if (ec) {
                co_await answer(*c, error_response(11, http::status::bad_request, "bad HTTP request: " + ec.message()),
                                clock_type::now(), false);
                break;
            }
            auto started = clock_type::now();
            request req = c->parser->release();
            response res = co_await handle(req);
            bool keep = req.keep_alive() && !stopping_;
            if (!co_await answer(*c, std::move(res), started, keep) || !keep)
                break;
        }
        boost::system::error_code ignored;
        c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        c->stream.socket().close(ignored);
    }

    /// Writes `res`; false if the client is gone.
    asio::awaitable<bool> answer(connection& c, response res, clock_type::time_point started, bool keep_alive)
    {
        res.keep_alive(keep_alive);
        res.prepare_payload();
        unsigned status = res.result_int();
        auto [ec, bytes] = co_await http::async_write(c.stream, res, tuple_awaitable);
        (void)bytes;
        metrics_.answered(status, std::chrono::duration<double>(clock_type::now() - started).count());
        co_return !ec;
    }

    asio::awaitable<response> handle(request& req)
    {
        auto target = std::string_view(req.target().data(), req.target().size());
        unsigned v = req.version();
        if (target == "/factorize") {
            if (req.method() != http::verb::post) {
                auto res = error_response(v, http::status::method_not_allowed, "/factorize takes POST");
                res.set(http::field::allow, "POST");
                co_return res;
            }
            co_return co_await factorize_numbers(req);
        }
        if (target == "/healthz" || target == "/metrics" || (target == "/lag" && config_.lag_probe)) {
            if (req.method() != http::verb::get && req.method() != http::verb::head) {
                auto res = error_response(v, http::status::method_not_allowed, std::string(target) + " takes GET");
                res.set(http::field::allow, "GET, HEAD");
                co_return res;
            }
            if (target == "/healthz")
                co_return make_response(v, http::status::ok, stopping_ ? "{\"status\":\"stopping\"}\n" : "{\"status\":\"ok\"}\n");
            if (target == "/metrics")
                co_return make_response(v, http::status::ok, metrics_.prometheus_text(), "text/plain; version=0.0.4");
            co_return make_response(v, http::status::ok, lag_report());
        }
        co_return error_response(v, http::status::not_found,
                                 "no such resource: " + std::string(target) + " (try POST /factorize, GET /healthz, GET /metrics)");
    }

    asio::awaitable<response> factorize_numbers(request& req)
    {
        unsigned v = req.version();
        if (metrics_.in_flight() >= config_.max_in_flight) {
            auto res = error_response(v, http::status::service_unavailable,
                                      std::to_string(metrics_.in_flight()) +
                                          " requests in flight, the most this server takes (--max-in-flight); retry later");
            res.set(http::field::retry_after, "1");
            co_return res;
        }
        factorize_request parsed;
        try {
            parsed = parse_factorize_request(req.body(), config_.max_numbers);
        } catch (const too_many_numbers& e) {
            co_return error_response(v, http::status::payload_too_large, e.what());
        } catch (const input_error& e) {
            co_return error_response(v, http::status::bad_request, e.what());
        }
        metrics_.request_started();
        struct in_flight_guard {
            service_metrics& m;
            ~in_flight_guard() { m.request_finished(); }
        } guard{metrics_};

        auto started = clock_type::now();
        run_options options;
        options.task_timeout = config_.pool.task_timeout;
        std::vector<number_result> results(parsed.numbers.size());
        std::vector<asyncjobs::shared_future<item_result>> tasks;
        std::vector<std::size_t> submitted;  // the index of each task's number
        tasks.reserve(parsed.numbers.size());
        for (std::size_t i = 0; i < parsed.numbers.size(); ++i) {
            work_item item;
            item.index = i;
            item.n = parsed.numbers[i];
            item.flags = parsed.algo == algorithm::rho ? work_item::use_rho : 0;
            if (config_.crash_on && *config_.crash_on == item.n)
                item.flags |= work_item::crash_me;
            try {
                tasks.push_back(pool_.submit(factor_item, item).share());
                submitted.push_back(i);
            } catch (...) {
                results[i].error = describe_failure(std::current_exception(), options);
            }
        }
        auto all = asyncjobs::when_all(tasks);  // copies: `tasks` stays ours to read and cancel
        if (config_.blocking_get) {
            all.get();  // the baseline: the io thread waits, and every connection with it
        } else {
            using namespace asio::experimental::awaitable_operators;
            asio::steady_timer deadline(co_await asio::this_coro::executor, config_.request_timeout);
            auto outcome = co_await (asyncjobs::async_get(std::move(all), asio::use_awaitable) ||
                                      deadline.async_wait(asio::use_awaitable));
            if (outcome.index() == 1) {
                for (auto& t : tasks)
                    t.cancel();  // what has not started never will; a running process task meets the pool's task timeout
                co_return error_response(v, http::status::gateway_timeout,
                                         "not done within " + std::to_string(config_.request_timeout.count()) +
                                             " ms (--request-timeout); send fewer or smaller numbers");
            }
        }
        std::size_t failed = 0;
        for (std::size_t k = 0; k < tasks.size(); ++k) {
            auto& slot = results[submitted[k]];
            try {
                slot.factors = tasks[k].get().factors;
            } catch (...) {
                slot.error = describe_failure(std::current_exception(), options);
            }
        }
        for (const auto& r : results)
            failed += r.ok() ? 0 : 1;
        metrics_.numbers_failed(failed);
        run_description described{to_string(config_.pool.kind), to_string(mode::as_completed), to_string(parsed.algo),
                                  workers_, std::chrono::duration<double>(clock_type::now() - started).count()};
        co_return make_response(v, http::status::ok, format_json(parsed.numbers, results, described));
    }

    /// How late a 1 ms steady timer fires on this thread, for as long as the server runs.
    asio::awaitable<void> probe_lag()
    {
        asio::steady_timer timer(io_);
        lag_timer_ = &timer;
        auto due = clock_type::now() + std::chrono::milliseconds(1);
        while (!stopping_) {
            timer.expires_at(due);
            auto [ec] = co_await timer.async_wait(tuple_awaitable);
            if (ec || stopping_)
                break;
            auto now = clock_type::now();
            lag_samples_.push_back(std::chrono::duration<double, std::milli>(now - due).count());
            due = now + std::chrono::milliseconds(1);
        }
        lag_timer_ = nullptr;
    }

    /// {"samples": n, "p50_ms": ..., "p99_ms": ..., "max_ms": ...} since the last GET /lag.
    std::string lag_report()
    {
        auto samples = std::exchange(lag_samples_, {});
        std::sort(samples.begin(), samples.end());
        auto at = [&](double q) {
            return samples.empty() ? 0.0 : samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * static_cast<double>(samples.size())))];
        };
        boost::json::object doc;
        doc["samples"] = samples.size();
        doc["p50_ms"] = at(0.50);
        doc["p99_ms"] = at(0.99);
        doc["max_ms"] = samples.empty() ? 0.0 : samples.back();
        return boost::json::serialize(doc) + "\n";
    }

    void stop(int signal)
    {
        std::fprintf(stderr, "factorize: %s: stopping; answering the %zu requests in flight\n",
                     signal == SIGINT ? "SIGINT" : "SIGTERM", metrics_.in_flight());
        stopping_ = true;
        // Connections the kernel completed but we have not accepted yet may hold a request:
        // take them now, before the listening socket (and its backlog) goes.
        boost::system::error_code ec;
        acceptor_.non_blocking(true, ec);
        for (;;) {
            tcp::socket socket(io_);
            acceptor_.accept(socket, ec);
            if (ec)
                break;
            open(std::move(socket));
        }
        acceptor_.close(ec);
        for (auto& c : connections_) {
            if (c->idle())
                c->stream.socket().cancel(ec);
            else if (c->reading)
                c->stream.expires_after(config_.request_timeout);  // a request half sent gets this long
        }
        if (lag_timer_)
            lag_timer_->cancel();
    }

    asio::io_context& io_;
    const serve_config& config_;
    asyncjobs::executor& pool_;
    std::size_t workers_;
    tcp::acceptor acceptor_;
    asio::signal_set signals_;
    service_metrics metrics_;
    std::list<std::shared_ptr<connection>> connections_;
    bool stopping_ = false;
    asio::steady_timer* lag_timer_ = nullptr;
    std::vector<double> lag_samples_;
};

} // namespace

listen_address parse_listen_address(std::string_view text)
{
    auto bad = [&](const std::string& why) {
        return input_error("--serve: \"" + std::string(text) + "\" " + why + " (expected ADDR:PORT, e.g. 127.0.0.1:8080)");
    };
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        throw bad("has no port");
    std::string host(text.substr(0, colon));
    std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty() || host == "localhost")
        host = "127.0.0.1";
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    if (ec)
        throw bad("does not start with a numeric IP address");
    if (port_text.empty())
        throw bad("has no port");
    u64 port = parse_number(port_text, "--serve port");
    if (port > 65535)
        throw bad("has a port above 65535");
    return {host, static_cast<unsigned short>(port)};
}

int serve(const serve_config& config)
{
    // The io_context first: the pool's continuations post into it until the pool is gone.
    asio::io_context io(1);
    pool_config pool_settings = config.pool;
    if (pool_settings.kind == executor_kind::processes && !pool_settings.task_timeout)
        pool_settings.task_timeout = config.request_timeout;  // a timed-out request's running numbers die too
    auto pool = make_executor(pool_settings);
    std::size_t workers = pool->max_workers();
    {
        server s(io, config, *pool, workers);
        s.start();
        io.run();
    }
    if (auto* processes = dynamic_cast<asyncjobs::process_pool_executor*>(pool.get()))
        processes->terminate();  // every request is answered; what still runs belongs to none
    else
        pool->shutdown(true, true);
    std::fprintf(stderr, "factorize: stopped\n");
    return 0;
}

} // namespace factorize
