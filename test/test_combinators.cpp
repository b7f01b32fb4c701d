// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// as_completed, wait, when_all and when_any. Completion orders are forced with gates: a
// task finishes only when the test opens its gate, and the test waits for it to finish
// before it lets the next one go. The cases whose tasks need no captured state run on a
// thread pool and a process pool (pool_kinds.hpp); run as test_combinators -- <test_worker>.
#define BOOST_TEST_MODULE asyncjobs combinators
#include <boost/test/unit_test.hpp>

#include "pool_kinds.hpp"
#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <future>
#include <list>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace aj = asyncjobs;
namespace tasks = interface_tasks;
using test::ready;
using namespace std::chrono_literals;

namespace {

/// `n` tasks on a pool with a thread for each; task i returns i once gate i is open.
struct gated_tasks {
    explicit gated_tasks(std::size_t n) : gates(n), pool(n)
    {
        for (std::size_t i = 0; i < n; ++i)
            futures.push_back(pool.submit([this, i] { return gates[i].wait() ? static_cast<int>(i) : -1; }));
    }
    gated_tasks(const gated_tasks&) = delete;
    gated_tasks& operator=(const gated_tasks&) = delete;
    ~gated_tasks()
    {
        for (auto& g : gates)
            g.open();
    }

    /// Lets task i finish and waits until it has, completion callbacks included: then
    /// as_completed() and when_any() see it as already done. (A future reports done() a
    /// moment before its callbacks fire; see as_completed_sees_a_future_that_reports_done.)
    [[nodiscard]] bool finish(std::size_t i)
    {
        gates[i].open();
        if (!ready(futures[i]))
            return false;
        std::vector<aj::future<int>*> one{&futures[i]};
        return aj::wait(one, aj::return_when::all_completed, test::long_wait).not_done.empty();
    }

    std::deque<test::gate> gates;  // not movable: a deque builds them in place
    aj::thread_pool_executor pool;
    std::vector<aj::future<int>> futures;
};

/// A clock whose now() can be made to stall once: a thread in
/// future::wait_until(stalling_clock deadline) stalls inside the wait for as long as the
/// test wants. When futures parked on mutex/condition-variable buckets, libstdc++ called
/// the clock with the bucket's mutex held, so the future's completion stuck at its notify;
/// futures now park on a futex and hold no lock there, and the test keeps any lock taken
/// in a wait from coming back unseen.
struct stalling_clock {
    using duration = std::chrono::steady_clock::duration;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<stalling_clock>;
    [[maybe_unused]] static constexpr bool is_steady = true;  // a Clock's member; wait_until reads only now()

    static time_point now()
    {
        if (armed.exchange(false)) {
            stalled->open();
            (void)resume->wait();
        }
        return time_point(std::chrono::steady_clock::now().time_since_epoch());
    }

    static inline std::atomic<bool> armed{false};
    static inline test::gate* stalled = nullptr;
    static inline test::gate* resume = nullptr;
};

template <class Range>
std::vector<int> completion_order(Range&& r)
{
    std::vector<int> out;
    for (auto& f : r)
        out.push_back(f.get());
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(as_completed)

BOOST_AUTO_TEST_CASE(yields_in_completion_order)
{
    gated_tasks t(4);
    auto completed = aj::as_completed(t.futures);
    for (std::size_t i : {2u, 0u, 3u, 1u})
        BOOST_REQUIRE(t.finish(i));
    BOOST_TEST(completion_order(completed) == (std::vector<int>{2, 0, 3, 1}));
}

BOOST_AUTO_TEST_CASE(blocks_until_the_next_completes)
{
    gated_tasks t(3);
    const std::array<std::size_t, 3> order{1, 2, 0};
    auto completed = aj::as_completed(t.futures);
    t.gates[order[0]].open();
    std::vector<int> seen;
    std::size_t next = 1;
    for (auto& f : completed) {  // begin() and ++ block until the next one is done
        BOOST_REQUIRE(f.done());
        seen.push_back(f.get());
        if (next < order.size())
            t.gates[order[next++]].open();  // only now may the next one finish
    }
    BOOST_TEST(seen == (std::vector<int>{1, 2, 0}));
}

BOOST_AUTO_TEST_CASE(already_done_first_in_input_order)
{
    gated_tasks t(4);
    BOOST_REQUIRE(t.finish(3));
    BOOST_REQUIRE(t.finish(1));
    auto completed = aj::as_completed(t.futures);
    auto it = completed.begin();  // must not block: two are done
    BOOST_REQUIRE(it != completed.end());
    BOOST_TEST(it->get() == 1);  // input order among the done ones, not completion order
    ++it;
    BOOST_REQUIRE(it != completed.end());
    BOOST_TEST(it->get() == 3);
    BOOST_REQUIRE(t.finish(2));
    BOOST_REQUIRE(t.finish(0));
    ++it;
    BOOST_TEST(it->get() == 2);
    ++it;
    BOOST_TEST(it->get() == 0);
    ++it;
    BOOST_TEST((it == completed.end()));
}

BOOST_AUTO_TEST_CASE(yields_references_to_the_inputs_and_does_not_consume)
{
    aj::thread_pool_executor pool(2);
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < 10; ++i)
        fs.push_back(pool.submit([i] { return i; }));
    std::vector<const aj::future<int>*> yielded;
    for (auto& f : aj::as_completed(fs))
        yielded.push_back(&f);
    BOOST_TEST(yielded.size() == 10u);
    for (auto& f : fs) {
        BOOST_TEST((std::find(yielded.begin(), yielded.end(), &f) != yielded.end()));
        BOOST_TEST(f.valid());
    }
    int sum = 0;
    for (auto& f : fs)
        sum += f.get();
    BOOST_TEST(sum == 45);
}

BOOST_AUTO_TEST_CASE(duplicate_shared_futures_yielded_once)
{
    aj::thread_pool_executor pool(2);
    auto a = pool.submit([] { return 1; }).share();
    auto b = pool.submit([] { return 2; }).share();
    std::vector<aj::shared_future<int>> fs{a, b, a, a, b};
    int count = 0, sum = 0;
    for (auto& f : aj::as_completed(fs)) {
        ++count;
        sum += f.get();
    }
    BOOST_TEST(count == 2);
    BOOST_TEST(sum == 3);
}

BOOST_AUTO_TEST_CASE(pointer_ranges_and_duplicate_pointers)
{
    aj::thread_pool_executor pool(2);
    auto a = pool.submit([] { return 10; });
    auto b = pool.submit([] { return 20; });
    std::vector<aj::future<int>*> ptrs{&a, &b, &a};
    std::vector<aj::future<int>*> yielded;
    for (auto& f : aj::as_completed(ptrs))
        yielded.push_back(&f);
    BOOST_TEST(yielded.size() == 2u);
    BOOST_TEST((std::count(yielded.begin(), yielded.end(), &a) == 1));
    BOOST_TEST((std::count(yielded.begin(), yielded.end(), &b) == 1));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(other_containers, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    std::list<aj::future<int>> fs;
    for (int i = 0; i < 5; ++i)
        fs.push_back(pool.submit(tasks::value, i));
    int sum = 0;
    for (auto& f : aj::as_completed(fs))
        sum += f.get();
    BOOST_TEST(sum == 10);
}

BOOST_AUTO_TEST_CASE(timeout_while_a_task_is_held)
{
    gated_tasks t(2);
    BOOST_REQUIRE(t.finish(1));
    auto completed = aj::as_completed(t.futures, 50ms);
    auto it = completed.begin();
    BOOST_TEST(it->get() == 1);
    BOOST_CHECK_THROW(++it, aj::timeout_error);  // task 0 is held past the deadline
    BOOST_REQUIRE(t.finish(0));                   // released afterwards: it still completes
    BOOST_TEST(t.futures[0].get() == 0);
}

BOOST_AUTO_TEST_CASE(timeout_in_begin)
{
    gated_tasks t(1);
    auto completed = aj::as_completed(t.futures, 20ms);
    BOOST_CHECK_THROW(completed.begin(), aj::timeout_error);
    BOOST_REQUIRE(t.finish(0));
}

BOOST_AUTO_TEST_CASE(zero_timeout_yields_done_ones_then_throws)
{
    gated_tasks t(2);
    BOOST_REQUIRE(t.finish(0));
    auto completed = aj::as_completed(t.futures, 0ms);
    auto it = completed.begin();
    BOOST_TEST(it->get() == 0);
    BOOST_CHECK_THROW(++it, aj::timeout_error);
}

BOOST_AUTO_TEST_CASE(generous_timeout_does_not_fire)
{
    aj::thread_pool_executor pool(2);
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < 20; ++i)
        fs.push_back(pool.submit([i] { return i; }));
    int sum = 0;
    for (auto& f : aj::as_completed(fs, std::chrono::hours(1)))
        sum += f.get();
    BOOST_TEST(sum == 190);
    // A huge timeout saturates instead of overflowing into the past.
    for (auto& f : aj::as_completed(fs, std::chrono::steady_clock::duration::max()))
        BOOST_TEST(f.done());
}

// Coarse durations whose conversion to nanoseconds would overflow (hours::max() comes out
// negative, which would make the wait a poll): they saturate to "wait forever" instead.
// Without saturation, as_completed over a held task throws timeout_error at once.
BOOST_AUTO_TEST_CASE(coarse_huge_timeouts_saturate)
{
    aj::thread_pool_executor pool(2);
    std::promise<void> release;
    auto held = release.get_future().share();
    auto f = pool.submit([held] {
        held.wait();
        return 7;
    });
    std::thread releaser([&] {
        std::this_thread::sleep_for(100ms);
        release.set_value();
    });
    std::vector<aj::future<int>> fs;
    fs.push_back(std::move(f));
    int got = 0;
    BOOST_CHECK_NO_THROW(for (auto& r : aj::as_completed(fs, std::chrono::hours::max())) got = r.get());
    BOOST_TEST(got == 7);
    releaser.join();
    for (auto& r : aj::as_completed(fs, std::chrono::milliseconds::max()))
        BOOST_TEST(r.done());
    for (auto& r : aj::as_completed(fs, std::chrono::duration<double>(1e300)))
        BOOST_TEST(r.done());
}

BOOST_AUTO_TEST_CASE(empty_range)
{
    std::vector<aj::future<int>> none;
    auto completed = aj::as_completed(none);
    BOOST_TEST((completed.begin() == completed.end()));
    auto timed = aj::as_completed(none, 0ms);
    BOOST_TEST((timed.begin() == timed.end()));
}

BOOST_AUTO_TEST_CASE(failed_and_cancelled_futures_are_yielded_not_thrown)
{
    aj::thread_pool_executor pool(1);
    std::vector<aj::future<int>> fs;
    {
        test::blocker block(pool);
        BOOST_REQUIRE(block.started());
        fs.push_back(pool.submit([]() -> int { throw std::runtime_error("x"); }));
        fs.push_back(pool.submit([] { return 1; }));
        BOOST_REQUIRE(fs.back().cancel());
    }
    int count = 0;
    for (auto& f : aj::as_completed(fs)) {
        ++count;
        BOOST_TEST(static_cast<bool>(f.exception()));
    }
    BOOST_TEST(count == 2);
}

// Regression: a future publishes "done" before its completing thread fires its callbacks
// (the parking-lot notify runs in between). as_completed() must still count a future that
// already reports done(), in input order, even with a zero timeout. The stalling clock
// holds the completion inside that window.
BOOST_AUTO_TEST_CASE(as_completed_sees_a_future_that_reports_done)
{
    test::gate finish, stalled, resume;
    aj::thread_pool_executor pool(2);
    test::open_on_exit finish_guard(finish);
    test::open_on_exit resume_guard(resume);
    auto done_first = pool.submit([] { return 1; });
    BOOST_REQUIRE(ready(done_first));
    auto s = pool.submit([&] { return finish.wait() ? 0 : -1; }).share();

    stalling_clock::stalled = &stalled;
    stalling_clock::resume = &resume;
    stalling_clock::armed = true;
    std::thread waiter([s] {
        auto deadline = stalling_clock::time_point(std::chrono::steady_clock::now().time_since_epoch() + test::long_wait);
        (void)s.wait_until(deadline);  // stalls in now(), inside s's wait
    });
    BOOST_REQUIRE(stalled.wait());
    finish.open();  // s completes while a waiter is stalled inside its wait
    BOOST_REQUIRE(test::eventually([&] { return s.done(); }));

    std::vector<aj::shared_future<int>> fs{s, done_first.share()};
    std::vector<int> order;
    try {
        auto polled = aj::as_completed(fs, 0ms);
        for (auto& f : polled)  // both are done: a poll yields both
            order.push_back(f.get());
    } catch (const aj::timeout_error&) {
        BOOST_ERROR("as_completed(0ms) threw timeout_error although every future reports done()");
    }
    BOOST_TEST(order == (std::vector<int>{0, 1}));  // already done: input order

    resume.open();
    waiter.join();
    stalling_clock::armed = false;
    int count = 0;
    for (auto& f : aj::as_completed(fs)) {
        (void)f.get();
        ++count;
    }
    BOOST_TEST(count == 2);
}

BOOST_AUTO_TEST_CASE(invalid_future_in_range_throws)
{
    std::vector<aj::future<int>> fs(1);
    BOOST_CHECK_THROW((void)aj::as_completed(fs), aj::invalid_future);
}

// The reader parks between results: each result is set only once the reader has taken
// the one before, so it arrives while the reader waits for it (a lost wake-up makes the
// read time out, test::long_wait, instead of hanging).
BOOST_AUTO_TEST_CASE(a_waiting_reader_is_woken_for_each_result)
{
    constexpr std::size_t n = 300;
    std::vector<aj::promise<int>> ps(n);
    std::vector<aj::future<int>> fs;
    for (auto& p : ps)
        fs.push_back(p.get_future());
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
        for (auto& f : aj::as_completed(fs, test::long_wait)) {
            order.push_back(f.get());
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
        BOOST_TEST(order[i] == static_cast<int>(i));  // completion order is the order they were set
}

// Results from many threads at once, while the reader drains them: each is handed out
// exactly once, none is lost, whatever the interleaving (several rounds for the races).
BOOST_AUTO_TEST_CASE(results_from_many_threads_are_each_handed_out_once)
{
    constexpr std::size_t threads = 6;
    constexpr std::size_t per_thread = 200;
    constexpr std::size_t n = threads * per_thread;
    for (int round = 0; round < 10; ++round) {
        std::vector<aj::promise<int>> ps(n);
        std::vector<aj::future<int>> fs;
        for (auto& p : ps)
            fs.push_back(p.get_future());
        test::gate go;
        std::vector<std::jthread> producers;
        for (std::size_t t = 0; t < threads; ++t)
            producers.emplace_back([&, t] {
                (void)go.wait();
                for (std::size_t i = t; i < n; i += threads)
                    ps[i].set_value(static_cast<int>(i));
            });
        std::vector<int> seen(n, 0);
        std::size_t count = 0;
        auto completed = aj::as_completed(fs, test::long_wait);
        go.open();
        try {
            for (auto& f : completed) {
                ++seen[static_cast<std::size_t>(f.get())];
                ++count;
            }
        } catch (const aj::timeout_error& e) {
            BOOST_ERROR("round " << round << ": " << e.what());
        }
        producers.clear();
        BOOST_REQUIRE(count == n);
        BOOST_TEST(std::count(seen.begin(), seen.end(), 1) == static_cast<std::ptrdiff_t>(n));
        // wait() reads the same queue: every future done once they all completed.
        BOOST_TEST(aj::wait(fs, aj::return_when::all_completed, test::long_wait).done.size() == n);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(wait)

BOOST_AUTO_TEST_CASE_TEMPLATE(all_completed, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < 50; ++i)
        fs.push_back(pool.submit(tasks::value, i));
    auto r = aj::wait(fs);  // all_completed is the default
    BOOST_TEST(r.done.size() == 50u);
    BOOST_TEST(r.not_done.empty());
    for (std::size_t i = 0; i < fs.size(); ++i)
        BOOST_TEST(r.done[i] == &fs[i]);  // pointers to the inputs, in input order
    auto again = aj::wait(fs, aj::return_when::all_completed);
    BOOST_TEST(again.done.size() == 50u);
}

BOOST_AUTO_TEST_CASE(all_completed_waits_for_the_last)
{
    gated_tasks t(3);
    BOOST_REQUIRE(t.finish(0));
    BOOST_REQUIRE(t.finish(2));
    std::thread releaser([&] { t.gates[1].open(); });
    auto r = aj::wait(t.futures, aj::return_when::all_completed);
    releaser.join();
    BOOST_TEST(r.done.size() == 3u);
    BOOST_TEST(r.not_done.empty());
    BOOST_TEST(t.futures[1].done());
}

BOOST_AUTO_TEST_CASE(first_completed)
{
    gated_tasks t(3);
    BOOST_REQUIRE(t.finish(1));
    auto r = aj::wait(t.futures, aj::return_when::first_completed);
    BOOST_REQUIRE(r.done.size() == 1u);
    BOOST_TEST(r.done[0] == &t.futures[1]);
    BOOST_REQUIRE(r.not_done.size() == 2u);
    BOOST_TEST(r.not_done[0] == &t.futures[0]);  // input order
    BOOST_TEST(r.not_done[1] == &t.futures[2]);
}

BOOST_AUTO_TEST_CASE(first_completed_blocks_until_one_completes)
{
    gated_tasks t(2);
    std::thread releaser([&] { t.gates[0].open(); });
    auto r = aj::wait(t.futures, aj::return_when::first_completed);
    releaser.join();
    BOOST_REQUIRE(!r.done.empty());
    BOOST_TEST(r.done[0] == &t.futures[0]);
    BOOST_TEST(r.not_done.size() == 2u - r.done.size());
}

BOOST_AUTO_TEST_CASE(first_completed_counts_a_cancelled_future)
{
    aj::thread_pool_executor pool(1);
    test::blocker block(pool);
    BOOST_REQUIRE(block.started());
    std::vector<aj::future<int>> fs;
    fs.push_back(pool.submit([] { return 1; }));
    BOOST_REQUIRE(fs[0].cancel());
    std::vector<aj::future<bool>*> both{&block.future()};
    auto r = aj::wait(fs, aj::return_when::first_completed);
    BOOST_TEST(r.done.size() == 1u);
    auto r2 = aj::wait(both, aj::return_when::first_completed, 0ms);
    BOOST_TEST(r2.not_done.size() == 1u);  // the blocker still runs
}

BOOST_AUTO_TEST_CASE(first_exception_returns_on_the_first_failure)
{
    test::gate fail_now;
    aj::thread_pool_executor pool(3);
    test::open_on_exit guard(fail_now);
    gated_tasks t(2);  // two tasks held until the end of the test
    std::vector<aj::future<int>*> fs{&t.futures[0], nullptr, &t.futures[1]};
    auto failing = pool.submit([&]() -> int {
        (void)fail_now.wait();
        throw std::runtime_error("first exception");
    });
    fs[1] = &failing;
    std::thread releaser([&] { fail_now.open(); });
    auto r = aj::wait(fs, aj::return_when::first_exception);
    releaser.join();
    BOOST_REQUIRE(r.done.size() == 1u);
    BOOST_TEST(r.done[0] == &failing);
    BOOST_TEST(r.not_done.size() == 2u);
    BOOST_CHECK_THROW((void)failing.get(), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(first_exception_without_failure_waits_for_all)
{
    gated_tasks t(3);
    BOOST_REQUIRE(t.finish(0));
    std::thread releaser([&] {
        t.gates[2].open();
        t.gates[1].open();
    });
    auto r = aj::wait(t.futures, aj::return_when::first_exception);
    releaser.join();
    BOOST_TEST(r.done.size() == 3u);
    BOOST_TEST(r.not_done.empty());
}

BOOST_AUTO_TEST_CASE(first_exception_does_not_count_cancellation)
{
    // A cancelled future is done, but it is not an exception: wait(first_exception) must go
    // on waiting for the failure that comes later. The helper thread lets the failing task
    // go only after a pause; the pause only widens the window in which a wrong wait() would
    // return early, a correct one passes whatever the timing.
    test::gate fail_now;
    aj::thread_pool_executor pool(1);
    test::open_on_exit guard(fail_now);
    test::blocker block(pool);
    BOOST_REQUIRE(block.started());
    auto cancelled = pool.submit([] { return 0; });
    BOOST_REQUIRE(cancelled.cancel());
    block.release();
    auto failing = pool.submit([&]() -> int {
        (void)fail_now.wait();
        throw std::runtime_error("later");
    });
    std::vector<aj::future<int>*> fs{&cancelled, &failing};
    std::thread releaser([&] {
        std::this_thread::sleep_for(50ms);
        fail_now.open();
    });
    auto r = aj::wait(fs, aj::return_when::first_exception);
    releaser.join();
    BOOST_TEST(r.done.size() == 2u);  // returned for the failure, not for the cancellation
    BOOST_TEST(r.not_done.empty());
}

BOOST_AUTO_TEST_CASE(first_exception_with_only_cancelled_and_pending_times_out)
{
    gated_tasks t(1);
    aj::thread_pool_executor pool(1);
    auto cancelled_holder = [&] {
        test::blocker block(pool);
        (void)block.started();
        auto c = pool.submit([] { return 0; });
        (void)c.cancel();
        return c;
    }();
    BOOST_REQUIRE(cancelled_holder.cancelled());
    std::vector<aj::future<int>*> fs{&t.futures[0], &cancelled_holder};
    auto r = aj::wait(fs, aj::return_when::first_exception, 30ms);
    BOOST_REQUIRE(r.done.size() == 1u);
    BOOST_TEST(r.done[0] == &cancelled_holder);
    BOOST_REQUIRE(r.not_done.size() == 1u);
    BOOST_TEST(r.not_done[0] == &t.futures[0]);
}

BOOST_AUTO_TEST_CASE(first_exception_already_failed)
{
    aj::thread_pool_executor pool(1);
    gated_tasks t(1);
    auto failing = pool.submit([]() -> int { throw std::logic_error("x"); });
    BOOST_REQUIRE(ready(failing));
    std::vector<aj::future<int>*> fs{&t.futures[0], &failing};
    auto r = aj::wait(fs, aj::return_when::first_exception);
    BOOST_REQUIRE(r.done.size() == 1u);
    BOOST_TEST(r.done[0] == &failing);
}

BOOST_AUTO_TEST_CASE(zero_timeout_polls)
{
    gated_tasks t(3);
    BOOST_REQUIRE(t.finish(1));
    for (auto when : {aj::return_when::all_completed, aj::return_when::first_completed, aj::return_when::first_exception}) {
        auto r = aj::wait(t.futures, when, 0ms);
        BOOST_REQUIRE(r.done.size() == 1u);
        BOOST_TEST(r.done[0] == &t.futures[1]);
        BOOST_REQUIRE(r.not_done.size() == 2u);
        BOOST_TEST(r.not_done[0] == &t.futures[0]);
        BOOST_TEST(r.not_done[1] == &t.futures[2]);
    }
    auto negative = aj::wait(t.futures, aj::return_when::all_completed, -5s);
    BOOST_TEST(negative.not_done.size() == 2u);
    auto most_negative = aj::wait(t.futures, aj::return_when::all_completed, std::chrono::hours::min());
    BOOST_TEST(most_negative.not_done.size() == 2u);
}

BOOST_AUTO_TEST_CASE(coarse_huge_timeout_waits)
{
    gated_tasks t(2);
    BOOST_REQUIRE(t.finish(0));
    std::thread finisher([&] {
        std::this_thread::sleep_for(100ms);
        (void)t.finish(1);
    });
    auto r = aj::wait(t.futures, aj::return_when::all_completed, std::chrono::hours::max());
    finisher.join();
    BOOST_TEST(r.not_done.empty());
    BOOST_TEST(r.done.size() == 2u);
}

BOOST_AUTO_TEST_CASE(timeout_expires_without_error)
{
    gated_tasks t(2);
    BOOST_REQUIRE(t.finish(0));
    aj::wait_result<aj::future<int>> r;
    BOOST_CHECK_NO_THROW(r = aj::wait(t.futures, aj::return_when::all_completed, 30ms));
    BOOST_REQUIRE(r.done.size() == 1u);
    BOOST_TEST(r.done[0] == &t.futures[0]);
    BOOST_REQUIRE(r.not_done.size() == 1u);
    BOOST_TEST(r.not_done[0] == &t.futures[1]);
    BOOST_REQUIRE(t.finish(1));
    auto later = aj::wait(t.futures, aj::return_when::all_completed, 30ms);
    BOOST_TEST(later.not_done.empty());
}

BOOST_AUTO_TEST_CASE(empty_range_returns_at_once)
{
    std::vector<aj::future<int>> none;
    for (auto when : {aj::return_when::all_completed, aj::return_when::first_completed, aj::return_when::first_exception}) {
        auto r = aj::wait(none, when);
        BOOST_TEST(r.done.empty());
        BOOST_TEST(r.not_done.empty());
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(duplicates_reported_once, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    auto f = pool.submit(tasks::value, 1);
    std::vector<aj::future<int>*> fs{&f, &f, &f};
    auto r = aj::wait(fs);
    BOOST_REQUIRE(r.done.size() == 1u);
    BOOST_TEST(r.done[0] == &f);

    auto s = pool.submit(tasks::value, 2).share();
    std::vector<aj::shared_future<int>> copies{s, s};
    auto rs = aj::wait(copies);
    BOOST_TEST(rs.done.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(when_all)

BOOST_AUTO_TEST_CASE_TEMPLATE(vector_of_futures, Kind, test::pool_kinds)
{
    auto owner = Kind::make(2);
    auto& pool = *owner;
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < 10; ++i)
        fs.push_back(pool.submit(tasks::square, i));
    auto all = aj::when_all(std::move(fs));
    BOOST_REQUIRE(ready(all));
    auto results = all.get();
    BOOST_REQUIRE(results.size() == 10u);
    for (int i = 0; i < 10; ++i) {
        auto& f = results[static_cast<std::size_t>(i)];
        BOOST_REQUIRE(f.done());
        BOOST_TEST(f.get() == i * i);  // input order
    }
}

BOOST_AUTO_TEST_CASE(not_ready_until_the_last_input_is)
{
    gated_tasks t(3);
    BOOST_REQUIRE(t.finish(0));
    BOOST_REQUIRE(t.finish(2));
    std::vector<aj::future<int>> inputs;
    for (auto& f : t.futures)
        inputs.push_back(std::move(f));
    auto all = aj::when_all(std::move(inputs));
    BOOST_TEST(!all.done());  // input 1 is held
    t.gates[1].open();
    BOOST_REQUIRE(ready(all));
    auto results = all.get();
    BOOST_TEST(results[1].get() == 1);
}

BOOST_AUTO_TEST_CASE(iterator_pair_moves_the_futures_out)
{
    aj::thread_pool_executor pool(2);
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < 5; ++i)
        fs.push_back(pool.submit([i] { return i; }));
    auto all = aj::when_all(fs.begin(), fs.end());
    for (auto& f : fs)
        BOOST_TEST(!f.valid());
    auto results = all.get();
    int sum = 0;
    for (auto& f : results)
        sum += f.get();
    BOOST_TEST(sum == 10);

    std::list<aj::future<int>> lst;
    lst.push_back(pool.submit([] { return 7; }));
    auto from_list = aj::when_all(lst.begin(), lst.end()).get();
    BOOST_TEST(from_list.at(0).get() == 7);
}

BOOST_AUTO_TEST_CASE(tuple_of_different_types)
{
    aj::thread_pool_executor pool(2);
    auto all = aj::when_all(pool.submit([] { return 1; }), pool.submit([] { return std::string("two"); }),
                            pool.submit([] {}), pool.submit([] { return 3.5; }).share());
    BOOST_REQUIRE(ready(all));
    auto [a, b, c, d] = all.get();
    BOOST_TEST(a.get() == 1);
    BOOST_TEST(b.get() == "two");
    BOOST_CHECK_NO_THROW(c.get());
    BOOST_TEST(d.get() == 3.5);
}

BOOST_AUTO_TEST_CASE(empty_inputs)
{
    auto all = aj::when_all(std::vector<aj::future<int>>{});
    BOOST_TEST(all.done());  // ready at once
    BOOST_TEST(all.get().empty());
    std::vector<aj::future<int>> none;
    auto range = aj::when_all(none.begin(), none.end());
    BOOST_TEST(range.done());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(exceptions_stay_inside_the_inputs, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    std::vector<aj::future<int>> fs;
    fs.push_back(pool.submit(tasks::value, 1));
    fs.push_back(pool.submit(tasks::fail, std::string("invalid_argument"), std::string("inside")));
    fs.push_back(pool.submit(tasks::value, 3));
    auto all = aj::when_all(std::move(fs));
    BOOST_REQUIRE(ready(all));
    BOOST_TEST(!all.exception());
    auto results = all.get();
    BOOST_TEST(results[0].get() == 1);
    BOOST_CHECK_THROW(results[1].get(), std::invalid_argument);
    BOOST_TEST(results[2].get() == 3);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(cancelled_input_counts_as_done, Kind, test::pool_kinds)
{
    auto owner = Kind::make(1);
    auto& pool = *owner;
    std::vector<aj::future<int>> fs;
    test::file_blocker block(pool);
    BOOST_REQUIRE(block.started());
    fs.push_back(pool.submit(tasks::value, 1));
    BOOST_REQUIRE(fs[0].cancel());
    auto all = aj::when_all(std::move(fs));
    BOOST_REQUIRE(ready(all));  // the blocker still runs: done with the cancelled input alone
    auto results = all.get();
    BOOST_TEST(results[0].cancelled());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(one_thousand_futures, Kind, test::pool_kinds)
{
    constexpr int n = 1000;
    auto owner = Kind::make(2);
    auto& pool = *owner;
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < n; ++i)
        fs.push_back(pool.submit(tasks::value, i));
    auto all = aj::when_all(std::move(fs));
    BOOST_REQUIRE(ready(all));
    auto results = all.get();
    BOOST_REQUIRE(results.size() == static_cast<std::size_t>(n));
    long sum = 0;
    for (auto& f : results)
        sum += f.get();
    BOOST_TEST(sum == long{n} * (n - 1) / 2);
}

BOOST_AUTO_TEST_CASE(shared_futures)
{
    aj::thread_pool_executor pool(2);
    auto s = pool.submit([] { return 5; }).share();
    std::vector<aj::shared_future<int>> fs{s, s, pool.submit([] { return 6; }).share()};
    auto results = aj::when_all(std::move(fs)).get();
    BOOST_TEST(results[0].get() + results[1].get() + results[2].get() == 16);
    BOOST_TEST(s.get() == 5);  // the caller's copy still reads
}

BOOST_AUTO_TEST_CASE(invalid_input_throws)
{
    std::vector<aj::future<int>> fs(2);
    BOOST_CHECK_THROW((void)aj::when_all(std::move(fs)), aj::invalid_future);
}

BOOST_AUTO_TEST_CASE(cancel_the_combined_future)
{
    gated_tasks t(1);
    std::vector<aj::future<int>> inputs;
    inputs.push_back(std::move(t.futures[0]));
    auto all = aj::when_all(std::move(inputs));
    BOOST_TEST(all.cancel());  // not started: it can be cancelled
    BOOST_TEST(all.cancelled());
    t.gates[0].open();
    BOOST_CHECK_THROW(all.get(), aj::cancelled_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(when_any)

BOOST_AUTO_TEST_CASE(vector_first_to_complete)
{
    gated_tasks t(4);
    std::vector<aj::future<int>> inputs;
    for (auto& f : t.futures)
        inputs.push_back(std::move(f));
    auto any = aj::when_any(std::move(inputs));
    BOOST_TEST(!any.done());
    t.gates[2].open();
    BOOST_REQUIRE(ready(any));
    auto r = any.get();
    BOOST_TEST(r.index == 2u);
    BOOST_REQUIRE(r.futures.size() == 4u);
    BOOST_TEST(r.futures[2].get() == 2);
    BOOST_TEST(!r.futures[0].done());  // the others are still held
    BOOST_TEST(!r.futures[3].done());
    for (auto& g : t.gates)
        g.open();
    BOOST_REQUIRE(ready(r.futures[0]));
    BOOST_TEST(r.futures[0].get() == 0);
}

BOOST_AUTO_TEST_CASE(iterator_pair)
{
    gated_tasks t(3);
    auto any = aj::when_any(t.futures.begin(), t.futures.end());
    for (auto& f : t.futures)
        BOOST_TEST(!f.valid());
    t.gates[1].open();
    auto r = any.get();
    BOOST_TEST(r.index == 1u);
    BOOST_TEST(r.futures[1].get() == 1);
}

BOOST_AUTO_TEST_CASE(tuple_of_different_types)
{
    gated_tasks t(1);
    aj::thread_pool_executor pool(1);
    auto any = aj::when_any(std::move(t.futures[0]), pool.submit([] { return std::string("fast"); }));
    BOOST_REQUIRE(ready(any));
    auto r = any.get();
    BOOST_TEST(r.index == 1u);
    BOOST_TEST(std::get<1>(r.futures).get() == "fast");
    BOOST_TEST(!std::get<0>(r.futures).done());
}

BOOST_AUTO_TEST_CASE(empty_input)
{
    auto any = aj::when_any(std::vector<aj::future<int>>{});
    BOOST_TEST(any.done());
    auto r = any.get();
    BOOST_TEST(r.index == static_cast<std::size_t>(-1));
    BOOST_TEST(r.futures.empty());
}

BOOST_AUTO_TEST_CASE(already_done_input_wins_by_input_order)
{
    gated_tasks t(3);
    BOOST_REQUIRE(t.finish(2));
    BOOST_REQUIRE(t.finish(1));
    std::vector<aj::future<int>> inputs;
    for (auto& f : t.futures)
        inputs.push_back(std::move(f));
    auto r = aj::when_any(std::move(inputs)).get();
    BOOST_TEST(r.index == 1u);
}

BOOST_AUTO_TEST_CASE(exception_stays_inside_the_input)
{
    gated_tasks t(1);
    aj::thread_pool_executor pool(1);
    std::vector<aj::future<int>> inputs;
    inputs.push_back(std::move(t.futures[0]));
    inputs.push_back(pool.submit([]() -> int { throw std::runtime_error("any"); }));
    auto any = aj::when_any(std::move(inputs));
    BOOST_REQUIRE(ready(any));
    BOOST_TEST(!any.exception());
    auto r = any.get();
    BOOST_TEST(r.index == 1u);
    BOOST_CHECK_THROW(r.futures[1].get(), std::runtime_error);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(many_inputs_completing_together, Kind, test::pool_kinds)
{
    constexpr int n = 1000;
    auto owner = Kind::make(2);
    auto& pool = *owner;
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < n; ++i)
        fs.push_back(pool.submit(tasks::value, i));
    auto r = aj::when_any(std::move(fs)).get();
    BOOST_REQUIRE(r.index < static_cast<std::size_t>(n));
    BOOST_TEST(r.futures[r.index].done());
    BOOST_TEST(r.futures[r.index].get() == static_cast<int>(r.index));
    for (auto& f : r.futures)
        BOOST_REQUIRE(ready(f));
}

BOOST_AUTO_TEST_SUITE_END()
