// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The factorize binary end to end: spawned through the shell with its stdin, stdout and
// stderr in files, its path handed over by CTest (test_factorize -- <factorize>).
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

struct outcome {
    int code = -1;
    std::string out;
    std::string err;
};

std::string binary()
{
    auto& suite = boost::unit_test::framework::master_test_suite();
    BOOST_TEST_REQUIRE(suite.argc > 1, "run as: test_factorize -- <path to the factorize binary>");
    return suite.argv[1];
}

/// Appends ` 's'` (shell-quoted). Appending in place also keeps g++ 12 -O3 from a
/// -Wrestrict false positive on `" " + std::string`.
void append_quoted(std::string& out, const std::string& s)
{
    out += " '";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += '\'';
}

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A scratch directory for one test, removed afterwards.
struct scratch {
    fs::path dir;
    scratch()
    {
        std::string pattern = (fs::temp_directory_path() / "factorize-test-XXXXXX").string();
        BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        dir = pattern;
    }
    ~scratch()
    {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    fs::path write(const std::string& name, const std::string& content) const
    {
        std::ofstream(dir / name, std::ios::binary) << content;
        return dir / name;
    }
};

/// Runs factorize with `args` (and --no-progress unless they say --progress); `input` (if
/// any) is its stdin, otherwise /dev/null.
outcome run(const std::vector<std::string>& args, const std::optional<std::string>& input = std::nullopt)
{
    scratch s;
    std::string command;
    append_quoted(command, binary());
    for (const auto& a : args)
        append_quoted(command, a);
    if (std::find(args.begin(), args.end(), "--progress") == args.end())
        command += " --no-progress";
    fs::path in = input ? s.write("stdin", *input) : fs::path("/dev/null");
    command += " <";
    append_quoted(command, in.string());
    command += " >";
    append_quoted(command, (s.dir / "out").string());
    command += " 2>";
    append_quoted(command, (s.dir / "err").string());
    int status = std::system(command.c_str());
    outcome o;
    o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = slurp(s.dir / "out");
    o.err = slurp(s.dir / "err");
    return o;
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_SUITE(app)

BOOST_AUTO_TEST_CASE(known_factorizations)
{
    const std::string expected = "0:\n"
                                 "1:\n"
                                 "2: 2\n"
                                 "12: 2 2 3\n"
                                 "4294967291: 4294967291\n"
                                 "18446744073709551615: 3 5 17 257 641 65537 6700417\n"
                                 "1000006000009: 1000003 1000003\n";
    std::vector<std::string> numbers{"0", "1", "2", "12", "4294967291", "18446744073709551615", "1000006000009"};
    for (const char* algorithm : {"trial", "rho"}) {
        for (const char* executor : {"serial", "threads", "processes"}) {
            BOOST_TEST_CONTEXT(algorithm << " on " << executor)
            {
                std::vector<std::string> args{"--algorithm", algorithm, "--executor", executor, "--verify"};
                args.insert(args.end(), numbers.begin(), numbers.end());
                auto o = run(args);
                BOOST_TEST(o.code == 0);
                BOOST_TEST(o.out == expected);
                BOOST_TEST(contains(o.err, "7 numbers in"));
            }
        }
    }
    // Near 2^64 only rho is quick.
    auto o = run({"--algorithm", "rho", "--executor", "processes", "--verify", "18446744030759878681",
                  "18446744073709551557", "18446743979220271189", "9223372036854775783"});
    BOOST_TEST(o.code == 0);
    BOOST_TEST(o.out == "18446744030759878681: 4294967291 4294967291\n"
                        "18446744073709551557: 18446744073709551557\n"
                        "18446743979220271189: 4294967279 4294967291\n"
                        "9223372036854775783: 9223372036854775783\n");
}

BOOST_AUTO_TEST_CASE(every_executor_and_mode_agrees)
{
    struct workload {
        std::vector<std::string> args;
    };
    const workload workloads[] = {
        {{"--random", "150", "--min", "0", "--max", "1000000000000", "--seed", "3", "--algorithm", "trial"}},
        {{"--random", "150", "--min", "0", "--max", "18446744073709551615", "--seed", "4", "--algorithm", "rho"}},
    };
    for (const auto& w : workloads) {
        auto reference_args = w.args;
        reference_args.insert(reference_args.end(), {"--executor", "serial", "--verify"});
        auto reference = run(reference_args);
        BOOST_TEST_REQUIRE(reference.code == 0);
        BOOST_TEST_REQUIRE(lines(reference.out).size() == 150u);
        for (const char* executor : {"threads", "processes"}) {
            for (const char* mode : {"map", "chunked", "as-completed", "then"}) {
                for (const char* chunksize : {"auto", "7"}) {
                    if (std::string(chunksize) != "auto" && std::string(mode) != "map" && std::string(mode) != "chunked")
                        continue;
                    BOOST_TEST_CONTEXT(w.args[9] << ", " << executor << ", " << mode << ", chunksize " << chunksize)
                    {
                        auto args = w.args;
                        args.insert(args.end(), {"--executor", executor, "--mode", mode, "--chunksize", chunksize,
                                                 "--workers", "2", "--verify"});
                        auto o = run(args);
                        BOOST_TEST(o.code == 0);
                        BOOST_TEST(o.out == reference.out);
                    }
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(input_from_files_and_stdin)
{
    scratch s;
    auto file = s.write("numbers.txt", "# numbers to factorize\n12\n\n   7   \n42 # the answer\n");
    auto o = run({"--input", file.string()});
    BOOST_TEST(o.code == 0);
    BOOST_TEST(o.out == "12: 2 2 3\n7: 7\n42: 2 3 7\n");
    o = run({"-"}, std::string("10\n# c\n11\n"));
    BOOST_TEST(o.code == 0);
    BOOST_TEST(o.out == "10: 2 5\n11: 11\n");
    o = run({"--input", "-"}, std::string("9\n"));
    BOOST_TEST(o.out == "9: 3 3\n");
    o = run({"--random", "5", "--min", "6", "--max", "6", "--quiet"});
    BOOST_TEST(o.code == 0);
    BOOST_TEST(o.out == "6: 2 3\n6: 2 3\n6: 2 3\n6: 2 3\n6: 2 3\n");
    BOOST_TEST(o.err.empty());
    // The forms the README writes: 5e12.
    o = run({"--random", "3", "--min", "5e12", "--max", "5e12", "--quiet"});
    BOOST_TEST(o.code == 0);
    const std::string line = "5000000000000: 2 2 2 2 2 2 2 2 2 2 2 2 5 5 5 5 5 5 5 5 5 5 5 5 5\n";
    BOOST_TEST(o.out == line + line + line);
}

BOOST_AUTO_TEST_CASE(stdin_is_read_when_no_number_is_given_several_a_line)
{
    // As GNU factor reads it: any whitespace between numbers, a leading '+'; an empty
    // input is no error.
    for (const char* executor : {"serial", "threads", "processes"}) {
        BOOST_TEST_CONTEXT(executor)
        {
            auto o = run({"--executor", executor}, std::string("12 13\t+7\n\n  0 1 # a comment\r\n 18446744073709551615"));
            BOOST_TEST(o.code == 0, o.err);
            BOOST_TEST(o.out == "12: 2 2 3\n13: 13\n7: 7\n0:\n1:\n18446744073709551615: 3 5 17 257 641 65537 6700417\n");
            o = run({"--executor", executor}, std::string(""));
            BOOST_TEST(o.code == 0);
            BOOST_TEST(o.out.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(a_bad_token_mid_stream_prints_the_results_before_it)
{
    scratch s;
    auto file = s.write("bad.txt", "12\n13\n\n14 x1 15\n16\n");
    for (const char* executor : {"serial", "threads", "processes"}) {
        for (const char* mode : {"map", "chunked"}) {
            BOOST_TEST_CONTEXT(executor << ", " << mode)
            {
                auto o = run({"--executor", executor, "--mode", mode}, std::string("12 13\n-7 9\n"));
                BOOST_TEST(o.code == 2);
                BOOST_TEST(o.out == "12: 2 2 3\n13: 13\n");
                BOOST_TEST(contains(o.err, "factorize: stdin line 2: \"-7\" is negative"), o.err);
                o = run({"--executor", executor, "--mode", mode, "--input", file.string()});
                BOOST_TEST(o.code == 2);
                BOOST_TEST(o.out == "12: 2 2 3\n13: 13\n14: 2 7\n");
                BOOST_TEST(contains(o.err, "factorize: " + file.string() + " line 4: \"x1\" is not a number"), o.err);
                o = run({"--executor", executor, "--mode", mode, "12", "x", "13"});
                BOOST_TEST(o.code == 2);
                BOOST_TEST(o.out == "12: 2 2 3\n");
                BOOST_TEST(contains(o.err, "factorize: argument 2: \"x\" is not a number"), o.err);
            }
        }
    }
    // JSON: the document is closed, with the error in it, and still parses.
    auto o = run({"--format", "json", "--input", file.string()});
    BOOST_TEST(o.code == 2);
    boost::system::error_code ec;
    auto doc = boost::json::parse(o.out, ec);
    BOOST_TEST_REQUIRE(!ec, "not JSON: " << o.out);
    BOOST_TEST(doc.at("results").as_array().size() == 3u);
    BOOST_TEST(doc.at("count").to_number<int>() == 3);
    BOOST_TEST(contains(std::string(doc.at("error").as_string()), "line 4: \"x1\" is not a number"));
}

BOOST_AUTO_TEST_CASE(a_long_input_in_blocks_prints_everything_in_order_and_stops_at_a_bad_token)
{
    // 30,000 numbers (~330 KB: several 64 KiB reads): on a pool they go in blocks that start
    // small, grow to the full budget, and shrink again near the end of an input of known
    // size (a file, stdin redirected from one). Every block's lines must come out, in input
    // order, byte for byte what the serial run prints; a bad token in the small first
    // blocks, after a read boundary or in the shrinking last blocks stops the run with
    // exactly the results before it.
    const std::size_t count = 30000;
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i < count; ++i)
        tokens.push_back(std::to_string(1000000007ULL + 7919ULL * i * i));
    auto text_of = [&](std::size_t bad_at) {
        std::string text;
        for (std::size_t i = 0; i < count; ++i) {
            text += i == bad_at ? std::string("12x") : tokens[i];
            text += i % 3 == 2 ? '\n' : ' ';
        }
        return text;
    };
    scratch s;
    auto good = s.write("good.txt", text_of(count));
    auto reference = run({"--executor", "serial", "--input", good.string(), "--quiet"});
    BOOST_TEST_REQUIRE(reference.code == 0);
    auto reference_lines = lines(reference.out);
    BOOST_TEST_REQUIRE(reference_lines.size() == count);
    for (const char* executor : {"threads", "processes"}) {
        BOOST_TEST_CONTEXT(executor)
        {
            auto o = run({"--executor", executor, "--workers", "2", "--input", good.string(), "--quiet"});
            BOOST_TEST(o.code == 0, o.err);
            BOOST_TEST((o.out == reference.out));
            o = run({"--executor", executor, "--workers", "2", "--quiet"}, text_of(count));  // stdin from a file
            BOOST_TEST(o.code == 0, o.err);
            BOOST_TEST((o.out == reference.out));
            for (std::size_t bad_at : {std::size_t(300), std::size_t(6500), count - 40, count - 1}) {
                BOOST_TEST_CONTEXT("bad token at " << bad_at)
                {
                    auto bad = s.write("bad.txt", text_of(bad_at));
                    o = run({"--executor", executor, "--workers", "2", "--input", bad.string(), "--quiet"});
                    BOOST_TEST(o.code == 2);
                    auto got = lines(o.out);
                    BOOST_TEST(got.size() == bad_at);
                    BOOST_TEST((std::equal(got.begin(), got.end(), reference_lines.begin())));
                    BOOST_TEST(contains(o.err, "line " + std::to_string(bad_at / 3 + 1) + ": \"12x\" is not a number"), o.err);
                }
            }
        }
    }
}

namespace {

/// factorize with its stdin and stdout on pipes, so that a test can write some input,
/// read the answers while the input is still open, and only then close it.
struct piped_child {
    pid_t pid = -1;
    int in = -1, out = -1;
    std::string buffered;

    explicit piped_child(const std::vector<std::string>& args)
    {
        int to_child[2], from_child[2];
        BOOST_TEST_REQUIRE(::pipe(to_child) == 0);
        BOOST_TEST_REQUIRE(::pipe(from_child) == 0);
        std::string path = binary();
        std::vector<std::string> argv{path};
        argv.insert(argv.end(), args.begin(), args.end());
        pid = ::fork();
        BOOST_TEST_REQUIRE(pid >= 0);
        if (pid == 0) {
            ::dup2(to_child[0], 0);
            ::dup2(from_child[1], 1);
            int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, 2);
            for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1], null})
                ::close(fd);
            std::vector<char*> raw;
            for (auto& a : argv)
                raw.push_back(a.data());
            raw.push_back(nullptr);
            ::execv(raw[0], raw.data());
            ::_exit(127);
        }
        ::close(to_child[0]);
        ::close(from_child[1]);
        in = to_child[1];
        out = from_child[0];
    }
    ~piped_child()
    {
        if (in >= 0)
            ::close(in);
        if (out >= 0)
            ::close(out);
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
    void write(const std::string& text) const
    {
        BOOST_TEST_REQUIRE(::write(in, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    }
    /// Reads until `expected` bytes have come (or 60 s pass, or the output ends).
    std::string read(std::size_t expected)
    {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (buffered.size() < expected && std::chrono::steady_clock::now() < deadline) {
            pollfd p{out, POLLIN, 0};
            if (::poll(&p, 1, 200) <= 0)
                continue;
            char chunk[4096];
            ssize_t n = ::read(out, chunk, sizeof chunk);
            if (n <= 0)
                break;
            buffered.append(chunk, static_cast<std::size_t>(n));
        }
        std::string got = buffered.substr(0, std::min(expected, buffered.size()));
        buffered.erase(0, got.size());
        return got;
    }
    int close_and_wait()
    {
        ::close(in);
        in = -1;
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(results_come_back_while_the_input_is_still_open)
{
    // A producer that waits for each answer before writing the next question: it gets
    // them only if factorize prints each result while its input is still open.
    for (const char* executor : {"serial", "threads", "processes"}) {
        for (const char* mode : {"map", "as-completed"}) {
            BOOST_TEST_CONTEXT(executor << ", " << mode)
            {
                piped_child c({"--executor", executor, "--mode", mode, "--quiet", "--no-progress"});
                c.write("12\n");
                BOOST_TEST(c.read(10) == "12: 2 2 3\n");
                c.write("13 18446744030759878681\n");
                std::string expected = "13: 13\n18446744030759878681: 4294967291 4294967291\n";
                BOOST_TEST(c.read(expected.size()) == expected);
                c.write("+7");  // no newline: the end of the input ends the token
                BOOST_TEST(c.close_and_wait() == 0);
                BOOST_TEST(c.read(5) == "7: 7\n");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(output_is_byte_identical_to_gnu_factor)
{
    const char* gnu = "/usr/bin/factor";
    if (::access(gnu, X_OK) != 0) {
        BOOST_TEST_MESSAGE("skipped: no GNU factor at /usr/bin/factor (coreutils)");
        return;
    }
    // 1..20000 ten a line; random 64-bit numbers; and large primes, semiprimes and squares.
    std::string input;
    for (int i = 1; i <= 20000; ++i)
        input += std::to_string(i) + (i % 10 ? " " : "\n");
    std::uint64_t state = 7;
    for (int i = 0; i < 1500; ++i) {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        input += std::to_string(z ^ (z >> 31)) + "\n";
    }
    for (const char* n : {"18446744073709551557", "18446744073709551615", "18446744030759878681", "18446743979220271189",
                          "9223372036854775783", "1000000016000000063", "4611686014132420609", "3825123056546413051",
                          "999999999989", "0", "1", "+7", "0000012"})
        input += std::string(n) + "\n";
    scratch s;
    auto in = s.write("numbers.txt", input);
    std::string command = gnu;
    command += " <";
    append_quoted(command, in.string());
    command += " >";
    append_quoted(command, (s.dir / "gnu.txt").string());
    BOOST_TEST_REQUIRE(std::system(command.c_str()) == 0);
    std::string reference = slurp(s.dir / "gnu.txt");
    BOOST_TEST_REQUIRE(lines(reference).size() == 21513u);
    for (const char* executor : {"serial", "threads", "processes"}) {
        BOOST_TEST_CONTEXT(executor)
        {
            auto o = run({"--executor", executor, "--quiet"}, input);
            BOOST_TEST(o.code == 0);
            BOOST_TEST((o.out == reference), "differs from GNU factor's output");
        }
    }
}

BOOST_AUTO_TEST_CASE(progress_bar_fits_a_50_column_terminal)
{
    // Under a pseudo-terminal of 50 columns (COLUMNS says 200: the terminal's own size
    // wins), a run long enough for the bar to show (after 0.5 s): 40 copies of a prime near
    // 10^15 by trial division (~0.04 s each), so the total is known and the bar is drawn
    // at full width. No line of it may be wider than 49 columns. Then a stream of unknown
    // length, fed slowly (the count instead of a bar). Then without a terminal, --progress
    // with COLUMNS=50.
    if (std::system("python3 -c 'import pty' 2>/dev/null") != 0) {
        BOOST_TEST_MESSAGE("skipped: no python3 for the pseudo-terminal");
        return;
    }
    scratch s;
    auto script = s.write("pty_run.py", R"PY(
import os, pty, struct, subprocess, sys, time, fcntl, termios
binary, mode, input_kind = sys.argv[1], sys.argv[2], sys.argv[3]
args = [binary, '--executor', 'serial', '--quiet'] + (['--progress'] if mode == 'file' else [])
if input_kind == 'known':
    args += ['--algorithm', 'trial', '--random', '40', '--min', '999999999999989', '--max', '999999999999989']
env = dict(os.environ, COLUMNS='200' if mode == 'pty' else '50')
if mode == 'pty':
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 50, 0, 0))
    err = slave
else:
    err = open(sys.argv[4], 'wb')
p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err, env=env)
if mode == 'pty':
    os.close(slave)
if input_kind == 'stream':
    for i in range(16):
        p.stdin.write(b'%d 1000000007\n' % (1000 + i))
        p.stdin.flush()
        time.sleep(0.1)
p.stdin.close()
data = b''
if mode == 'pty':
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    sys.stdout.buffer.write(data)
sys.exit(p.wait())
)PY");
    auto check = [](const std::string& text, bool bar) {
        // The bar is redrawn after "\r"; "\033[K" clears the rest of the line.
        std::size_t drawn = 0;
        std::string shown;
        for (std::size_t i = 0; i <= text.size(); ++i) {
            if (i == text.size() || text[i] == '\r' || text[i] == '\n') {
                if (contains(shown, bar ? "/40 " : " numbers ")) {
                    ++drawn;
                    BOOST_TEST(shown.size() <= 49u, "a line of " << shown.size() << " columns: " << shown);
                }
                shown.clear();
            } else if (text.compare(i, 3, "\033[K") == 0) {
                i += 2;
            } else {
                shown += text[i];
            }
        }
        BOOST_TEST(drawn > 0u, "no progress bar drawn: " << text);
        if (bar)
            BOOST_TEST(contains(text, "[#"), "no bar in: " << text);
    };
    for (const char* input_kind : {"known", "stream"}) {
        BOOST_TEST_CONTEXT(input_kind << " length, under a pseudo-terminal")
        {
            std::string command = "python3";
            append_quoted(command, script.string());
            append_quoted(command, binary());
            command += " pty ";
            command += input_kind;
            command += " >";
            append_quoted(command, (s.dir / "pty.txt").string());
            BOOST_TEST_REQUIRE(std::system(command.c_str()) == 0);
            check(slurp(s.dir / "pty.txt"), std::string(input_kind) == "known");
        }
    }
    BOOST_TEST_CONTEXT("COLUMNS=50, no terminal")
    {
        std::string command = "python3";
        append_quoted(command, script.string());
        append_quoted(command, binary());
        command += " file known";
        append_quoted(command, (s.dir / "err.txt").string());
        BOOST_TEST_REQUIRE(std::system(command.c_str()) == 0);
        check(slurp(s.dir / "err.txt"), true);
    }
}

BOOST_AUTO_TEST_CASE(json_output_parses)
{
    auto o = run({"--format", "json", "--executor", "processes", "--mode", "as-completed", "--crash-on", "15", "0", "1",
                  "18446744073709551615", "15", "12"});
    BOOST_TEST(o.code == 1);
    boost::system::error_code ec;
    auto value = boost::json::parse(o.out, ec);
    BOOST_TEST_REQUIRE(!ec, "not JSON: " << o.out);
    auto& doc = value.as_object();
    BOOST_TEST(doc.at("executor").as_string() == "processes");
    BOOST_TEST(doc.at("mode").as_string() == "as-completed");
    BOOST_TEST(doc.at("count").to_number<int>() == 5);
    BOOST_TEST(doc.at("failed").to_number<int>() == 1);
    auto& results = doc.at("results").as_array();
    BOOST_TEST_REQUIRE(results.size() == 5u);
    BOOST_TEST(results[0].at("n").to_number<std::uint64_t>() == 0u);
    BOOST_TEST(results[0].at("factors").as_array().empty());
    BOOST_TEST(results[1].at("factors").as_array().empty());
    BOOST_TEST(results[2].at("n").to_number<std::uint64_t>() == 18446744073709551615ULL);
    std::vector<std::uint64_t> f;
    for (auto& v : results[2].at("factors").as_array())
        f.push_back(v.to_number<std::uint64_t>());
    BOOST_TEST(f == (std::vector<std::uint64_t>{3, 5, 17, 257, 641, 65537, 6700417}), boost::test_tools::per_element());
    BOOST_TEST(results[3].at("error").as_string() == "worker crashed (signal 6)");
    BOOST_TEST(results[4].at("factors").as_array().size() == 3u);
}

BOOST_AUTO_TEST_CASE(bad_options_and_a_bad_first_token_print_nothing)
{
    scratch s;
    auto huge = s.write("huge.txt", "18446744073709551616\n");
    struct bad_case {
        std::vector<std::string> args;
        std::optional<std::string> input;
        std::string message;
    };
    const std::vector<bad_case> cases = {
        {{"abc", "13"}, {}, "factorize: argument 1: \"abc\" is not a number"},
        {{"-5", "12"}, {}, "factorize: argument 1: \"-5\" is negative"},
        {{"18446744073709551616"}, {}, "factorize: argument 1: \"18446744073709551616\" is larger than 2^64-1"},
        {{"99999999999999999999999999"}, {}, "is larger than 2^64-1"},
        {{"1.5"}, {}, "\"1.5\" is not a number"},
        {{"--input", huge.string()}, {}, huge.string() + " line 1: \"18446744073709551616\" is larger than 2^64-1"},
        {{"--input", (s.dir / "missing.txt").string()}, {}, "cannot read \"" + (s.dir / "missing.txt").string() + "\": No such file"},
        {{"--input", s.dir.string()}, {}, "cannot read"},
        {{}, std::string("three\n"), "stdin line 1: \"three\" is not a number"},
        {{"--random", "5", "--min", "5x3"}, {}, "--min: \"5x3\" is not a number"},
        {{"--random", "5", "--max", "2e19"}, {}, "--max: \"2e19\" is larger than 2^64-1"},
        {{"--random", "0"}, {}, "--random: must be at least 1"},
        {{"--random", "5", "--min", "9", "--max", "3"}, {}, "--min 9 is larger than --max 3"},
        {{"--random", "-5"}, {}, "--random: \"-5\" is negative"},
        {{"--min", "5", "12"}, {}, "--min, --max and --seed go with --random"},
        {{"--random", "5", "12"}, {}, "give numbers one way only"},
        {{"--executor", "gpu", "12"}, {}, "--executor: \"gpu\" is not one of serial, threads, processes"},
        {{"--mode", "fast", "12"}, {}, "--mode: \"fast\" is not one of map, chunked, as-completed, then"},
        {{"--algorithm", "ecm", "12"}, {}, "--algorithm: \"ecm\" is not one of trial, rho"},
        {{"--format", "xml", "12"}, {}, "--format: \"xml\" is not one of text, json"},
        {{"--chunksize", "0", "12"}, {}, "--chunksize: must be at least 1"},
        {{"--workers", "two", "12"}, {}, "--workers: \"two\" is not a number"},
        {{"--crash-on", "12", "12"}, {}, "--crash-on needs --executor processes"},
        {{"--task-timeout", "5", "12"}, {}, "--task-timeout needs --executor processes"},
        {{"--no-such-option"}, {}, "unrecognised option '--no-such-option'"},
    };
    for (const auto& c : cases) {
        std::string shown;
        for (const auto& a : c.args)
            shown += a + " ";
        BOOST_TEST_CONTEXT("factorize " << shown)
        {
            auto o = run(c.args, c.input);
            BOOST_TEST(o.code == 2);
            BOOST_TEST(o.out.empty(), "stdout: " << o.out);
            BOOST_TEST(contains(o.err, c.message), "stderr: " << o.err);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_crashed_worker_fails_only_its_number)
{
    for (const char* mode : {"map", "chunked", "as-completed", "then"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            auto o = run({"--executor", "processes", "--workers", "2", "--mode", mode, "--chunksize", "auto",
                          "--crash-on", "15", "10", "12", "15", "21", "22", "15", "24"});
            BOOST_TEST(o.code == 1);
            BOOST_TEST(o.out == "10: 2 5\n12: 2 2 3\n15: error: worker crashed (signal 6)\n21: 3 7\n22: 2 11\n"
                                "15: error: worker crashed (signal 6)\n24: 2 2 2 3\n");
            BOOST_TEST(contains(o.err, "7 numbers in"));
            BOOST_TEST(contains(o.err, "2 failed"));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_task_past_its_timeout_fails_only_its_number)
{
    // Trial division of the largest 64-bit prime takes minutes; 200 ms is all it gets.
    auto o = run({"--executor", "processes", "--algorithm", "trial", "--task-timeout", "200", "12",
                  "18446744073709551557", "13"});
    BOOST_TEST(o.code == 1);
    BOOST_TEST(o.out == "12: 2 2 3\n18446744073709551557: error: timed out after 200 ms\n13: 13\n");
}

BOOST_AUTO_TEST_CASE(help_explains_every_option)
{
    auto o = run({"--help"});
    BOOST_TEST(o.code == 0);
    for (const char* option : {"--input", "--random", "--min", "--max", "--seed", "--executor", "--workers", "--mode",
                               "--chunksize", "--algorithm", "--verify", "--task-timeout", "--format", "--progress",
                               "--no-progress", "--quiet", "--bench", "--bench-repeat", "--python-count",
                               "--crash-on", "Exit status"})
        BOOST_TEST(contains(o.out, option), option);
}

BOOST_AUTO_TEST_CASE(progress_bar_goes_to_stderr_only)
{
    // --progress forces the bar; the run is short, so it may or may not have been drawn,
    // but stdout must hold only the results.
    auto o = run({"--progress", "--random", "2000", "--executor", "threads"});
    BOOST_TEST(o.code == 0);
    BOOST_TEST(lines(o.out).size() == 2000u);
    BOOST_TEST(!contains(o.out, "["));
    BOOST_TEST(run({"--progress", "--no-progress", "12"}).code == 2);
}

BOOST_AUTO_TEST_CASE(bench_smoke)
{
    // A tiny workload: checks that every row runs and that every checksum agrees, the Python
    // peer's included when python3 is there. Its timings mean nothing.
    auto o = run({"--bench", "--workers", "2", "--random", "60", "--min", "1000", "--max", "1e6", "--python-count", "40",
                  "--python-min", "1000", "--python-max", "100000", "--gnu-range", "3000", "--gnu-random", "200",
                  "--stream-count", "3000"});
    BOOST_TEST(o.code == 0, o.out << o.err);
    BOOST_TEST(!contains(o.out, "MISMATCH"));
    BOOST_TEST(!contains(o.out, "DIFFERENT"));
    BOOST_TEST(!contains(o.out, "FAILED"));
    if (::access("/usr/bin/factor", X_OK) == 0 || contains(o.out, "GNU factor "))
        for (const char* row : {"| GNU factor", "| factorize --executor serial", "| factorize --executor threads x2"})
            BOOST_TEST(contains(o.out, row), row);
    for (const char* row : {"factorize --input FILE: 3000 numbers", "| factorize --executor processes x2",
                            "| 2 serial runs at once (ceiling)", "the machine's own ceiling in this run"})
        BOOST_TEST(contains(o.out, row), row);
    for (const char* row : {"serial", "map, auto chunksize", "chunked", "as-completed", "then"})
        BOOST_TEST(contains(o.out, row), row);
    BOOST_TEST(contains(o.out, "threads"));
    BOOST_TEST(contains(o.out, "processes"));
    if (contains(o.out, "Python serial"))
        BOOST_TEST(contains(o.out, "Python map"));
}

BOOST_AUTO_TEST_SUITE_END()
