// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Large payloads on a process pool: frames from shared_region::min_frame up cross through
// each worker's shared regions, a large call's arguments are encoded straight into the
// region when the call is sent (and again for a retry), and decoding copies a vector's bytes
// once. Sizes at the edges to the byte, the max_payload limit, workers that die around a
// large frame, and many large calls at once. Run as: test_large_payloads -- <test_worker>.
#define BOOST_TEST_MODULE large_payloads
#include <boost/test/unit_test.hpp>

#include "support.hpp"
#include "payload_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>
#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/shared_region.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace pt = payload_tasks;
using asyncjobs::future;
using asyncjobs::process_pool_executor;
using process_test::require_ready;

namespace {

asyncjobs::process_pool_options options(std::size_t workers)
{
    return process_test::pool_options(process_test::argument(1, "run as: test_large_payloads -- <test_worker>"),
                                      workers);
}

/// `size` bytes that depend on `seed` and on their place.
std::vector<std::uint8_t> pattern(std::size_t size, std::uint32_t seed)
{
    std::vector<std::uint8_t> bytes(size);
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& b : bytes) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    return bytes;
}

/// Bytes of the encoding of a std::vector<std::uint8_t> besides its elements (its count).
std::size_t vector_overhead()
{
    std::string out;
    asyncjobs::detail::encode_values(out, std::vector<std::uint8_t>{});
    return out.size();
}

/// The call frame of echo_bytes on `n` bytes: header, task name, the encoded vector.
std::size_t call_frame_size(std::size_t n)
{
    return asyncjobs::detail::frame_header_size + 2 + std::strlen(pt::echo_bytes_name) + vector_overhead() + n;
}

/// Its result frame: header, the encoded vector.
std::size_t result_frame_size(std::size_t n) { return asyncjobs::detail::frame_header_size + vector_overhead() + n; }

struct scratch {
    std::string path;
    explicit scratch(const std::string& name)
        : path((std::filesystem::temp_directory_path() /
                ("asyncjobs-payloads-" + std::to_string(::getpid()) + "-" + name))
                   .string())
    {
        std::filesystem::remove(path);
    }
    ~scratch() { std::filesystem::remove(path); }
};

} // namespace

// Below the threshold a frame takes the pipe, from it on the region: call and result frames
// one byte under, at and one byte over it, each way, arrive intact (the worker's result
// frame is smaller than its call frame by the task name, so the two edges differ). Arguments
// whose own encoding reaches the threshold are not encoded at submit but straight into the
// region when sent: one byte under that edge, at it and over it too.
BOOST_AUTO_TEST_CASE(frames_at_the_region_threshold_to_the_byte_cross_intact)
{
    process_pool_executor pool(options(1));
    constexpr std::size_t threshold = asyncjobs::detail::shared_region::min_frame;
    std::size_t call_edge = threshold - call_frame_size(0);
    std::size_t result_edge = threshold - result_frame_size(0);
    std::size_t deferred_edge = threshold - vector_overhead();
    BOOST_TEST_REQUIRE(call_frame_size(call_edge) == threshold);
    std::uint32_t seed = 1;
    for (std::size_t edge : {call_edge, result_edge, deferred_edge}) {
        for (std::size_t n : {edge - 1, edge, edge + 1}) {
            auto bytes = pattern(n, seed++);
            auto back = pool.submit(pt::echo_bytes, bytes).get();
            BOOST_TEST_REQUIRE(back.size() == n);
            BOOST_TEST((back == bytes), "the echo of " << n << " bytes came back different");
        }
    }
}

// Several large arguments in one call, each decoded with one copy out of the frame: each
// must start where the one before it ended, at any alignment (the string's length moves
// the vectors' place in the frame), in the worker and back in the parent.
BOOST_AUTO_TEST_CASE(several_large_arguments_in_one_call_keep_their_places)
{
    process_pool_executor pool(options(1));
    for (std::size_t shift = 0; shift < 8; ++shift) {
        std::string text(std::size_t{300} << 10 | shift, 'a');
        for (std::size_t i = 0; i < text.size(); i += 7)
            text[i] = static_cast<char>('a' + i % 26);
        std::vector<std::uint64_t> values((std::size_t{40} << 10) + shift);
        std::iota(values.begin(), values.end(), std::uint64_t{1} << 40);
        auto bytes = pattern((std::size_t{300} << 10) + 3 * shift, static_cast<std::uint32_t>(shift));
        auto back = pool.submit(pt::concat, text, values, bytes).get();
        auto expected = values;
        expected.push_back(std::accumulate(bytes.begin(), bytes.end(), std::uint64_t{0}));
        expected.push_back(text.size());
        expected.push_back(std::accumulate(text.begin(), text.end(), std::uint64_t{0},
                                           [](std::uint64_t sum, char c) { return sum + static_cast<unsigned char>(c); }));
        BOOST_TEST_REQUIRE(back.size() == expected.size());
        BOOST_TEST((back == expected), "with a string of " << text.size() << " bytes");
    }
}

// A call frame of exactly max_payload bytes of payload (the largest the worker's region
// holds) goes; one byte more is refused at submit with an error naming the option, before
// anything is sent. A result over the limit fails its call with such an error too, and the
// worker goes on.
BOOST_AUTO_TEST_CASE(max_payload_to_the_byte_and_one_byte_over_is_a_clear_error)
{
    auto o = options(1);
    o.max_payload = std::size_t{1} << 20;
    process_pool_executor pool(o);
    std::size_t largest = call_frame_size(0) - asyncjobs::detail::frame_header_size;
    largest = o.max_payload - largest;
    auto bytes = pattern(largest, 7);
    auto back = pool.submit(pt::echo_bytes, bytes).get();
    BOOST_TEST((back == bytes));

    auto too_big = pattern(largest + 1, 8);
    try {
        (void)pool.submit(pt::echo_bytes, too_big);
        BOOST_FAIL("arguments one byte over max_payload were accepted");
    } catch (const std::length_error& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("process_pool_options::max_payload") != std::string::npos, what);
        BOOST_TEST(what.find(std::to_string(o.max_payload)) != std::string::npos, what);
    }

    // The result: at the limit it passes, one byte over it fails.
    std::string empty_result;
    asyncjobs::detail::encode_values(empty_result, pt::exploding_block{});
    std::size_t result_largest = o.max_payload - empty_result.size();
    auto made = pool.submit(pt::make_exploding, std::uint64_t{result_largest}, false).get();
    BOOST_TEST(made.bytes.size() == result_largest);
    BOOST_TEST(made.bytes.back() == static_cast<std::uint8_t>((result_largest - 1) % 251));
    auto over = pool.submit(pt::make_exploding, std::uint64_t{result_largest + 1}, false);
    require_ready(over);
    try {
        (void)over.get();
        BOOST_FAIL("a result one byte over max_payload arrived");
    } catch (const std::length_error& e) {
        // The worker says so (not a malformed frame the parent refuses), naming the option.
        std::string what = e.what();
        BOOST_TEST(what.find("process_pool_options::max_payload (" + std::to_string(o.max_payload) + ")") !=
                       std::string::npos,
                   what);
    }
    BOOST_TEST((pool.submit(pt::echo_bytes, bytes).get() == bytes));
    BOOST_TEST(pool.stats().worker_kills == 0u);
}

// A worker killed halfway through encoding a large result into its region: that call fails
// with worker_crashed, and the region's half-written frame is never read as a reply.
BOOST_AUTO_TEST_CASE(a_worker_killed_while_writing_a_large_result_fails_only_that_call)
{
    process_pool_executor pool(options(1));
    auto doomed = pool.submit(pt::make_exploding, std::uint64_t{8} << 20, true);
    require_ready(doomed);
    BOOST_CHECK_THROW(doomed.get(), asyncjobs::worker_crashed);
    auto whole = pool.submit(pt::make_exploding, std::uint64_t{8} << 20, false).get();
    BOOST_TEST_REQUIRE(whole.bytes.size() == (std::size_t{8} << 20));
    BOOST_TEST(whole.bytes[12345] == 12345 % 251);
    auto bytes = pattern(std::size_t{5} << 20, 3);
    BOOST_TEST((pool.submit(pt::echo_bytes, bytes).get() == bytes));
}

// A large result announced, then the worker dies on its next call: the result lies in the
// dead worker's region and still arrives whole; only the second call fails.
BOOST_AUTO_TEST_CASE(a_large_result_announced_before_its_worker_dies_still_arrives)
{
    scratch counter("announced");
    auto o = options(1);
    o.pipeline_depth = 2;
    process_pool_executor pool(o);
    for (int round = 0; round < 3; ++round) {
        auto bytes = pattern(std::size_t{6} << 20, 10 + round);
        auto first = pool.submit(pt::echo_bytes, bytes);
        auto second = pool.submit(pt::sum_bytes_dying_first, counter.path, 1000, std::vector<std::uint8_t>(16, 1));
        require_ready(first);
        require_ready(second);
        BOOST_TEST((first.get() == bytes), "round " << round << ": the announced result came back different");
        BOOST_CHECK_THROW(second.get(), asyncjobs::worker_crashed);
    }
}

// A large call whose worker dies while running it is encoded again for the retry, from the
// arguments its future still holds, and reaches every try intact.
BOOST_AUTO_TEST_CASE(a_large_call_is_encoded_again_for_each_retry)
{
    scratch counter("retried");
    process_pool_executor pool(options(2));
    auto bytes = pattern(std::size_t{3} << 20, 21);
    asyncjobs::task_options retry;
    retry.retries = 2;
    auto sum = pool.submit_with(retry, pt::sum_bytes_dying_first, counter.path, 2, bytes);
    require_ready(sum);
    BOOST_TEST(sum.get() == std::accumulate(bytes.begin(), bytes.end(), std::uint64_t{0}));
    BOOST_TEST(std::filesystem::file_size(counter.path) == 3u);
}

// Large calls sent ahead to a worker that dies before starting them go to its replacement,
// encoded again, each with its own bytes.
BOOST_AUTO_TEST_CASE(large_calls_sent_ahead_to_a_dying_worker_arrive_intact_elsewhere)
{
    scratch counter("ahead");
    auto o = options(1);
    o.pipeline_depth = 4;
    process_pool_executor pool(o);
    for (int round = 0; round < 3; ++round) {
        // Small itself, so that the first echo after it finds the region free.
        auto dying = pool.submit(pt::sum_bytes_dying_first, counter.path, 1000, std::vector<std::uint8_t>(16, 1));
        std::vector<std::vector<std::uint8_t>> sent;
        std::vector<future<std::vector<std::uint8_t>>> echoes;
        for (std::uint32_t i = 0; i < 3; ++i) {
            sent.push_back(pattern((std::size_t{1} << 20) + i * 4099, 100 * round + i));
            echoes.push_back(pool.submit(pt::echo_bytes, sent.back()));
        }
        require_ready(dying);
        BOOST_CHECK_THROW(dying.get(), asyncjobs::worker_crashed);
        for (std::size_t i = 0; i < echoes.size(); ++i) {
            require_ready(echoes[i]);
            BOOST_TEST((echoes[i].get() == sent[i]), "round " << round << ", echo " << i << " came back different");
        }
    }
}

// Several threads submit large calls of different sizes to several workers at once: calls
// and results take the regions and the pipes in every order, and each keeps its own bytes.
BOOST_AUTO_TEST_CASE(concurrent_large_calls_on_several_workers_keep_their_own_bytes)
{
    auto o = options(3);
    o.pipeline_depth = 3;
    process_pool_executor pool(o);
    constexpr std::uint32_t threads = 4;
    constexpr std::uint32_t calls = 8;
    std::vector<std::vector<std::vector<std::uint8_t>>> sent(threads);
    std::vector<std::vector<future<std::vector<std::uint8_t>>>> echoes(threads);
    {
        std::vector<std::jthread> submitters;
        for (std::uint32_t t = 0; t < threads; ++t) {
            submitters.emplace_back([&, t] {
                for (std::uint32_t i = 0; i < calls; ++i) {
                    std::size_t size = (std::size_t{200} << 10) + (t * calls + i) * (std::size_t{97} << 10);
                    sent[t].push_back(pattern(size, 1000 * t + i));
                    echoes[t].push_back(pool.submit(pt::echo_bytes, sent[t].back()));
                }
            });
        }
    }
    for (std::uint32_t t = 0; t < threads; ++t) {
        for (std::uint32_t i = 0; i < calls; ++i) {
            require_ready(echoes[t][i]);
            BOOST_TEST((echoes[t][i].get() == sent[t][i]), "thread " << t << ", call " << i << " came back different");
        }
    }
}
