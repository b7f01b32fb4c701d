// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// executor::map(): order, chunking, laziness and the bounded window, element exceptions,
// timeouts, very long inputs, and early destruction of the result. The cases whose tasks
// need no captured state run on a thread pool and a process pool (pool_kinds.hpp); run as
// test_map -- <test_worker>.
#define BOOST_TEST_MODULE asyncjobs map
#include <boost/test/unit_test.hpp>

#include "pool_kinds.hpp"
#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <iterator>
#include <memory>
#include <numeric>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <vector>

// libstdc++ 12's <ranges> views do not compile with clang 14 (asyncjobs supports that
// pair); there the very long map runs over the counting range below instead of iota.
#if defined(__clang__) && __clang_major__ < 15 && defined(__GLIBCXX__)
#define ASYNCJOBS_TEST_HAVE_STD_VIEWS 0
#else
#define ASYNCJOBS_TEST_HAVE_STD_VIEWS 1
#endif

namespace aj = asyncjobs;
namespace tasks = interface_tasks;
using test::ready;
using namespace std::chrono_literals;

namespace {

/// An input range (not forward, not sized) of 0, 1, 2, ... (`limit` of them, or without end
/// when `limit` is negative) that counts how many elements have been read from it.
class counting_input {
public:
    explicit counting_input(long limit = -1) : limit_(limit), pulled_(std::make_shared<std::atomic<long>>(0)) {}

    class iterator {
    public:
        using value_type = long;
        using difference_type = std::ptrdiff_t;
        using iterator_concept = std::input_iterator_tag;

        iterator() = default;
        long operator*() const
        {
            pulled_->fetch_add(1, std::memory_order_relaxed);
            return next_;
        }
        iterator& operator++()
        {
            ++next_;
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept
        {
            return it.limit_ >= 0 && it.next_ >= it.limit_;
        }

    private:
        friend class counting_input;
        iterator(long limit, std::atomic<long>* pulled) : limit_(limit), pulled_(pulled) {}
        long next_ = 0;
        long limit_ = 0;
        std::atomic<long>* pulled_ = nullptr;
    };

    iterator begin() const { return iterator(limit_, pulled_.get()); }
    std::default_sentinel_t end() const noexcept { return {}; }

    /// Elements read so far (shared with the copies of this range).
    long pulled() const { return pulled_->load(); }
    std::shared_ptr<std::atomic<long>> counter() const { return pulled_; }

private:
    long limit_;
    std::shared_ptr<std::atomic<long>> pulled_;
};
static_assert(std::ranges::input_range<counting_input>);
static_assert(!std::ranges::forward_range<counting_input>);

std::vector<int> iota_vector(int n)
{
    std::vector<int> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
}

aj::map_options options(std::size_t chunksize, std::size_t window = 0,
                        std::optional<aj::timeout_duration> timeout = std::nullopt)
{
    return {.chunksize = chunksize, .window = window, .timeout = timeout};
}

int square(int x) { return x * x; }

int twice(int x) noexcept { return 2 * x; }

int fails_on_multiples_of_ten(int x)
{
    if (x % 10 == 0)
        throw std::domain_error(std::to_string(x));
    return x;
}

std::atomic<long> recorded_sum{0};
void record(int x) { recorded_sum += x; }

std::size_t length(const std::string& s) { return s.size(); }

long peak_rss_kib()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

BOOST_AUTO_TEST_SUITE(results)

// Users write options with designated initializers and leave members out; that must not
// warn under -Wall -Wextra (-Wmissing-field-initializers), or their -Werror builds break.
BOOST_AUTO_TEST_CASE(options_take_designated_initializers_with_members_left_out)
{
    aj::thread_pool_executor pool(aj::thread_pool_options{.max_workers = 2});
    std::vector<int> in{1, 2, 3, 4, 5};
    auto results = pool.map(square, in, {.chunksize = 2}).to_vector();
    BOOST_TEST((results == std::vector<int>{1, 4, 9, 16, 25}));
    auto windowed = pool.map(square, in, {.window = 1}).to_vector();
    BOOST_TEST((windowed == results));
}

BOOST_AUTO_TEST_CASE(result_is_an_input_range)
{
    aj::thread_pool_executor pool(1);
    auto r = pool.map([](int x) { return x; }, std::vector<int>{1});
    static_assert(std::ranges::input_range<decltype(r)>);
    BOOST_TEST(r.to_vector() == std::vector<int>{1});
}

BOOST_AUTO_TEST_CASE_TEMPLATE(input_order_for_every_chunksize, Kind, test::pool_kinds)
{
    auto owner = Kind::make(4);
    auto& pool = *owner;
    auto inputs = iota_vector(1000);
    for (std::size_t chunksize : {std::size_t{1}, std::size_t{7}, std::size_t{0}}) {
        BOOST_TEST_CONTEXT("chunksize " << chunksize)
        {
            std::vector<long> out;
            for (auto v : pool.map(tasks::square_long, inputs, options(chunksize, 0)))
                out.push_back(v);
            BOOST_REQUIRE(out.size() == inputs.size());
            for (std::size_t i = 0; i < out.size(); ++i)
                BOOST_REQUIRE(out[i] == static_cast<long>(i * i));
        }
    }
}

BOOST_AUTO_TEST_CASE(input_order_when_later_items_finish_first)
{
    // Item 0 is held until item 3 has run: items 1..3 finish first, yet come out after it.
    test::gate item3_ran;
    aj::thread_pool_executor pool(2);
    test::open_on_exit guard(item3_ran);
    auto r = pool.map(
        [&](int x) {
            if (x == 0)
                (void)item3_ran.wait();
            if (x == 3)
                item3_ran.open();
            return x;
        },
        iota_vector(8), options(1, 6));
    BOOST_TEST(r.to_vector() == iota_vector(8));
}

BOOST_AUTO_TEST_CASE(plain_function_pointers)
{
    // A plain function takes another path (a chunk a process pool could also send).
    aj::thread_pool_executor pool(3);
    for (std::size_t chunksize : {std::size_t{1}, std::size_t{7}, std::size_t{0}}) {
        BOOST_TEST_CONTEXT("chunksize " << chunksize)
        {
            auto squares = pool.map(square, iota_vector(500), options(chunksize)).to_vector();
            BOOST_REQUIRE(squares.size() == 500u);
            for (int i = 0; i < 500; ++i)
                BOOST_REQUIRE(squares[static_cast<std::size_t>(i)] == i * i);
            auto doubled = pool.map(&twice, iota_vector(100), options(chunksize)).to_vector();
            BOOST_TEST(doubled.back() == 198);
        }
    }
    std::vector<std::string> words{"x", "yy", "zzz"};
    BOOST_TEST(pool.map(length, words).to_vector() == (std::vector<std::size_t>{1, 2, 3}));
    // The input converts to the parameter type.
    BOOST_TEST(pool.map(square, std::vector<short>{3, 4}).to_vector() == (std::vector<int>{9, 16}));
}

BOOST_AUTO_TEST_CASE(plain_function_element_exceptions_and_void)
{
    aj::thread_pool_executor pool(2);
    auto r = pool.map(fails_on_multiples_of_ten, iota_vector(25), options(4));
    int i = 0;
    for (auto it = r.begin(); it != r.end(); ++it, ++i) {
        if (i % 10 == 0)
            BOOST_CHECK_THROW((void)*it, std::domain_error);
        else
            BOOST_TEST(*it == i);
    }
    BOOST_TEST(i == 25);

    recorded_sum = 0;
    std::size_t count = 0;
    for ([[maybe_unused]] auto v : pool.map(record, iota_vector(100), options(9)))
        ++count;
    BOOST_TEST(count == 100u);
    BOOST_TEST(recorded_sum.load() == 4950);
}

BOOST_AUTO_TEST_CASE(plain_function_destroyed_early_cancels_unstarted_chunks)
{
    test::gate release;
    recorded_sum = 0;
    aj::thread_pool_executor pool(1);
    test::open_on_exit guard(release);
    test::blocker block(pool);
    BOOST_REQUIRE(block.started());
    {
        auto r = pool.map(record, iota_vector(100), options(1, 8));
    }  // every chunk is still queued behind the blocker: all are cancelled
    block.release();
    pool.shutdown(true);
    BOOST_TEST(recorded_sum.load() == 0);
}

BOOST_AUTO_TEST_CASE(unsized_input_and_auto_chunks)
{
    aj::thread_pool_executor pool(2);
    long sum = 0;
    for (auto v : pool.map([](long x) { return x + 1; }, counting_input(20000)))
        sum += v;
    BOOST_TEST(sum == 20000L * 20001L / 2);
}

BOOST_AUTO_TEST_CASE(lvalue_and_rvalue_inputs)
{
    aj::thread_pool_executor pool(2);
    std::vector<std::string> words{"a", "bb", "ccc"};
    auto sizes = pool.map([](const std::string& s) { return s.size(); }, words).to_vector();
    BOOST_TEST(sizes == (std::vector<std::size_t>{1, 2, 3}));
    BOOST_TEST(words.size() == 3u);  // an lvalue input is only read
    auto upper = pool.map([](std::string s) { return s + "!"; }, std::move(words)).to_vector();
    BOOST_TEST(upper == (std::vector<std::string>{"a!", "bb!", "ccc!"}));
}

BOOST_AUTO_TEST_CASE(move_only_results)
{
    aj::thread_pool_executor pool(2);
    int expected = 0;
    for (auto p : pool.map([](int x) { return std::make_unique<int>(x); }, iota_vector(50), options(3, 0))) {
        BOOST_REQUIRE(p);
        BOOST_TEST(*p == expected++);
    }
    BOOST_TEST(expected == 50);
}

BOOST_AUTO_TEST_CASE(void_function)
{
    std::atomic<long> sum{0};
    aj::thread_pool_executor pool(2);
    std::size_t count = 0;
    for ([[maybe_unused]] auto v : pool.map([&](int x) { sum += x; }, iota_vector(100)))
        ++count;
    BOOST_TEST(count == 100u);
    BOOST_TEST(sum.load() == 4950);
}

BOOST_AUTO_TEST_CASE(empty_input)
{
    std::atomic<int> calls{0};
    aj::thread_pool_executor pool(2);
    auto r = pool.map(
        [&](int x) {
            ++calls;
            return x;
        },
        std::vector<int>{});
    BOOST_TEST((r.begin() == r.end()));
    BOOST_TEST(r.to_vector().empty());
    BOOST_TEST(pool.map([](long x) { return x; }, counting_input(0)).to_vector().empty());
    BOOST_TEST(calls.load() == 0);
}

BOOST_AUTO_TEST_CASE(function_called_once_per_element)
{
    constexpr int n = 5000;
    std::vector<std::atomic<int>> calls(n);
    aj::thread_pool_executor pool(3);
    auto out = pool.map(
                       [&](int x) {
                           ++calls[static_cast<std::size_t>(x)];
                           return x;
                       },
                       iota_vector(n))
                   .to_vector();
    BOOST_TEST(out.size() == static_cast<std::size_t>(n));
    for (auto& c : calls)
        BOOST_REQUIRE(c.load() == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(laziness)

BOOST_AUTO_TEST_CASE(reads_input_only_as_far_as_the_window)
{
    // After k results have been read, the map has read at most the chunks those k came from
    // plus `window` chunks in flight: ceil(k / chunksize) * chunksize + window * chunksize.
    // (Like Python's map(buffersize=), it submits the next chunk when it takes one off the
    // window, before that one is read, so the chunk being read comes on top of the window.)
    constexpr long window = 3, chunksize = 4;
    counting_input input;  // without end
    aj::thread_pool_executor pool(2);
    auto r = pool.map([](long x) { return x * 2; }, input,
                      options(static_cast<std::size_t>(chunksize), static_cast<std::size_t>(window)));
    BOOST_TEST(input.pulled() <= window * chunksize);  // before anything is read
    long k = 0;
    for (auto it = r.begin(); k < 200; ++it) {
        BOOST_REQUIRE((it != r.end()));
        BOOST_REQUIRE(*it == 2 * k);
        ++k;
        long bound = (k + chunksize - 1) / chunksize * chunksize + window * chunksize;
        BOOST_TEST_REQUIRE(input.pulled() <= bound, "after " << k << " results: " << input.pulled() << " read, bound " << bound);
    }
}

BOOST_AUTO_TEST_CASE(window_bounds_the_tasks_in_flight)
{
    // At most `window` chunks are queued or running, plus the one whose result is being
    // waited for. The tasks are held at first, so that all the ones the window allows are
    // in flight together.
    constexpr int window = 3;
    test::gate go;
    test::counter started;
    std::atomic<int> active{0}, max_active{0};
    aj::thread_pool_executor pool(8);
    test::open_on_exit guard(go);
    auto r = pool.map(
        [&](int x) {
            int now = ++active;
            int seen = max_active.load();
            while (now > seen && !max_active.compare_exchange_weak(seen, now)) {
            }
            started.add();
            (void)go.wait();
            --active;
            return x;
        },
        iota_vector(60), options(1, window));
    BOOST_REQUIRE(started.wait_for_at_least(window));
    go.open();
    BOOST_TEST(r.to_vector() == iota_vector(60));
    BOOST_TEST(max_active.load() <= window + 1);
    BOOST_TEST(max_active.load() >= window);  // the window is used: that many ran at once
}

BOOST_AUTO_TEST_CASE(default_window_is_bounded)
{
    counting_input input;  // without end: an unbounded map would never return
    aj::thread_pool_executor pool(2);
    {
        auto r = pool.map([](long x) { return x; }, input, options(10, 0));
        auto it = r.begin();
        BOOST_TEST(*it == 0);
        // Default window: 16 x max_workers chunks, plus the one being read.
        BOOST_TEST(aj::default_map_window(2) == 32u);
        BOOST_TEST(input.pulled() <= (aj::default_map_window(2) + 1) * 10);
    }
}

BOOST_AUTO_TEST_CASE(infinite_input_read_partly)
{
    // A cheap function measures as nanoseconds per call, so automatic chunks would grow to
    // map_max_auto_chunk at once; they grow only as the reader consumes, so a reader that
    // stops early has made map() read a few times what it consumed, not a million inputs.
    counting_input input;
    aj::thread_pool_executor pool(2);
    long sum = 0;
    {
        auto r = pool.map([](long x) { return x; }, input);  // automatic chunks, default window
        long k = 0;
        for (auto it = r.begin(); k < 1000; ++it, ++k)
            sum += *it;
    }  // destroyed with work in flight: no hang
    BOOST_TEST(sum == 999L * 1000L / 2);
    pool.shutdown(true);
    // The loop's last ++it took result 1001 off the window too.
    std::size_t window = aj::default_map_window(pool.max_workers());
    std::size_t consumed = 1001 + aj::map_auto_chunk_limit(1001, window);
    std::size_t bound = consumed + window * aj::map_auto_chunk_limit(consumed, window);
    BOOST_TEST(bound < 10000u);  // a few times what was read
    BOOST_TEST(static_cast<std::size_t>(input.pulled()) <= bound);
}

BOOST_AUTO_TEST_CASE(automatic_chunk_limit_grows_with_the_reader)
{
    // The limit only caps growth: a reader that keeps up lets chunks reach the largest
    // automatic size (how large they get is up to the measured call cost, which a test
    // cannot pin down on a shared machine; apps/bench measures the throughput).
    constexpr std::size_t window = 32;
    BOOST_TEST(aj::map_auto_chunk_limit(0, window) == aj::map_first_auto_chunk_limit);
    BOOST_TEST(aj::map_auto_chunk_limit(window * aj::map_max_auto_chunk / 4, window) == aj::map_max_auto_chunk);
    BOOST_TEST(aj::map_auto_chunk_limit(std::size_t{1} << 40, window) == aj::map_max_auto_chunk);
    std::size_t previous = 0;
    for (std::size_t consumed = 0; consumed < (std::size_t{1} << 24); consumed = consumed * 2 + 1) {
        std::size_t limit = aj::map_auto_chunk_limit(consumed, window);
        BOOST_TEST(limit >= previous);
        previous = limit;
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(element_exception_at_that_element_later_ones_readable)
{
    aj::thread_pool_executor pool(3);
    for (std::size_t chunksize : {std::size_t{1}, std::size_t{7}, std::size_t{0}}) {
        BOOST_TEST_CONTEXT("chunksize " << chunksize)
        {
            auto r = pool.map(
                [](int x) {
                    if (x % 10 == 3)
                        throw std::invalid_argument("bad " + std::to_string(x));
                    return x;
                },
                iota_vector(30), options(chunksize, 0));
            int i = 0;
            for (auto it = r.begin(); it != r.end(); ++it, ++i) {
                if (i % 10 == 3) {
                    try {
                        (void)*it;
                        BOOST_ERROR("element " << i << " did not throw");
                    } catch (const std::invalid_argument& e) {
                        BOOST_TEST(std::string(e.what()) == "bad " + std::to_string(i));
                    }
                } else {
                    BOOST_TEST(*it == i);
                }
            }
            BOOST_TEST(i == 30);
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(to_vector_throws_the_first_element_exception, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    auto r = pool.map(tasks::fail_at_5_and_8, iota_vector(10));
    BOOST_CHECK_THROW((void)r.to_vector(), std::out_of_range);
}

BOOST_AUTO_TEST_CASE(timeout_while_an_item_is_held)
{
    test::gate release;
    aj::thread_pool_executor pool(1);
    test::open_on_exit guard(release);
    {
        auto r = pool.map(
            [&](int x) {
                if (x == 2)
                    (void)release.wait();
                return x;
            },
            iota_vector(5), options(1, 0, 50ms));
        auto it = r.begin();
        BOOST_TEST(*it == 0);
        ++it;
        BOOST_TEST(*it == 1);
        BOOST_CHECK_THROW(++it, aj::timeout_error);  // item 2 is held past the deadline
        release.open();
    }
    pool.shutdown(true);
}

BOOST_AUTO_TEST_CASE(timeout_on_the_first_result)
{
    test::gate release;
    aj::thread_pool_executor pool(1);
    test::open_on_exit guard(release);
    auto r = pool.map(
        [&](int x) {
            (void)release.wait();
            return x;
        },
        iota_vector(3), options(0, 0, 0ms));
    BOOST_CHECK_THROW((void)r.begin(), aj::timeout_error);
    release.open();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(generous_timeout_does_not_fire, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    auto out = pool.map(tasks::value, iota_vector(1000), options(0, 0, std::chrono::hours(1))).to_vector();
    BOOST_TEST(out.size() == 1000u);
}

// hours::max() in nanoseconds overflows: without saturation the deadline lies in the past and
// reading the first result that is not ready yet throws timeout_error.
BOOST_AUTO_TEST_CASE(coarse_huge_timeout_saturates)
{
    aj::thread_pool_executor pool(2);
    auto slow = [](int x) {
        std::this_thread::sleep_for(std::chrono::milliseconds(x == 0 ? 50 : 0));
        return x;
    };
    std::vector<int> out;
    BOOST_CHECK_NO_THROW(out = pool.map(slow, iota_vector(100), options(1, 0, std::chrono::hours::max())).to_vector());
    BOOST_TEST(out.size() == 100u);
    aj::map_options o;
    o.timeout = std::chrono::duration<double, std::ratio<86400>>(1e30);
    BOOST_TEST(o.timeout->get() == std::chrono::steady_clock::duration::max());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(scale_and_lifetime)

BOOST_AUTO_TEST_CASE(ten_million_items_with_bounded_memory)
{
    constexpr int n = 10'000'000;
    aj::thread_pool_executor pool(2);
    long before = peak_rss_kib();
    long long sum = 0;
#if ASYNCJOBS_TEST_HAVE_STD_VIEWS
    for (auto v : pool.map([](int x) { return static_cast<long long>(x); }, std::views::iota(0, n)))
        sum += v;
#else
    for (auto v : pool.map([](long x) { return static_cast<long long>(x); }, counting_input(n)))
        sum += v;
#endif
    BOOST_TEST(sum == static_cast<long long>(n) * (n - 1) / 2);
    // All the results at once would take 160 MB (a value or an exception each). Sanitizers
    // keep freed memory in quarantine, so the check is for plain builds only.
    if (!test::sanitized)
        BOOST_TEST(peak_rss_kib() - before < 100 * 1024);
}

BOOST_AUTO_TEST_CASE(destroying_the_result_early_cancels_unstarted_chunks)
{
    test::gate started, release;
    std::atomic<int> calls{0};
    aj::thread_pool_executor pool(1);
    test::open_on_exit guard(release);
    {
        auto r = pool.map(
            [&](int x) {
                ++calls;
                if (x == 0) {
                    started.open();
                    (void)release.wait();
                }
                return x;
            },
            iota_vector(100), options(1, 8));
        BOOST_REQUIRE(started.wait());
    }  // destroyed with item 0 running and items 1..7 queued: no hang
    release.open();
    pool.shutdown(true);
    BOOST_TEST(calls.load() == 1);  // the queued chunks were cancelled, not run
}

BOOST_AUTO_TEST_CASE(destroying_a_partly_read_result)
{
    std::atomic<int> calls{0};
    aj::thread_pool_executor pool(2);
    {
        auto r = pool.map(
            [&](int x) {
                ++calls;
                return x;
            },
            iota_vector(100000), options(10, 4));
        auto it = r.begin();
        BOOST_TEST(*it == 0);
    }
    pool.shutdown(true);
    BOOST_TEST(calls.load() <= 10 * 5);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(moved_result_keeps_working, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    auto r = pool.map(tasks::increment, iota_vector(100), options(3, 0));
    auto moved = std::move(r);
    auto out = moved.to_vector();
    BOOST_TEST(out.size() == 100u);
    BOOST_TEST(out.front() == 1);
    BOOST_TEST(out.back() == 100);
}

// Regression: when the executor is shut down while a map is being read, the results of
// the chunks already submitted are still read in order, and shutdown_error surfaces at
// the first element that could not be submitted.
BOOST_AUTO_TEST_CASE_TEMPLATE(shutdown_while_reading_keeps_submitted_results, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    auto r = pool.map(tasks::value, iota_vector(100), options(1, 3));
    auto it = r.begin();
    BOOST_TEST(*it == 0);  // items 1, 2, 3 are submitted (the window), the rest is not
    pool.shutdown(false);
    std::vector<int> more;
    bool refused = false;
    try {
        for (++it; it != r.end(); ++it)
            more.push_back(*it);
    } catch (const aj::shutdown_error&) {
        refused = true;
    }
    BOOST_TEST(refused);  // the rest of the input could not be submitted
    BOOST_TEST(more == (std::vector<int>{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(map_after_shutdown_throws, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    pool.shutdown();
    BOOST_CHECK_THROW((void)pool.map(tasks::value, iota_vector(3)), aj::shutdown_error);
}

BOOST_AUTO_TEST_SUITE_END()
