// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Results in completion order: executor::map_unordered() and completion_queue<T> (add while
// another thread reads, close, timeouts, the crawler pattern), on a thread pool and a
// process pool (pool_kinds.hpp), including tasks that throw and workers that die. Run as
// test_unordered -- <test_worker>.
#define BOOST_TEST_MODULE asyncjobs unordered
#include <boost/test/unit_test.hpp>

#include "pool_kinds.hpp"
#include "process_tasks.hpp"
#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace aj = asyncjobs;
namespace tasks = interface_tasks;
using namespace std::chrono_literals;

namespace {

std::vector<int> numbers(int n)
{
    std::vector<int> v(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        v[static_cast<std::size_t>(i)] = i;
    return v;
}

struct bad_input : std::runtime_error {
    bad_input() : std::runtime_error("this input is unreadable") {}
};

/// An endless input range (not forward, not sized) of 0, 1, 2, ... that counts its reads.
class counting_input {
public:
    /// `throw_at`: reading that element throws bad_input.
    explicit counting_input(int throw_at = -1) : pulled_(std::make_shared<std::atomic<long>>(0)), throw_at_(throw_at) {}
    class iterator {
    public:
        using value_type = int;
        using difference_type = std::ptrdiff_t;
        using iterator_concept = std::input_iterator_tag;
        iterator() = default;
        iterator(std::shared_ptr<std::atomic<long>> pulled, int throw_at) : pulled_(std::move(pulled)), throw_at_(throw_at) {}
        int operator*() const
        {
            if (next_ == throw_at_)
                throw bad_input();
            pulled_->fetch_add(1);
            return next_;
        }
        iterator& operator++()
        {
            ++next_;
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator&, std::default_sentinel_t) noexcept { return false; }

    private:
        std::shared_ptr<std::atomic<long>> pulled_;
        int throw_at_ = -1;
        int next_ = 0;
    };
    iterator begin() const { return iterator(pulled_, throw_at_); }
    std::default_sentinel_t end() const noexcept { return {}; }
    long pulled() const { return pulled_->load(); }

private:
    std::shared_ptr<std::atomic<long>> pulled_;
    int throw_at_;
};

/// Declared after a pool whose task may block on the pool's own queued work: on the way out
/// (a failed check included) it cancels that work, which ends the wait, so that the pool's
/// destructor cannot hang on a bug.
struct cancel_queued_on_exit {
    aj::executor& pool;
    ~cancel_queued_on_exit() { pool.shutdown(false, true); }
};

/// Runs `f` on a thread of its own; the future says when it is done (bounded by the caller).
template <class F>
auto on_thread(F f)
{
    return std::async(std::launch::async, std::move(f));
}

} // namespace

BOOST_AUTO_TEST_SUITE(map_unordered)

BOOST_AUTO_TEST_CASE_TEMPLATE(every_index_once_with_its_own_result, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    for (std::size_t chunksize : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
        aj::map_options options;
        options.chunksize = chunksize;
        options.timeout = test::long_wait;
        std::set<std::size_t> seen;
        aj::executor& ex = pool;
        for (auto item : ex.map_unordered(tasks::square, numbers(100), options)) {
            BOOST_TEST(!item.failed());
            int i = static_cast<int>(item.index);
            BOOST_TEST(item.get() == i * i);
            BOOST_TEST(seen.insert(item.index).second, "index " << item.index << " came twice");
        }
        BOOST_TEST(seen.size() == 100u, "chunksize " << chunksize);
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_throwing_call_is_delivered_at_its_item_and_the_rest_follow, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    for (std::size_t chunksize : {std::size_t{0}, std::size_t{1}, std::size_t{4}}) {
        aj::map_options options;
        options.chunksize = chunksize;
        options.timeout = test::long_wait;
        std::size_t count = 0;
        for (auto item : pool.map_unordered(tasks::fail_at_5_and_8, numbers(12), options)) {
            ++count;
            if (item.index == 5) {
                BOOST_TEST(item.failed());
                BOOST_CHECK_THROW(item.get(), std::out_of_range);
            } else if (item.index == 8) {
                BOOST_TEST(static_cast<bool>(item.exception()));
                BOOST_CHECK_THROW(item.get(), std::logic_error);
            } else {
                BOOST_TEST(!item.failed());
                BOOST_TEST(item.get() == static_cast<int>(item.index));
            }
        }
        BOOST_TEST(count == 12u);
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(options_out_of_range_are_refused_before_any_input_is_read, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    counting_input input;
    aj::map_options options;
    options.window = aj::map_max_window + 1;
    BOOST_CHECK_THROW((void)pool.map_unordered(tasks::value, input, options), std::invalid_argument);
    options.window = 0;
    options.chunksize = aj::map_max_chunksize + 1;
    BOOST_CHECK_THROW((void)pool.map_unordered(tasks::value, input, options), std::invalid_argument);
    BOOST_TEST(input.pulled() == 0);
}

BOOST_AUTO_TEST_CASE(results_come_in_completion_order_not_input_order)
{
    test::gate first_may_finish;
    aj::thread_pool_executor pool(2);
    test::open_on_exit release(first_may_finish);
    aj::map_options options;
    options.chunksize = 1;
    auto results = pool.map_unordered(
        [&](int x) {
            if (x == 0 && !first_may_finish.wait())
                throw std::runtime_error("never released");
            return x;
        },
        numbers(2), options);
    auto it = results.begin();
    BOOST_REQUIRE(it != results.end());
    BOOST_TEST((*it).index == 1u);  // input 0 is still held
    first_may_finish.open();
    ++it;
    BOOST_REQUIRE(it != results.end());
    auto item = *it;
    BOOST_TEST(item.index == 0u);
    BOOST_TEST(item.get() == 0);
    ++it;
    BOOST_TEST((it == results.end()));
}

BOOST_AUTO_TEST_CASE(input_is_read_lazily_within_the_window)
{
    aj::thread_pool_executor pool(2);
    counting_input input;
    aj::map_options options;
    options.chunksize = 1;
    options.window = 4;
    auto results = pool.map_unordered([](int x) { return x; }, input, options);
    std::set<std::size_t> seen;
    auto it = results.begin();
    for (int read = 0; read < 50; ++read, ++it) {  // counted reads: the input has no end
        BOOST_REQUIRE(it != results.end());
        seen.insert((*it).index);
    }
    // 50 read, at most the window ahead of the reader (and the chunk being read).
    BOOST_TEST(input.pulled() <= 50 + 4 + 1);
    BOOST_TEST(seen.size() == 50u);
}

BOOST_AUTO_TEST_CASE(reading_past_the_timeout_throws_and_the_work_goes_on)
{
    test::gate release;
    aj::thread_pool_executor pool(1);
    test::open_on_exit open(release);
    aj::map_options options;
    options.timeout = 50ms;
    auto results = pool.map_unordered([&](int x) { return release.wait() ? x : -1; }, numbers(1), options);
    BOOST_CHECK_THROW(results.begin(), aj::timeout_error);
}

BOOST_AUTO_TEST_CASE(an_input_that_throws_is_reported_after_the_results_submitted_before_it)
{
    aj::thread_pool_executor pool(2);
    aj::map_options options;
    options.chunksize = 1;
    options.window = 2;
    auto results = pool.map_unordered([](int x) { return x; }, counting_input(3), options);
    std::set<std::size_t> seen;
    bool thrown = false;
    try {
        for (auto item : results)
            seen.insert(item.index);
    } catch (const bad_input&) {
        thrown = true;
    }
    BOOST_TEST(thrown);
    BOOST_TEST((seen == std::set<std::size_t>{0, 1, 2}));
}

BOOST_AUTO_TEST_CASE(destroying_the_result_early_cancels_what_has_not_started)
{
    aj::thread_pool_executor pool(1);
    std::atomic<int> ran{0};
    {
        test::blocker busy(pool);
        BOOST_REQUIRE(busy.started());
        aj::map_options options;
        options.chunksize = 1;
        options.window = 8;
        auto results = pool.map_unordered([&](int x) { return ++ran, x; }, numbers(8), options);
        // Destroyed with all 8 queued behind the blocker.
    }
    aj::future<int> after = pool.submit([] { return 1; });
    BOOST_REQUIRE(test::ready(after));
    BOOST_TEST(ran.load() == 0);
    BOOST_TEST(pool.stats().cancelled == 8u);
}

BOOST_AUTO_TEST_CASE(reading_its_own_work_on_a_one_thread_pool_is_a_deadlock_error_not_a_hang)
{
    aj::thread_pool_executor pool(1);
    cancel_queued_on_exit unblock{pool};
    auto outer = pool.submit([&pool] {
        aj::map_options options;
        options.chunksize = 1;
        auto results = pool.map_unordered([](int x) { return x; }, numbers(3), options);
        (void)results.begin();  // would wait for work only this thread can run
        return 0;
    });
    BOOST_REQUIRE(test::ready(outer));
    BOOST_CHECK_THROW(outer.get(), aj::deadlock_error);
}

BOOST_AUTO_TEST_CASE(a_dead_worker_fails_only_the_items_it_held)
{
    auto owner = test::process_kind::make(2);
    std::set<std::size_t> seen;
    aj::map_options options;
    options.chunksize = 1;
    options.timeout = test::long_wait;
    for (auto item : owner->map_unordered(process_tasks::abort_on_5, numbers(10), options)) {
        seen.insert(item.index);
        if (item.index == 5)
            BOOST_CHECK_THROW(item.get(), aj::worker_crashed);
        else
            BOOST_TEST(item.get() == static_cast<int>(item.index));
    }
    BOOST_TEST(seen.size() == 10u);
}

BOOST_AUTO_TEST_CASE(under_repeated_worker_deaths_every_item_comes_once)
{
    // Faults as the chaos suite injects them (workers that abort mid-map), with chunks of
    // several inputs: a dead worker fails its whole chunk, every other item keeps its value.
    auto owner = test::process_kind::make(3);
    std::vector<int> in;
    for (int i = 0; i < (test::sanitized ? 60 : 300); ++i)
        in.push_back(i % 9 == 4 ? 5 : 10 + i);
    aj::map_options options;
    options.chunksize = 3;
    options.timeout = test::long_wait;
    std::vector<int> times(in.size(), 0);
    std::size_t crashed = 0;
    for (auto item : owner->map_unordered(process_tasks::abort_on_5, in, options)) {
        BOOST_REQUIRE(item.index < in.size());
        ++times[item.index];
        if (item.failed()) {
            ++crashed;
            BOOST_CHECK_THROW(item.get(), aj::worker_crashed);
        } else {
            BOOST_TEST(in[item.index] != 5);
            BOOST_TEST(item.get() == in[item.index]);
        }
    }
    for (std::size_t i = 0; i < in.size(); ++i)
        BOOST_TEST(times[i] == 1, "item " << i << " came " << times[i] << " times");
    BOOST_TEST(crashed >= in.size() / 9);
    // The pool goes on.
    BOOST_TEST(owner->submit(tasks::value, 7).get() == 7);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(completion_queue)

BOOST_AUTO_TEST_CASE_TEMPLATE(the_crawler_pattern_submits_more_work_from_results, Kind, test::pool_kinds)
{
    // A tree crawl: node x has children 2x+1 and 2x+2 below `nodes`, each found by a task
    // that the reader submits when the parent's result arrives.
    auto owner = Kind::make(2);
    aj::executor& pool = *owner;
    const int nodes = 150;
    aj::completion_queue<int> queue;
    queue.add(pool.submit(tasks::value, 0));
    std::vector<int> visits(nodes, 0);
    std::size_t in_flight = 1;
    while (in_flight > 0) {
        auto done = queue.next(test::long_wait);
        BOOST_REQUIRE(done.has_value());
        --in_flight;
        int x = done->get();
        BOOST_REQUIRE(x >= 0 && x < nodes);
        ++visits[static_cast<std::size_t>(x)];
        for (int step : {1, 2}) {
            if (2 * x + step < nodes) {
                queue.add(pool.submit(tasks::add, 2 * x, step));
                ++in_flight;
            }
        }
    }
    queue.close();
    BOOST_TEST(!queue.next(test::long_wait).has_value());
    for (int i = 0; i < nodes; ++i)
        BOOST_TEST(visits[static_cast<std::size_t>(i)] == 1, "node " << i);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(adding_from_another_thread_while_reading, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    aj::completion_queue<int> queue;
    const int count = test::sanitized ? 50 : 200;
    auto reader = on_thread([&] {
        std::vector<int> got;
        while (auto f = queue.next(test::long_wait))
            got.push_back(f->get());
        return got;
    });
    for (int i = 0; i < count; ++i)
        queue.add(pool.submit(tasks::value, i));
    queue.close();
    BOOST_REQUIRE(reader.wait_for(test::long_wait) == std::future_status::ready);
    auto got = reader.get();
    std::set<int> distinct(got.begin(), got.end());
    BOOST_TEST(got.size() == static_cast<std::size_t>(count));
    BOOST_TEST(distinct.size() == static_cast<std::size_t>(count));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_throwing_task_comes_out_and_get_rethrows, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    aj::completion_queue<int> queue;
    queue.add(pool.submit(tasks::fail, std::string("range_error"), std::string("too far")));
    queue.close();
    auto f = queue.next(test::long_wait);
    BOOST_REQUIRE(f.has_value());
    BOOST_CHECK_THROW(f->get(), std::range_error);
    BOOST_TEST(!queue.next(test::long_wait).has_value());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(next_times_out_and_the_future_still_comes_later, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    test::scratch_dir dir;
    aj::completion_queue<bool> queue;
    queue.add(pool.submit(tasks::hold, dir.file("started"), dir.file("release")));
    BOOST_CHECK_THROW((void)queue.next(20ms), aj::timeout_error);
    BOOST_TEST(queue.size() == 1u);
    test::create_file(dir.file("release"));
    auto f = queue.next(test::long_wait);
    BOOST_REQUIRE(f.has_value());
    BOOST_TEST(f->get() == true);
}

BOOST_AUTO_TEST_CASE(a_dead_workers_future_fails_with_worker_crashed)
{
    auto owner = test::process_kind::make(1);
    aj::completion_queue<int> queue;
    queue.add(owner->submit(process_tasks::abort_now, 0));
    queue.add(owner->submit(tasks::value, 3));
    queue.close();
    int values = 0, crashes = 0;
    while (auto f = queue.next(test::long_wait)) {
        try {
            values += f->get();
        } catch (const aj::worker_crashed&) {
            ++crashes;
        }
    }
    BOOST_TEST(values == 3);
    BOOST_TEST(crashes == 1);
}

BOOST_AUTO_TEST_CASE(next_without_timeout_on_work_only_this_thread_could_run_is_a_deadlock_error)
{
    aj::thread_pool_executor other(1);  // outlives `pool`, whose task uses it
    aj::thread_pool_executor pool(1);
    cancel_queued_on_exit unblock{pool};
    auto outer = pool.submit([&pool, &other] {
        aj::completion_queue<int> queue;
        queue.add(pool.submit([] { return 1; }));
        int refused = 0;
        try {
            (void)queue.next();
        } catch (const aj::deadlock_error&) {
            refused = 1;
        }
        // Work another pool can complete is no deadlock: next() waits for it.
        queue.add(other.submit([] { return 2; }));
        auto f = queue.next();
        return refused + (f && f->get() == 2 ? 10 : 0);
    });
    BOOST_REQUIRE(test::ready(outer));
    BOOST_TEST(outer.get() == 11);
}

BOOST_AUTO_TEST_CASE(close_wakes_a_reader_that_waits)
{
    aj::completion_queue<int> queue;
    std::atomic<bool> waiting{false};
    auto reader = on_thread([&] {
        waiting = true;
        // Only close() ends this wait early; the bound (twice the test's) keeps a bug from
        // hanging the run after the test has failed.
        return queue.next(2 * test::long_wait);
    });
    BOOST_REQUIRE(test::eventually([&] { return waiting.load(); }));
    std::this_thread::sleep_for(10ms);  // not needed for correctness: likelier to be blocked by now
    queue.close();
    BOOST_REQUIRE(reader.wait_for(test::long_wait) == std::future_status::ready);
    BOOST_TEST(!reader.get().has_value());
}

// The reader waits in next() for each result: one is set only once the reader has taken
// the one before (a lost wake-up times out, test::long_wait, instead of hanging).
BOOST_AUTO_TEST_CASE(a_waiting_reader_is_woken_for_each_result)
{
    constexpr std::size_t n = 300;
    std::vector<aj::promise<int>> ps(n);
    aj::completion_queue<int> queue;
    for (auto& p : ps)
        queue.add(p.get_future());
    queue.close();
    test::counter taken;
    std::jthread producer([&] {
        for (std::size_t i = 0; i < n; ++i) {
            if (!taken.wait_for_at_least(i))
                return;  // the reader failed; it reports why
            ps[i].set_value(static_cast<int>(i));
        }
    });
    std::vector<int> order;
    try {
        while (auto f = queue.next(test::long_wait)) {
            order.push_back(f->get());
            taken.add();
        }
    } catch (const aj::timeout_error& e) {
        BOOST_ERROR("a result never reached the waiting reader: " << e.what());
        for (std::size_t i = order.size(); i < n; ++i)
            ps[i].set_value(-1);  // lets the producer finish
    }
    producer.join();
    BOOST_REQUIRE(order.size() == n);
    for (std::size_t i = 0; i < n; ++i)
        BOOST_TEST(order[i] == static_cast<int>(i));
}

// Futures added and completed from many threads while the reader drains the queue: each
// comes out once, and close() from the last adder ends the read.
BOOST_AUTO_TEST_CASE(adds_and_results_from_many_threads_each_come_out_once)
{
    constexpr std::size_t threads = 6;
    constexpr std::size_t per_thread = 200;
    constexpr std::size_t n = threads * per_thread;
    for (int round = 0; round < 10; ++round) {
        aj::completion_queue<int> queue;
        std::vector<aj::promise<int>> ps(n);
        std::atomic<std::size_t> adders_left{threads};
        test::gate go;
        std::vector<std::jthread> producers;
        for (std::size_t t = 0; t < threads; ++t)
            producers.emplace_back([&, t] {
                (void)go.wait();
                for (std::size_t i = t; i < n; i += threads) {
                    queue.add(ps[i].get_future());
                    ps[i].set_value(static_cast<int>(i));
                }
                if (adders_left.fetch_sub(1) == 1)
                    queue.close();
            });
        std::vector<int> seen(n, 0);
        std::size_t count = 0;
        go.open();
        try {
            while (auto f = queue.next(test::long_wait)) {
                ++seen[static_cast<std::size_t>(f->get())];
                ++count;
            }
        } catch (const aj::timeout_error& e) {
            BOOST_ERROR("round " << round << ": " << e.what());
        }
        producers.clear();
        BOOST_REQUIRE(count == n);
        BOOST_TEST(std::count(seen.begin(), seen.end(), 1) == static_cast<std::ptrdiff_t>(n));
    }
}

BOOST_AUTO_TEST_CASE(close_ends_only_after_everything_added_was_handed_out)
{
    test::gate release;
    aj::thread_pool_executor pool(1);
    test::open_on_exit open(release);
    aj::completion_queue<int> queue;
    queue.add(pool.submit([&] { return release.wait() ? 1 : 0; }));
    queue.close();
    BOOST_TEST(queue.closed());
    BOOST_CHECK_THROW((void)queue.next(20ms), aj::timeout_error);  // not the end yet
    release.open();
    auto f = queue.next(test::long_wait);
    BOOST_REQUIRE(f.has_value());
    BOOST_TEST(f->get() == 1);
    BOOST_TEST(!queue.next(test::long_wait).has_value());
}

BOOST_AUTO_TEST_CASE(futures_already_done_come_out_in_the_order_they_were_added)
{
    aj::completion_queue<int> queue;
    for (int i = 0; i < 5; ++i)
        queue.add(aj::make_ready_future(i));
    for (int i = 0; i < 5; ++i) {
        auto f = queue.next(0ms);
        BOOST_REQUIRE(f.has_value());
        BOOST_TEST(f->get() == i);
    }
}

BOOST_AUTO_TEST_CASE(bad_adds_are_refused_with_typed_errors)
{
    aj::completion_queue<int> queue;
    BOOST_CHECK_THROW(queue.add(aj::future<int>()), aj::invalid_future);
    queue.close();
    try {
        queue.add(aj::make_ready_future(1));
        BOOST_FAIL("add after close was accepted");
    } catch (const aj::completion_queue_closed& e) {
        BOOST_TEST(std::string(e.what()).find("close()") != std::string::npos);
    }
    BOOST_TEST(queue.size() == 0u);
    BOOST_TEST(!queue.next(0ms).has_value());
}

BOOST_AUTO_TEST_CASE(a_queue_destroyed_with_futures_pending_leaves_them_running)
{
    test::gate release;
    aj::thread_pool_executor pool(1);
    test::open_on_exit open(release);
    aj::promise<int> outside;
    auto watched = pool.submit([&] { return release.wait() ? 5 : 0; }).share();
    {
        aj::completion_queue<int> queue;
        queue.add(pool.submit([&] { return release.wait() ? 5 : 0; }));
        queue.add(outside.get_future());
        queue.add(aj::make_ready_future(1));
    }
    release.open();
    outside.set_value(2);  // completes a future whose queue is gone
    BOOST_REQUIRE(test::ready(watched));
    BOOST_TEST(watched.get() == 5);
}

BOOST_AUTO_TEST_SUITE_END()
