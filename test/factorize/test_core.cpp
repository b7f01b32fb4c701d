// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The factorize app's library (factorize_lib): arithmetic, input parsing, random workloads,
// output, and the drivers on a thread pool and on a process pool whose workers are the
// factorize binary (it registers the same tasks). Run as: test_factorize -- <factorize>.
#define BOOST_TEST_MODULE factorize
#include <boost/test/unit_test.hpp>

#include "drivers.hpp"
#include "factorize_core.hpp"
#include "number_stream.hpp"
#include "output.hpp"
#include "workload.hpp"

#include <asyncjobs/process_pool_executor.hpp>
#include <asyncjobs/thread_pool_executor.hpp>

#include <boost/json.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using namespace factorize;
using factors = std::vector<u64>;

namespace {

constexpr u64 max64 = 18446744073709551615ULL;

std::string factorize_binary()
{
    auto& suite = boost::unit_test::framework::master_test_suite();
    BOOST_TEST_REQUIRE(suite.argc > 1, "run as: test_factorize -- <path to the factorize binary>");
    return suite.argv[1];
}

struct known {
    u64 n;
    factors f;
    bool trial_is_fast;  // trial division needs about sqrt(second-largest factor) steps
};

const std::vector<known>& known_factorizations()
{
    static const std::vector<known> cases = {
        {0, {}, true},
        {1, {}, true},
        {2, {2}, true},
        {3, {3}, true},
        {4, {2, 2}, true},
        {12, {2, 2, 3}, true},
        {97, {97}, true},
        {1024, {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, true},
        {4294967291ULL, {4294967291ULL}, true},                            // the largest prime below 2^32
        {1000000000039ULL, {1000000000039ULL}, true},                      // a prime above 10^12
        {1000003ULL * 1000003ULL, {1000003ULL, 1000003ULL}, true},         // a square of a prime
        {max64, {3, 5, 17, 257, 641, 65537, 6700417}, true},               // 2^64-1
        {9223372036854775808ULL, factors(63, 2), true},                    // 2^63
        {18446744030759878681ULL, {4294967291ULL, 4294967291ULL}, false},  // 4294967291^2
        {18446743979220271189ULL, {4294967279ULL, 4294967291ULL}, false},  // two 32-bit primes
        {18446744073709551557ULL, {18446744073709551557ULL}, false},       // the largest 64-bit prime
        {18446744073709551533ULL, {18446744073709551533ULL}, false},
        {9223372036854775783ULL, {9223372036854775783ULL}, false},         // the largest prime below 2^63
        {3825123056546413051ULL, {149491, 747451, 34233211}, true},        // strong pseudoprime to bases 2..23
    };
    return cases;
}

/// A scratch file holding `text`, removed afterwards.
struct text_file {
    std::string path;
    explicit text_file(const std::string& text)
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "factorize-core-XXXXXX").string();
        int fd = ::mkstemp(pattern.data());
        BOOST_TEST_REQUIRE(fd >= 0);
        ::close(fd);
        path = pattern;
        std::ofstream(path, std::ios::binary) << text;
    }
    ~text_file() { std::filesystem::remove(path); }
};

/// Every number of the stream into `out`, waiting for input as a caller does.
void drain_into(number_stream& s, factors& out)
{
    u64 n = 0;
    for (;;) {
        auto got = s.next(n);
        if (got == number_stream::status::number)
            out.push_back(n);
        else if (got == number_stream::status::end)
            return;
        else
            s.wait();
    }
}

factors drain(number_stream& s)
{
    factors out;
    drain_into(s, out);
    return out;
}

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(core)

BOOST_AUTO_TEST_CASE(known_factorizations_by_rho)
{
    for (const auto& k : known_factorizations()) {
        BOOST_TEST_CONTEXT("n = " << k.n)
        {
            BOOST_TEST(factorize_rho(k.n) == k.f, boost::test_tools::per_element());
            BOOST_TEST(!verify(k.n, k.f).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(known_factorizations_by_trial_division)
{
    for (const auto& k : known_factorizations()) {
        if (!k.trial_is_fast)
            continue;
        BOOST_TEST_CONTEXT("n = " << k.n) { BOOST_TEST(factorize_trial(k.n) == k.f, boost::test_tools::per_element()); }
    }
}

BOOST_AUTO_TEST_CASE(trial_and_rho_agree_and_verify)
{
    splitmix64 rng(42);
    for (int i = 0; i < 3000; ++i) {
        u64 n = rng.next() % 1'000'000'000'000ULL;
        auto t = factorize_trial(n);
        BOOST_TEST_CONTEXT("n = " << n)
        {
            BOOST_TEST(t == factorize_rho(n), boost::test_tools::per_element());
            BOOST_TEST(!verify(n, t).has_value());
        }
    }
    // The whole 64-bit range, near 2^64 included: rho's results must verify.
    for (int i = 0; i < 300; ++i) {
        u64 n = i < 100 ? max64 - static_cast<u64>(i) : rng.next();
        auto r = factorize_rho(n);
        BOOST_TEST_CONTEXT("n = " << n) { BOOST_TEST(!verify(n, r).has_value()); }
    }
}

BOOST_AUTO_TEST_CASE(miller_rabin_against_a_sieve)
{
    constexpr u64 limit = 20000;
    std::vector<bool> composite(limit, false);
    for (u64 i = 2; i * i < limit; ++i)
        if (!composite[i])
            for (u64 j = i * i; j < limit; j += i)
                composite[j] = true;
    for (u64 n = 0; n < limit; ++n)
        BOOST_TEST(is_prime(n) == (n >= 2 && !composite[n]), "n = " << n);
    // Carmichael numbers and strong pseudoprimes to many bases.
    for (u64 n : std::initializer_list<u64>{561, 41041, 825265, 3215031751ULL, 2152302898747ULL, 3474749660383ULL,
                                            341550071728321ULL, 3825123056546413051ULL, max64})
        BOOST_TEST(!is_prime(n), "n = " << n);
    for (u64 n : std::initializer_list<u64>{4294967291ULL, 18446744073709551557ULL, 9223372036854775783ULL})
        BOOST_TEST(is_prime(n), "n = " << n);
}

BOOST_AUTO_TEST_CASE(mulmod_does_not_overflow)
{
    BOOST_TEST(mulmod(max64 - 1, max64 - 1, max64) == 1u);
    BOOST_TEST(mulmod(max64, max64, 18446744073709551557ULL) == 3364u);  // (58)^2
    BOOST_TEST(mulmod(1ULL << 63, 4, 1000000007ULL) == ((1ULL << 63) % 1000000007ULL) * 4 % 1000000007ULL);
}

BOOST_AUTO_TEST_CASE(verify_rejects_wrong_results)
{
    BOOST_TEST(!verify(12, {2, 2, 3}).has_value());
    BOOST_TEST(verify(12, {2, 6}).has_value());      // 6 is not prime
    BOOST_TEST(verify(12, {3, 2, 2}).has_value());   // not ascending
    BOOST_TEST(verify(12, {2, 3}).has_value());      // product 6
    BOOST_TEST(verify(12, {}).has_value());
    BOOST_TEST(!verify(0, {}).has_value());
    BOOST_TEST(!verify(1, {}).has_value());
    BOOST_TEST(verify(1, {1}).has_value());
    BOOST_TEST(verify(0, {2}).has_value());
    BOOST_TEST(verify(max64, {4294967291ULL, 4294967291ULL, 4294967291ULL}).has_value());  // overflows
}

BOOST_AUTO_TEST_CASE(checksum_wraps_modulo_2_64)
{
    BOOST_TEST(factor_sum({max64 - 1, 3}) == 1u);
    std::vector<number_result> results(3);
    results[0].factors = {2, 2, 3};
    results[1].error = "worker crashed (signal 6)";
    results[2].factors = {max64};
    BOOST_TEST(checksum(results) == 6u);
}

BOOST_AUTO_TEST_CASE(algorithm_names)
{
    BOOST_TEST((parse_algorithm("trial") == algorithm::trial));
    BOOST_TEST((parse_algorithm("rho") == algorithm::rho));
    BOOST_TEST(!parse_algorithm("Trial").has_value());
    BOOST_TEST((parse_mode("as-completed") == mode::as_completed));
    BOOST_TEST(!parse_mode("as_completed").has_value());
    BOOST_TEST((parse_executor("processes") == executor_kind::processes));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(workload)

std::string message_of(std::string_view token)
{
    try {
        parse_number(token, "argument 3");
    } catch (const input_error& e) {
        return e.what();
    }
    return "";
}

BOOST_AUTO_TEST_CASE(parse_number_accepts_the_64_bit_range)
{
    BOOST_TEST(parse_number("0", "x") == 0u);
    BOOST_TEST(parse_number("007", "x") == 7u);
    BOOST_TEST(parse_number("18446744073709551615", "x") == max64);
    BOOST_TEST(parse_number("+7", "x") == 7u);  // as GNU factor reads it
    BOOST_TEST(parse_number("000000000000000000000000018446744073709551615", "x") == max64);
}

BOOST_AUTO_TEST_CASE(parse_number_names_the_token_and_the_problem)
{
    BOOST_TEST(message_of("abc") == "argument 3: \"abc\" is not a number (expected decimal digits, 0 to 18446744073709551615)");
    BOOST_TEST(message_of("-5").find("argument 3: \"-5\" is negative") == 0u);
    BOOST_TEST(message_of("18446744073709551616") == "argument 3: \"18446744073709551616\" is larger than 2^64-1 (18446744073709551615)");
    BOOST_TEST(message_of("99999999999999999999999").find("is larger than 2^64-1") != std::string::npos);
    BOOST_TEST(message_of("").find("is not a number") != std::string::npos);
    BOOST_TEST(message_of("12a").find("\"12a\" is not a number") != std::string::npos);
    BOOST_TEST(message_of("++1").find("is not a number") != std::string::npos);
    BOOST_TEST(message_of("+").find("is not a number") != std::string::npos);
    BOOST_TEST(message_of("1+").find("is not a number") != std::string::npos);
    BOOST_TEST(message_of("1.5").find("is not a number") != std::string::npos);
    BOOST_TEST(message_of("0x10").find("is not a number") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stream_reads_whitespace_separated_numbers_and_comments)
{
    text_file f("# a comment\n12\n\n   7   \r\n42 # the answer\n\t\n18446744073709551615 +5\t6\n007");
    auto s = number_stream::from_file(f.path);
    BOOST_TEST(!s.known_count().has_value());
    BOOST_TEST(drain(s) == (factors{12, 7, 42, max64, 5, 6, 7}), boost::test_tools::per_element());
    text_file empty("# nothing\n\n");
    auto e = number_stream::from_file(empty.path);
    BOOST_TEST(drain(e).empty());
}

BOOST_AUTO_TEST_CASE(stream_reads_tokens_cut_by_its_block_boundary)
{
    // 300,000 numbers of varied lengths: tokens straddle every 64 KiB block boundary.
    factors expected;
    std::string text;
    splitmix64 rng(5);
    for (int i = 0; i < 300000; ++i) {
        u64 n = rng.next() >> (i % 64);
        expected.push_back(n);
        text += std::to_string(n);
        text += i % 7 == 0 ? "\n" : " ";
    }
    text_file f(text);
    auto s = number_stream::from_file(f.path);
    BOOST_TEST(drain(s) == expected);
}

BOOST_AUTO_TEST_CASE(a_bad_token_comes_after_the_numbers_before_it_and_names_its_line)
{
    auto message = [](const std::string& text, factors before) {
        text_file f(text);
        auto s = number_stream::from_file(f.path);
        factors got;
        try {
            drain_into(s, got);
        } catch (const input_error& e) {
            BOOST_TEST(got == before, boost::test_tools::per_element());
            return std::string(e.what()).substr(f.path.size());
        }
        return std::string("no error");
    };
    BOOST_TEST(message("1\n2 3\nx1 4\n", {1, 2, 3}).find(" line 3: \"x1\" is not a number") == 0u);
    BOOST_TEST(message("1\n\n# c\n-4\n", {1}).find(" line 4: \"-4\" is negative") == 0u);
    BOOST_TEST(message("5 99999999999999999999\n", {5}).find(" line 1: \"99999999999999999999\" is larger") == 0u);
    BOOST_TEST(message("5 ++7\n", {5}).find(" line 1: \"++7\" is not a number") == 0u);
    BOOST_TEST(message("5 " + std::string(1000, '1'), {5}).find(" line 1: \"1111") == 0u);
}

BOOST_AUTO_TEST_CASE(arguments_stream_with_their_positions)
{
    auto s = number_stream::from_arguments({"12", "+7", "0"});
    BOOST_TEST(*s.known_count() == 3u);
    BOOST_TEST(drain(s) == (factors{12, 7, 0}), boost::test_tools::per_element());
    auto bad = number_stream::from_arguments({"12", "abc"});
    u64 n = 0;
    BOOST_TEST((bad.next(n) == number_stream::status::number && n == 12));
    try {
        bad.next(n);
        BOOST_FAIL("no error");
    } catch (const input_error& e) {
        BOOST_TEST(std::string(e.what()).find("argument 2: \"abc\" is not a number") == 0u);
    }
    BOOST_CHECK_THROW(number_stream::from_arguments({"-", "1", "-"}), input_error);
    auto r = number_stream::from_random({4, 7, 7, 1});
    BOOST_TEST(drain(r) == (factors{7, 7, 7, 7}), boost::test_tools::per_element());
    auto w = number_stream::from_random({500, 0, max64, 3});
    BOOST_TEST(drain(w) == random_workload({500, 0, max64, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unreadable_file)
{
    try {
        number_stream::from_file("/nonexistent/numbers.txt");
        BOOST_FAIL("no error");
    } catch (const input_error& e) {
        BOOST_TEST(std::string(e.what()) == "cannot read \"/nonexistent/numbers.txt\": No such file or directory");
    }
}

BOOST_AUTO_TEST_CASE(scaled_numbers_as_the_readme_writes_them)
{
    BOOST_TEST(parse_scaled_number("5e12", "--min") == 5'000'000'000'000ULL);
    BOOST_TEST(parse_scaled_number("1E9", "--min") == 1'000'000'000ULL);
    BOOST_TEST(parse_scaled_number("18446744073709551615", "--max") == max64);
    BOOST_TEST(parse_scaled_number("0e30", "--max") == 0u);
    BOOST_CHECK_THROW(parse_scaled_number("2e19", "--max"), input_error);
    BOOST_CHECK_THROW(parse_scaled_number("5e", "--max"), input_error);
    BOOST_CHECK_THROW(parse_scaled_number("e5", "--max"), input_error);
    BOOST_CHECK_THROW(parse_scaled_number("1.5e3", "--max"), input_error);
    try {
        parse_scaled_number("5x12", "--min");
    } catch (const input_error& e) {
        BOOST_TEST(std::string(e.what()).find("--min: \"5x12\" is not a number") == 0u);
    }
}

BOOST_AUTO_TEST_CASE(splitmix64_reference_values)
{
    // First outputs of splitmix64 seeded with 0 and 1 (Vigna's reference implementation).
    splitmix64 zero(0);
    BOOST_TEST(zero.next() == 0xe220a8397b1dcdafULL);
    BOOST_TEST(zero.next() == 0x6e789e6aa1b965f4ULL);
    splitmix64 one(1);
    BOOST_TEST(one.next() == 0x910a2dec89025cc1ULL);
}

BOOST_AUTO_TEST_CASE(random_workload_is_deterministic_and_in_range)
{
    random_spec spec{1000, 1000, 2000, 9};
    auto a = random_workload(spec);
    BOOST_TEST(a == random_workload(spec), boost::test_tools::per_element());
    BOOST_TEST(a.size() == 1000u);
    for (u64 n : a)
        BOOST_TEST((n >= 1000 && n <= 2000));
    // A prefix of a workload is the smaller workload (the bench relies on it).
    random_spec shorter = spec;
    shorter.count = 10;
    auto b = random_workload(shorter);
    BOOST_TEST(std::equal(b.begin(), b.end(), a.begin()));
    // The whole range: the raw generator output.
    auto full = random_workload({3, 0, max64, 0});
    BOOST_TEST(full[0] == 0xe220a8397b1dcdafULL);
    BOOST_TEST(random_workload({5, 7, 7, 1}) == (factors{7, 7, 7, 7, 7}), boost::test_tools::per_element());
    BOOST_CHECK_THROW(random_workload({5, 8, 7, 1}), input_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(output)

BOOST_AUTO_TEST_CASE(text_lines)
{
    std::vector<u64> numbers{0, 1, 12, 15};
    std::vector<number_result> results(4);
    results[2].factors = {2, 2, 3};
    results[3].error = "worker crashed (signal 6)";
    BOOST_TEST(format_text(numbers, results) == "0:\n1:\n12: 2 2 3\n15: error: worker crashed (signal 6)\n");
}

BOOST_AUTO_TEST_CASE(json_document)
{
    std::vector<u64> numbers{0, max64, 15};
    std::vector<number_result> results(3);
    results[1].factors = {3, 5, 17, 257, 641, 65537, 6700417};
    results[2].error = "worker crashed (signal 6)";
    auto doc = boost::json::parse(format_json(numbers, results, {"processes", "map", "rho", 2, 0.5})).as_object();
    BOOST_TEST(doc.at("count").to_number<u64>() == 3u);
    BOOST_TEST(doc.at("failed").to_number<u64>() == 1u);
    BOOST_TEST(doc.at("executor").as_string() == "processes");
    auto& items = doc.at("results").as_array();
    BOOST_TEST(items.at(0).at("n").to_number<u64>() == 0u);
    BOOST_TEST(items.at(0).at("factors").as_array().empty());
    BOOST_TEST(items.at(1).at("n").to_number<u64>() == max64);
    BOOST_TEST(items.at(1).at("factors").as_array().at(6).to_number<u64>() == 6700417u);
    BOOST_TEST(items.at(2).at("error").as_string() == "worker crashed (signal 6)");
    BOOST_TEST(!items.at(2).as_object().contains("factors"));
}

BOOST_AUTO_TEST_CASE(result_writer_writes_what_format_text_and_format_json_do)
{
    std::vector<u64> numbers{0, 1, 12, max64, 15};
    std::vector<number_result> results(5);
    results[2].factors = {2, 2, 3};
    results[3].factors = {3, 5, 17, 257, 641, 65537, 6700417};
    results[4].error = "worker crashed (signal 6)";
    for (bool json : {false, true}) {
        text_file f("");
        int fd = ::open(f.path.c_str(), O_WRONLY | O_TRUNC);
        BOOST_TEST_REQUIRE(fd >= 0);
        {
            result_writer w(fd, json, {"threads", "map", "rho", 2, 0});
            for (std::size_t i = 0; i < numbers.size(); ++i) {
                if (results[i].ok())
                    w.add(numbers[i], results[i].factors.data(), results[i].factors.size());
                else
                    w.add_error(numbers[i], results[i].error);
            }
            BOOST_TEST(w.count() == 5u);
            BOOST_TEST(w.failed() == 1u);
            w.finish(0.25);
        }
        ::close(fd);
        if (!json) {
            BOOST_TEST(slurp(f.path) == format_text(numbers, results));
        } else {
            // The same document as format_json's, members in another order.
            auto streamed = boost::json::parse(slurp(f.path));
            auto whole = boost::json::parse(format_json(numbers, results, {"threads", "map", "rho", 2, 0.25}));
            BOOST_TEST(streamed == whole, streamed << " vs " << whole);
        }
    }
}

BOOST_AUTO_TEST_CASE(summary_line)
{
    auto line = format_summary(2, 1, {"threads", "map", "trial", 2, 0.5});
    BOOST_TEST(line.find("2 numbers in 0.500 s (4 numbers/s), 1 failed; threads x2, map, trial") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(drivers)

namespace {

std::vector<u64> sample_numbers()
{
    auto numbers = random_workload({400, 0, 1'000'000'000'000ULL, 5});
    numbers.insert(numbers.begin() + 17, {0, 1, 2, max64, 12, 12});
    return numbers;
}

void check_same(const std::vector<number_result>& got, const std::vector<number_result>& want)
{
    BOOST_TEST_REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        BOOST_TEST_CONTEXT("index " << i)
        {
            BOOST_TEST(got[i].error == want[i].error);
            BOOST_TEST(got[i].factors == want[i].factors, boost::test_tools::per_element());
        }
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(every_mode_on_a_thread_pool_matches_serial)
{
    auto numbers = sample_numbers();
    run_options options;
    options.algo = algorithm::rho;
    auto serial = run_serial(numbers, options);
    for (std::size_t i = 0; i < numbers.size(); ++i)
        BOOST_TEST(!verify(numbers[i], serial[i].factors).has_value());
    asyncjobs::thread_pool_executor pool(3);
    for (mode m : {mode::map, mode::chunked, mode::as_completed, mode::then}) {
        for (std::size_t chunksize : {0, 1, 7}) {
            BOOST_TEST_CONTEXT("mode " << to_string(m) << ", chunksize " << chunksize)
            {
                run_options o = options;
                o.driver = m;
                o.chunksize = chunksize;
                o.verify = true;
                std::atomic<std::size_t> done{0};
                o.on_progress = [&done](std::size_t k) { done += k; };
                check_same(run_on(pool, numbers, o), serial);
                BOOST_TEST(done.load() == numbers.size());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(every_mode_on_a_process_pool_matches_serial)
{
    auto numbers = sample_numbers();
    numbers.resize(120);
    run_options options;
    options.algo = algorithm::trial;
    auto serial = run_serial(numbers, options);
    pool_config config{executor_kind::processes, 2, {}, factorize_binary()};
    for (mode m : {mode::map, mode::chunked, mode::as_completed, mode::then}) {
        BOOST_TEST_CONTEXT("mode " << to_string(m))
        {
            run_options o = options;
            o.driver = m;
            o.verify = true;
            check_same(run(config, numbers, o), serial);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_crashing_number_fails_alone)
{
    // 15 appears twice; with chunks of 4 its chunk-mates are lost with it and retried singly.
    std::vector<u64> numbers{10, 12, 15, 21, 22, 15, 24, 25, 26, 27, 28};
    run_options options;
    options.algo = algorithm::rho;
    options.crash_on = 15;
    pool_config config{executor_kind::processes, 2, {}, factorize_binary()};
    for (mode m : {mode::map, mode::chunked, mode::as_completed, mode::then}) {
        for (std::size_t chunksize : {0, 4}) {
            BOOST_TEST_CONTEXT("mode " << to_string(m) << ", chunksize " << chunksize)
            {
                run_options o = options;
                o.driver = m;
                o.chunksize = chunksize;
                std::atomic<std::size_t> done{0};
                o.on_progress = [&done](std::size_t k) { done += k; };
                auto results = run(config, numbers, o);
                BOOST_TEST_REQUIRE(results.size() == numbers.size());
                for (std::size_t i = 0; i < numbers.size(); ++i) {
                    if (numbers[i] == 15) {
                        BOOST_TEST(results[i].error == "worker crashed (signal 6)");
                        BOOST_TEST(results[i].factors.empty());
                    } else {
                        BOOST_TEST(results[i].ok(), numbers[i] << ": " << results[i].error);
                        BOOST_TEST(results[i].factors == factorize_rho(numbers[i]), boost::test_tools::per_element());
                    }
                }
                BOOST_TEST(done.load() == numbers.size());
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
