// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// factorize --serve as a real process on 127.0.0.1 (port 0: the kernel picks one, the server
// prints it), asked by a Beast client and by curl. Every wait is bounded (sockets time out,
// polls give up), so a broken server fails the test instead of hanging it; nothing asserts
// on how long anything took.
#include "http_client.hpp"
#include "serve.hpp"
#include "serve_request.hpp"

#include <asyncjobs/process_pool_executor.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

constexpr auto bound = std::chrono::seconds(60);  // the most any single wait may take
// The largest 64-bit prime: trial division needs ~2^31 divisions, many seconds anywhere.
constexpr const char* slow_number = "18446744073709551557";
// A prime near 10^16: trial division takes a fraction of a second.
constexpr const char* medium_prime = "10000000000000061";

std::string factorize_binary()
{
    auto& suite = boost::unit_test::framework::master_test_suite();
    BOOST_TEST_REQUIRE(suite.argc > 1, "run as: test_factorize -- <path to the factorize binary>");
    return suite.argv[1];
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// `factorize --serve 127.0.0.1:0 args...`, its stdout on a pipe (for the port), stderr in a file.
class server_process {
public:
    explicit server_process(const std::vector<std::string>& args)
    {
        std::string pattern = (fs::temp_directory_path() / "factorize-serve-XXXXXX").string();
        BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        dir_ = pattern;
        int out[2];
        BOOST_TEST_REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
        std::vector<std::string> argv_text{factorize_binary(), "--serve", "127.0.0.1:0"};
        argv_text.insert(argv_text.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : argv_text)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        std::string err = (dir_ / "stderr").string();
        ::posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        ::posix_spawn_file_actions_destroy(&actions);
        ::close(out[1]);
        BOOST_TEST_REQUIRE(rc == 0);
        std::string line = read_line(out[0]);
        ::close(out[0]);
        auto colon = line.rfind(':');
        BOOST_TEST_REQUIRE(colon != std::string::npos, "the server printed no address: \"" << line << "\", stderr: " << errors());
        port_ = static_cast<unsigned short>(std::stoul(line.substr(colon + 1)));
    }
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;
    ~server_process()
    {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    unsigned short port() const noexcept { return port_; }
    pid_t pid() const noexcept { return pid_; }

    /// Sends `signal` and waits (bounded) for the exit; the exit code, or 128 + signal.
    int stop(int signal)
    {
        ::kill(pid_, signal);
        return wait_exit();
    }

    /// Waits (bounded) for the exit; the exit code, or 128 + signal.
    int wait_exit()
    {
        auto deadline = std::chrono::steady_clock::now() + bound;
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                BOOST_ERROR("the server did not exit within 60 s");
                return -1;  // the destructor kills it
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    std::string errors() const
    {
        std::ifstream in(dir_ / "stderr");
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    static std::string read_line(int fd)
    {
        std::string line;
        auto deadline = std::chrono::steady_clock::now() + bound;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0)
                continue;
            char c;
            if (::read(fd, &c, 1) != 1 || c == '\n')
                break;
            line += c;
        }
        // "factorize: serving on http://127.0.0.1:PORT (processes x2)": keep up to the port.
        if (auto space = line.find(' ', line.find("http://")); space != std::string::npos)
            line.resize(space);
        return line;
    }

    fs::path dir_;
    pid_t pid_ = -1;
    unsigned short port_ = 0;
};

using asyncjobs_apps::answer;
using asyncjobs_apps::client;  // reads and writes give up after `bound` (its default)

answer post(unsigned short port, const std::string& body)
{
    client c(port);
    return c.request(http::verb::post, "/factorize", body);
}

/// The value of an unlabelled metric, or of one line's exact `name{labels}`.
std::optional<double> metric(const std::string& text, const std::string& name)
{
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(name + " ", 0) == 0)
            return std::stod(line.substr(name.size() + 1));
    return std::nullopt;
}

std::string metrics_of(unsigned short port)
{
    client c(port);
    auto a = c.request(http::verb::get, "/metrics");
    BOOST_TEST_REQUIRE(a.status == 200u);
    return a.body;
}

/// Polls GET /metrics until `name` reaches `value`; false if it does not within `bound`.
bool wait_for_metric(unsigned short port, const std::string& name, double value)
{
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
        if (metric(metrics_of(port), name).value_or(-1) >= value)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

/// curl as a user would run it: `curl -s -o BODY -w '%{http_code}' ...`; {status, body}.
std::pair<int, std::string> curl(const std::vector<std::string>& args)
{
    BOOST_TEST_REQUIRE(std::system("command -v curl >/dev/null") == 0,
                       "curl is missing: run scripts/install-deps.sh");
    std::string pattern = (fs::temp_directory_path() / "factorize-curl-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    fs::path dir = pattern;
    std::string command = "curl -s --max-time 60 -o '" + (dir / "body").string() + "' -w '%{http_code}'";
    for (const auto& a : args)
        (command += " '") += a, command += '\'';  // the tests' arguments hold no single quotes
    command += " > '" + (dir / "code").string() + "'";
    int rc = std::system(command.c_str());
    auto slurp = [](const fs::path& p) {
        std::ifstream in(p);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    };
    std::string code = slurp(dir / "code");
    std::string body = slurp(dir / "body");
    std::error_code ec;
    fs::remove_all(dir, ec);
    BOOST_TEST_REQUIRE(rc == 0, "curl failed: " << command);
    return {std::stoi(code), body};
}

std::string url(unsigned short port, const std::string& path)
{
    return "http://127.0.0.1:" + std::to_string(port) + path;
}

/// The CLI's `--format json` for the same numbers, without the run's time.
boost::json::object cli_json(const std::vector<std::string>& args)
{
    std::string pattern = (fs::temp_directory_path() / "factorize-cli-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    fs::path out = fs::path(pattern) / "out";
    std::string command = "'";
    command += factorize_binary();
    command += "' --no-progress -q --format json";
    for (const auto& a : args)
        (command += " '") += a, command += '\'';
    command += " > '" + out.string() + "'";
    std::system(command.c_str());
    std::ifstream in(out);
    std::ostringstream s;
    s << in.rdbuf();
    std::error_code ec;
    fs::remove_all(pattern, ec);
    auto doc = boost::json::parse(s.str()).as_object();
    doc.erase("seconds");
    return doc;
}

} // namespace

BOOST_AUTO_TEST_SUITE(serve)

BOOST_AUTO_TEST_CASE(answers_the_json_of_the_cli_to_beast_and_curl)
{
    server_process server({"--workers", "2"});
    auto a = post(server.port(), R"({"numbers": [12, "18446744073709551615", 0, 1, 4294967291], "algorithm": "rho"})");
    BOOST_TEST_REQUIRE(a.status == 200u, a.body);
    auto served = a.json().as_object();
    served.erase("seconds");
    auto expected = cli_json({"--executor", "processes", "--mode", "as-completed", "--workers", "2", "--algorithm", "rho",
                              "12", "18446744073709551615", "0", "1", "4294967291"});
    BOOST_TEST(boost::json::serialize(served) == boost::json::serialize(expected));

    // The README's curl line, and a keep-alive connection that asks twice.
    auto [code, body] = curl({"-d", R"({"numbers": [12, 18446744073709551615]})", url(server.port(), "/factorize")});
    BOOST_TEST(code == 200);
    BOOST_TEST(contains(body, R"({"n":18446744073709551615,"factors":[3,5,17,257,641,65537,6700417]})"), body);
    client c(server.port());
    auto first = c.request(http::verb::post, "/factorize", R"({"numbers": [35]})");
    auto second = c.request(http::verb::post, "/factorize", R"({"numbers": [36], "algorithm": "trial"})");
    BOOST_TEST(first.keep_alive);
    BOOST_TEST(contains(first.body, R"({"n":35,"factors":[5,7]})"), first.body);
    BOOST_TEST(contains(second.body, R"("algorithm":"trial")"), second.body);
    BOOST_TEST(contains(second.body, R"({"n":36,"factors":[2,2,3,3]})"), second.body);

    auto health = curl({url(server.port(), "/healthz")});
    BOOST_TEST(health.first == 200);
    BOOST_TEST(health.second == "{\"status\":\"ok\"}\n");
    std::string m = metrics_of(server.port());
    BOOST_TEST(metric(m, "factorize_requests_total{code=\"200\"}").value_or(0) == 5);  // 4 POSTs, 1 healthz
    BOOST_TEST(metric(m, "factorize_workers").value_or(0) == 2);
    BOOST_TEST(metric(m, "factorize_requests_in_flight").value_or(-1) == 0);
    BOOST_TEST(metric(m, "factorize_request_failures_total").value_or(-1) == 0);
    BOOST_TEST(metric(m, "factorize_request_duration_seconds_count").value_or(0) == 5);
    BOOST_TEST(metric(m, "factorize_request_duration_seconds_bucket{le=\"+Inf\"}").value_or(0) == 5);
    BOOST_TEST(server.stop(SIGTERM) == 0, server.errors());
}

BOOST_AUTO_TEST_CASE(bad_json_and_bad_numbers_are_400_with_the_cli_message)
{
    server_process server({"--workers", "1", "--executor", "threads"});
    struct bad_case {
        const char* body;
        const char* message;
    };
    const bad_case cases[] = {
        {R"({"numbers": [12)", "request body: not JSON"},
        {R"([12, 35])", "not a JSON object"},
        {R"({"numbers": 12})", R"(\"numbers\" must be an array)"},
        {R"({"numbers": []})", "no numbers to factorize"},
        {R"({"numbers": [12, "12x"]})", R"(numbers[1]: \"12x\" is not a number)"},
        {R"({"numbers": [12, -5]})", R"(numbers[1]: \"-5\" is negative)"},
        {R"({"numbers": ["18446744073709551616"]})", R"(numbers[0]: \"18446744073709551616\" is larger than 2^64-1)"},
        {R"({"numbers": [1.5]})", R"(numbers[0]: \"1.5E0\" is not a number)"},
        {R"({"numbers": [12], "algorithm": "ecm"})", R"(algorithm: \"ecm\" is not one of trial, rho)"},
        {R"({"numbers": [12], "extra": 1})", R"(unknown member \"extra\")"},
    };
    for (const auto& bad : cases) {
        auto a = post(server.port(), bad.body);
        BOOST_TEST(a.status == 400u, bad.body);
        BOOST_TEST(contains(a.body, bad.message), bad.body << " -> " << a.body);
    }
    auto [code, body] = curl({"-d", R"({"numbers": ["abc"]})", url(server.port(), "/factorize")});
    BOOST_TEST(code == 400);
    BOOST_TEST(contains(body, R"(numbers[0]: \"abc\" is not a number)"), body);
    client c(server.port());
    BOOST_TEST(c.request(http::verb::get, "/factorize").status == 405u);
    BOOST_TEST(c.request(http::verb::get, "/nowhere").status == 404u);
    BOOST_TEST(c.request(http::verb::post, "/factorize", R"({"numbers": [12]})").status == 200u);  // still up
    BOOST_TEST(server.stop(SIGINT) == 0, server.errors());
}

BOOST_AUTO_TEST_CASE(too_large_bodies_and_too_many_numbers_are_413)
{
    server_process server({"--workers", "1", "--max-body", "100", "--max-numbers", "3"});
    std::string big = R"({"numbers": [)" + std::string(120, ' ') + "12]}";
    auto a = post(server.port(), big);
    BOOST_TEST(a.status == 413u);
    BOOST_TEST(contains(a.body, "--max-body"), a.body);
    auto b = post(server.port(), R"({"numbers": [1, 2, 3, 4]})");
    BOOST_TEST(b.status == 413u);
    BOOST_TEST(contains(b.body, "--max-numbers"), b.body);
    auto [code, body] = curl({"-d", big, url(server.port(), "/factorize")});
    BOOST_TEST(code == 413);
    BOOST_TEST(post(server.port(), R"({"numbers": [1, 2, 3]})").status == 200u);
    BOOST_TEST(server.stop(SIGTERM) == 0, server.errors());
}

BOOST_AUTO_TEST_CASE(beyond_max_in_flight_is_503_with_retry_after)
{
    server_process server({"--workers", "1", "--max-in-flight", "1", "--request-timeout", "600000"});
    client slow(server.port());
    slow.send(http::verb::post, "/factorize", std::string(R"({"numbers": [")") + slow_number + R"("], "algorithm": "trial"})");
    BOOST_TEST_REQUIRE(wait_for_metric(server.port(), "factorize_requests_in_flight", 1));
    auto a = post(server.port(), R"({"numbers": [12]})");
    BOOST_TEST(a.status == 503u);
    BOOST_TEST(a.retry_after == "1");
    BOOST_TEST(contains(a.body, "--max-in-flight"), a.body);
    auto [code, body] = curl({"-d", R"({"numbers": [12]})", url(server.port(), "/factorize")});
    BOOST_TEST(code == 503);
    client health(server.port());
    BOOST_TEST(health.request(http::verb::get, "/healthz").status == 200u);  // the io thread is free
    // The slow request would take many seconds more: SIGKILL (the destructor) ends it.
}

BOOST_AUTO_TEST_CASE(beyond_request_timeout_is_504_and_the_server_goes_on)
{
    server_process server({"--workers", "1", "--request-timeout", "1000"});
    auto a = post(server.port(), std::string(R"({"numbers": [")") + slow_number + R"("], "algorithm": "trial"})");
    BOOST_TEST(a.status == 504u);
    BOOST_TEST(contains(a.body, "--request-timeout"), a.body);
    // The only worker ran the timed-out number; the request timeout (the pool's task timeout
    // too) killed it, and a new worker answers. Starting one may itself outlast the timeout
    // on a loaded machine (sanitizers): a 504 then is fair, but an answer must come.
    answer b;
    for (int attempt = 0; attempt < 60 && b.status != 200u; ++attempt) {
        b = post(server.port(), R"({"numbers": [12]})");
        BOOST_TEST((b.status == 200u || b.status == 504u), b.status);
    }
    BOOST_TEST(b.status == 200u);
    BOOST_TEST(contains(b.body, R"({"n":12,"factors":[2,2,3]})"), b.body);
    BOOST_TEST(metric(metrics_of(server.port()), "factorize_requests_total{code=\"504\"}").value_or(0) >= 1);
    BOOST_TEST(server.stop(SIGTERM) == 0, server.errors());
}

BOOST_AUTO_TEST_CASE(a_crashing_number_gets_an_error_and_the_server_stays_up)
{
    server_process server({"--workers", "2", "--crash-on", "7"});
    auto a = post(server.port(), R"({"numbers": [12, 7, 35]})");
    BOOST_TEST_REQUIRE(a.status == 200u, a.body);
    auto results = a.json().at("results").as_array();
    BOOST_TEST(a.json().at("failed").to_number<int>() == 1);
    BOOST_TEST(boost::json::serialize(results[0]) == R"({"n":12,"factors":[2,2,3]})");
    BOOST_TEST(contains(boost::json::serialize(results[1]), R"({"n":7,"error":"worker crashed)"), a.body);
    BOOST_TEST(boost::json::serialize(results[2]) == R"({"n":35,"factors":[5,7]})");
    auto b = post(server.port(), R"({"numbers": [35]})");
    BOOST_TEST(b.status == 200u);
    BOOST_TEST(metric(metrics_of(server.port()), "factorize_number_failures_total").value_or(0) == 1);
    BOOST_TEST(server.stop(SIGTERM) == 0, server.errors());
}

BOOST_AUTO_TEST_CASE(sigint_and_sigterm_answer_every_request_in_flight_then_exit_0)
{
    for (int signal : {SIGTERM, SIGINT}) {
        BOOST_TEST_CONTEXT("signal " << signal)
        {
            server_process server({"--workers", "2"});
            client idle(server.port());  // asked once, then idle: closed at the stop
            BOOST_TEST(idle.request(http::verb::get, "/healthz").status == 200u);
            constexpr int requests = 6;
            std::vector<std::unique_ptr<client>> clients;
            for (int i = 0; i < requests; ++i) {
                clients.push_back(std::make_unique<client>(server.port()));
                clients.back()->send(http::verb::post, "/factorize",
                                     std::string(R"({"numbers": [")") + medium_prime + R"(", )" + std::to_string(12 + i) +
                                         R"(], "algorithm": "trial"})");
            }
            // Every request is written (the kernel holds it, accepted or not): none may be lost.
            ::kill(server.pid(), signal);
            for (int i = 0; i < requests; ++i) {
                auto a = clients[static_cast<std::size_t>(i)]->receive();
                BOOST_TEST(a.status == 200u, a.body);
                BOOST_TEST(contains(a.body, std::string(R"({"n":)") + medium_prime + R"(,"factors":[)" + medium_prime + "]}"),
                           a.body);
                BOOST_TEST(contains(a.body, R"("failed":0)"), a.body);
            }
            // Answered after the signal (Connection: close) or before it (then idle): closed either way.
            for (auto& c : clients)
                BOOST_TEST(c->closed_by_server());
            BOOST_TEST(idle.closed_by_server());
            BOOST_TEST(server.wait_exit() == 0, server.errors());
        }
    }
}

BOOST_AUTO_TEST_CASE(worker_nice_lowers_every_worker_priority)
{
    errno = 0;
    int own = ::getpriority(PRIO_PROCESS, 0);
    server_process server({"--workers", "2", "--worker-nice", "7"});
    BOOST_TEST(post(server.port(), R"({"numbers": [12, 35, 36, 37]})").status == 200u);
    // The workers are the server's children: field 19 of /proc/PID/stat is the nice value.
    // A worker the pool is starting right now may not have run its first line yet (it
    // lowers its priority there): poll, bounded, until every child shows the nice value.
    auto children_nice = [&] {
        std::vector<int> values;
        for (const auto& entry : fs::directory_iterator("/proc")) {
            std::ifstream in(entry.path() / "stat");
            std::string stat;
            if (!std::getline(in, stat))
                continue;
            auto close = stat.rfind(')');
            if (close == std::string::npos)
                continue;
            std::istringstream fields(stat.substr(close + 2));
            std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
            if (f.size() >= 17 && std::stol(f[1]) == server.pid())  // f[0] is field 3 (state), f[1] the ppid
                values.push_back(std::stoi(f[16]));                 // field 19
        }
        return values;
    };
    const int expected = std::min(19, own + 7);
    std::vector<int> seen;
    auto deadline = std::chrono::steady_clock::now() + bound;
    do {
        seen = children_nice();
        if (!seen.empty() && std::all_of(seen.begin(), seen.end(), [&](int n) { return n == expected; }))
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    BOOST_TEST_REQUIRE(!seen.empty());
    for (int n : seen)
        BOOST_TEST(n == expected);
    BOOST_TEST(server.stop(SIGTERM) == 0, server.errors());
}

BOOST_AUTO_TEST_CASE(worker_nice_out_of_range_is_refused)
{
    for (int bad : {-1, 20}) {
        asyncjobs::process_pool_options o;
        o.worker_nice = bad;
        BOOST_CHECK_THROW(asyncjobs::process_pool_executor{o}, std::invalid_argument);
    }
    BOOST_CHECK_THROW(factorize::parse_listen_address("127.0.0.1"), factorize::input_error);
    BOOST_CHECK_THROW(factorize::parse_listen_address("example.com:80"), factorize::input_error);
    BOOST_CHECK_THROW(factorize::parse_listen_address("127.0.0.1:65536"), factorize::input_error);
    BOOST_TEST(factorize::parse_listen_address(":8080").host == "127.0.0.1");
    BOOST_TEST(factorize::parse_listen_address("[::1]:0").host == "::1");
}

BOOST_AUTO_TEST_SUITE_END()
