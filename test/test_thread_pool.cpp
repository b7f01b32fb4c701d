// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// thread_pool_executor: options (workers, names, initializer), stop tokens, shutdown in all
// its forms (also from inside the pool), concurrent submitters, move-only and void tasks.
// The shutdown cases whose tasks need no captured state run on a thread pool and a process
// pool (pool_kinds.hpp); run as test_thread_pool -- <test_worker>.
#define BOOST_TEST_MODULE asyncjobs thread_pool
#include <boost/test/unit_test.hpp>

#include "pool_kinds.hpp"
#include "test_support.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace aj = asyncjobs;
namespace tasks = interface_tasks;
using test::ready;

namespace {

std::string current_thread_name()
{
    char name[64] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    return name;
}

/// Waits (bounded) until `n` tasks have arrived, so that they all run at the same time:
/// proof that the pool has at least `n` threads.
class rendezvous {
public:
    explicit rendezvous(std::size_t n) : n_(n) {}
    bool arrive_and_wait()
    {
        std::unique_lock lock(mutex_);
        if (++arrived_ >= n_)
            cv_.notify_all();
        return cv_.wait_for(lock, test::long_wait, [&] { return arrived_ >= n_; });
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::size_t n_;
    std::size_t arrived_ = 0;
};

std::unique_ptr<int> bump(std::unique_ptr<int> p)
{
    ++*p;
    return p;
}

int square(int x) { return x * x; }

void append(std::vector<int>& v, int x) { v.push_back(x); }

/// Counts threads that ran the initializer and threads of those that have exited.
std::atomic<int> initialized_threads{0};
std::atomic<int> exited_threads{0};
struct exit_counter {
    bool armed = false;
    ~exit_counter()
    {
        if (armed)
            ++exited_threads;
    }
};
thread_local exit_counter this_thread_exit;
thread_local bool this_thread_initialized = false;

} // namespace

BOOST_AUTO_TEST_SUITE(options)

BOOST_AUTO_TEST_CASE(max_workers_reported)
{
    aj::thread_pool_executor three(aj::thread_pool_options{3, "three", {}});
    BOOST_TEST(three.max_workers() == 3u);
    aj::thread_pool_executor five(5);
    BOOST_TEST(five.max_workers() == 5u);
    aj::thread_pool_executor dflt;
    BOOST_TEST(dflt.max_workers() == std::max(1u, std::thread::hardware_concurrency()));
    aj::thread_pool_executor zero(aj::thread_pool_options{});
    BOOST_TEST(zero.max_workers() == std::max(1u, std::thread::hardware_concurrency()));
    aj::executor& as_base = three;
    BOOST_TEST(as_base.max_workers() == 3u);
}

BOOST_AUTO_TEST_CASE(max_workers_threads_exist_and_no_more_are_used)
{
    constexpr std::size_t workers = 3;
    aj::thread_pool_executor pool(aj::thread_pool_options{workers, "mw", {}});
    // All `workers` tasks run at once: there are that many threads ...
    rendezvous meet(workers);
    std::vector<aj::future<bool>> meeting;
    for (std::size_t i = 0; i < workers; ++i)
        meeting.push_back(pool.submit([&] { return meet.arrive_and_wait(); }));
    for (auto& f : meeting) {
        BOOST_REQUIRE(ready(f));
        BOOST_TEST(f.get());
    }
    // ... and never more than that, at once or in total.
    std::mutex mutex;
    std::set<std::thread::id> ids;
    std::atomic<int> active{0}, max_active{0};
    std::vector<aj::future<void>> fs;
    for (int i = 0; i < 300; ++i)
        fs.push_back(pool.submit([&] {
            int now = ++active;
            int seen = max_active.load();
            while (now > seen && !max_active.compare_exchange_weak(seen, now)) {
            }
            {
                std::lock_guard lock(mutex);
                ids.insert(std::this_thread::get_id());
            }
            std::this_thread::yield();
            --active;
        }));
    for (auto& f : fs)
        BOOST_REQUIRE(ready(f));
    BOOST_TEST(ids.size() <= workers);
    BOOST_TEST(max_active.load() <= static_cast<int>(workers));
}

BOOST_AUTO_TEST_CASE(thread_names)
{
    aj::thread_pool_executor pool(aj::thread_pool_options{2, "worker", {}});
    rendezvous meet(2);
    auto a = pool.submit([&] {
        (void)meet.arrive_and_wait();
        return current_thread_name();
    });
    auto b = pool.submit([&] {
        (void)meet.arrive_and_wait();
        return current_thread_name();
    });
    std::set<std::string> names{a.get(), b.get()};
    BOOST_TEST((names == std::set<std::string>{"worker-0", "worker-1"}));
}

BOOST_AUTO_TEST_CASE(default_thread_name_prefix)
{
    aj::thread_pool_executor pool(1);
    BOOST_TEST(pool.submit(current_thread_name).get() == "asyncjobs-0");
}

BOOST_AUTO_TEST_CASE(long_thread_name_is_cut_to_15_characters)
{
    aj::thread_pool_executor pool(aj::thread_pool_options{1, "averyveryverylongprefix", {}});
    auto name = pool.submit(current_thread_name).get();
    BOOST_TEST(name == "averyveryverylo");
    BOOST_TEST(name.size() == 15u);
}

BOOST_AUTO_TEST_CASE(initializer_runs_once_per_thread)
{
    constexpr std::size_t workers = 3;
    std::mutex mutex;
    std::vector<std::thread::id> init_ids;
    std::atomic<int> uninitialized_runs{0};
    {
        aj::thread_pool_options options{workers, "init", [&] {
                                            std::lock_guard lock(mutex);
                                            init_ids.push_back(std::this_thread::get_id());
                                            this_thread_initialized = true;
                                        }};
        aj::thread_pool_executor pool(std::move(options));
        rendezvous meet(workers);
        std::vector<aj::future<bool>> fs;
        for (std::size_t i = 0; i < workers; ++i)
            fs.push_back(pool.submit([&] { return this_thread_initialized && meet.arrive_and_wait(); }));
        for (int i = 0; i < 200; ++i)
            (void)pool.submit([&] {
                if (!this_thread_initialized)
                    ++uninitialized_runs;
            });
        for (auto& f : fs)
            BOOST_TEST(f.get());
    }
    BOOST_TEST(init_ids.size() == workers);
    BOOST_TEST(std::set<std::thread::id>(init_ids.begin(), init_ids.end()).size() == workers);
    BOOST_TEST(uninitialized_runs.load() == 0);
}

BOOST_AUTO_TEST_CASE(throwing_initializer_breaks_the_pool)
{
    std::atomic<int> runs{0};
    aj::thread_pool_executor pool(aj::thread_pool_options{1, "broken", [] { throw std::runtime_error("init failed"); }});
    auto f = pool.submit([&] { return ++runs; });
    BOOST_REQUIRE(ready(f));
    BOOST_TEST(!f.cancelled());
    try {
        (void)f.get();
        BOOST_FAIL("get() did not throw");
    } catch (const aj::broken_executor& e) {
        BOOST_TEST(std::string(e.what()).find("init failed") != std::string::npos);
    }
    BOOST_CHECK_THROW((void)pool.submit([] {}), aj::broken_executor);
    BOOST_CHECK_THROW((void)pool.submit([] {}), aj::broken_executor);
    BOOST_CHECK_THROW((void)pool.map([](int x) { return x; }, std::vector<int>{1, 2, 3}), aj::broken_executor);
    pool.shutdown(true);
    BOOST_TEST(runs.load() == 0);
}

BOOST_AUTO_TEST_CASE(throwing_initializer_fails_all_pending_futures)
{
    test::gate init_go;
    aj::thread_pool_executor pool(aj::thread_pool_options{1, "broken", [&] {
                                                              (void)init_go.wait();
                                                              throw std::runtime_error("late failure");
                                                          }});
    test::open_on_exit guard(init_go);
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < 20; ++i)
        fs.push_back(pool.submit([i] { return i; }));
    init_go.open();  // the initializer throws with all 20 queued
    for (auto& f : fs) {
        BOOST_REQUIRE(ready(f));
        BOOST_CHECK_THROW((void)f.get(), aj::broken_executor);
    }
    BOOST_CHECK_THROW((void)pool.submit([] {}), aj::broken_executor);
}

BOOST_AUTO_TEST_CASE(broken_pool_still_runs_continuations)
{
    aj::thread_pool_executor pool(aj::thread_pool_options{1, "broken", [] { throw std::runtime_error("x"); }});
    auto g = pool.submit([] { return 1; }).then([&](aj::future<int> r) {
        bool broken = false;
        try {
            (void)r.get();
        } catch (const aj::broken_executor&) {
            broken = true;
        }
        return broken && pool.running_in_this_thread();
    });
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(g.get());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stop_tokens)

BOOST_AUTO_TEST_CASE(cooperative_cancellation_of_running_tasks)
{
    constexpr int n = 4;
    aj::thread_pool_executor pool(n);
    rendezvous meet(n + 1);
    std::vector<aj::future<int>> fs;
    for (int i = 0; i < n; ++i)
        fs.push_back(pool.submit(
            [&meet](std::stop_token token, int id) {
                (void)meet.arrive_and_wait();
                test::gate stopped;
                std::stop_callback cb(token, [&] { stopped.open(); });
                return stopped.wait() ? id : -1;
            },
            i));
    BOOST_REQUIRE(meet.arrive_and_wait());  // all n are running
    for (auto& f : fs)
        BOOST_TEST(!f.cancel());  // running: false, but stop is requested
    for (int i = 0; i < n; ++i) {
        auto& f = fs[static_cast<std::size_t>(i)];
        BOOST_REQUIRE(ready(f));
        BOOST_TEST(!f.cancelled());
        BOOST_TEST(f.get() == i);
    }
}

BOOST_AUTO_TEST_CASE(stop_token_with_move_only_argument)
{
    aj::thread_pool_executor pool(1);
    auto f = pool.submit([](std::stop_token token, std::unique_ptr<int> p) { return token.stop_possible() ? *p : -1; },
                         std::make_unique<int>(8));
    BOOST_TEST(f.get() == 8);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(shutdown)

BOOST_AUTO_TEST_CASE_TEMPLATE(pending_work_runs_without_cancel_futures, Kind, test::pool_kinds)
{
    constexpr int n = 10;
    test::scratch_dir runs;  // a file per task run
    std::vector<aj::future<int>> fs;
    auto owner = Kind::make(1);
    auto& pool = *owner;
    test::file_blocker block(pool);
    BOOST_REQUIRE(block.started());
    for (int i = 0; i < n; ++i)
        fs.push_back(pool.submit(tasks::mark_run, runs.file(std::to_string(i)), i));
    pool.shutdown(false);  // returns at once, although the blocker still runs
    BOOST_TEST(!block.future().done());
    for (auto& f : fs)
        BOOST_TEST(!f.cancelled());
    BOOST_CHECK_THROW((void)pool.submit(tasks::nothing), aj::shutdown_error);
    block.release();
    pool.shutdown(true);  // waits for the queued work
    BOOST_TEST(runs.count() == std::size_t{n});
    for (int i = 0; i < n; ++i) {
        auto& f = fs[static_cast<std::size_t>(i)];
        BOOST_REQUIRE(f.done());
        BOOST_TEST(f.get() == i);
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(cancel_futures_cancels_pending_at_once, Kind, test::pool_kinds)
{
    constexpr int n = 10;
    test::scratch_dir runs;  // a file per task run
    std::vector<aj::future<int>> fs;
    auto owner = Kind::make(1);
    auto& pool = *owner;
    test::file_blocker block(pool);
    BOOST_REQUIRE(block.started());
    for (int i = 0; i < n; ++i)
        fs.push_back(pool.submit(tasks::mark_run, runs.file(std::to_string(i)), i));
    pool.shutdown(false, true);
    // Cancelled by the time shutdown() returns, while the running task still runs.
    for (auto& f : fs) {
        BOOST_TEST(f.cancelled());
        BOOST_TEST(f.done());
    }
    BOOST_TEST(!block.future().done());
    BOOST_TEST(block.future().running());
    block.release();
    BOOST_REQUIRE(ready(block.future()));
    BOOST_TEST(block.future().get());  // the running task finished normally
    pool.shutdown(true);
    BOOST_TEST(runs.count() == 0u);
    for (auto& f : fs)
        BOOST_CHECK_THROW((void)f.get(), aj::cancelled_error);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(waiting_shutdown_with_cancel_futures, Kind, test::pool_kinds)
{
    constexpr int n = 10;
    test::scratch_dir runs;  // a file per task run
    std::vector<aj::future<int>> fs;
    auto owner = Kind::make(1);
    auto& pool = *owner;
    test::file_blocker block(pool);
    BOOST_REQUIRE(block.started());
    for (int i = 0; i < n; ++i)
        fs.push_back(pool.submit(tasks::mark_run, runs.file(std::to_string(i)), i));
    // The blocker is released once the queued tasks are cancelled, which shutdown() must do
    // before it starts waiting.
    std::thread releaser([&] {
        if (test::eventually([&] { return fs.back().cancelled(); }))
            block.release();
    });
    pool.shutdown(true, true);
    releaser.join();
    BOOST_TEST(block.future().done());  // shutdown(wait) waited for the running task
    BOOST_TEST(runs.count() == 0u);
    for (auto& f : fs)
        BOOST_TEST(f.cancelled());
}

BOOST_AUTO_TEST_CASE(shutdown_no_wait_then_destructor_waits)
{
    constexpr int n = 20;
    std::vector<aj::future<int>> fs;
    test::gate release;
    {
        aj::thread_pool_executor pool(2);
        for (int i = 0; i < n; ++i)
            fs.push_back(pool.submit([&release, i] { return release.wait() ? i : -1; }));
        pool.shutdown(false);
        release.open();
    }  // the destructor is shutdown(wait = true)
    for (int i = 0; i < n; ++i) {
        auto& f = fs[static_cast<std::size_t>(i)];
        BOOST_REQUIRE(f.done());  // no waiting here: the destructor did
        BOOST_TEST(f.get() == i);
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(destructor_waits_for_queued_work, Kind, test::pool_kinds)
{
    test::scratch_dir runs;  // a file per task run
    {
        auto pool = Kind::make(2);
        for (int i = 0; i < 1000; ++i)
            (void)pool->submit(tasks::mark_run, runs.file(std::to_string(i)), i);
    }
    BOOST_TEST(runs.count() == 1000u);
}

BOOST_AUTO_TEST_CASE(submit_after_shutdown_throws)
{
    aj::thread_pool_executor pool(1);
    auto before = pool.submit([] { return 1; });
    pool.shutdown();
    BOOST_TEST(pool.closed());
    BOOST_CHECK_THROW((void)pool.submit([] { return 1; }), aj::shutdown_error);
    BOOST_CHECK_THROW((void)pool.submit(square, 3), aj::shutdown_error);
    BOOST_CHECK_THROW((void)pool.map([](int x) { return x; }, std::vector<int>{1, 2}), aj::shutdown_error);
    BOOST_TEST(before.get() == 1);
    pool.shutdown();  // twice is fine
    pool.shutdown(false, true);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(shutdown_of_unused_pool, Kind, test::pool_kinds)
{
    auto owner = Kind::make(4);
    auto& pool = *owner;
    pool.shutdown(true);
    BOOST_CHECK_THROW((void)pool.submit(tasks::nothing), aj::shutdown_error);
}

BOOST_AUTO_TEST_CASE(shutdown_from_inside_a_task_does_not_deadlock)
{
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([&] {
        pool.shutdown(true);  // cannot wait for itself: must return
        return pool.running_in_this_thread();
    });
    BOOST_REQUIRE(ready(f));
    BOOST_TEST(f.get());
    BOOST_CHECK_THROW((void)pool.submit([] {}), aj::shutdown_error);
}

BOOST_AUTO_TEST_CASE(shutdown_with_cancel_from_inside_a_task)
{
    aj::thread_pool_executor pool(1);
    test::gate go;
    test::open_on_exit guard(go);
    auto f = pool.submit([&] {
        (void)go.wait();
        pool.shutdown(true, true);
        return 1;
    });
    std::vector<aj::future<int>> queued;
    for (int i = 0; i < 5; ++i)
        queued.push_back(pool.submit([i] { return i; }));
    go.open();
    BOOST_REQUIRE(ready(f));
    BOOST_TEST(f.get() == 1);
    for (auto& q : queued) {
        BOOST_REQUIRE(ready(q));
        BOOST_TEST(q.cancelled());
    }
}

BOOST_AUTO_TEST_CASE(destroying_the_pool_from_inside_a_task)
{
    initialized_threads = 0;
    exited_threads = 0;
    test::gate go;
    auto pool = std::make_unique<aj::thread_pool_executor>(aj::thread_pool_options{2, "selfdestruct", [] {
                                                                                        this_thread_exit.armed = true;
                                                                                        ++initialized_threads;
                                                                                    }});
    auto* raw = pool.get();
    std::atomic<int> after{0};
    auto queued_work = [&] { ++after; };
    auto f = raw->submit([&] {
        (void)go.wait();  // not before the main thread is done with `pool`
        pool.reset();     // the destructor, on one of the pool's own threads
        return 7;
    });
    auto queued = raw->submit(queued_work);
    go.open();
    BOOST_REQUIRE(ready(f));
    BOOST_TEST(f.get() == 7);
    BOOST_REQUIRE(ready(queued));  // work queued before the destruction still runs
    BOOST_TEST(after.load() == 1);
    // The pool's threads are joined later, by a helper thread: they all exit.
    BOOST_TEST(test::eventually([] { return initialized_threads.load() > 0 && exited_threads.load() == initialized_threads.load(); }));
}

BOOST_AUTO_TEST_CASE(destroying_another_pool_from_inside_a_task)
{
    auto inner = std::make_unique<aj::thread_pool_executor>(2);
    auto value = inner->submit([] { return 5; });
    aj::thread_pool_executor outer(1);
    auto f = outer.submit([&] {
        inner.reset();  // joins inner's threads from outer's thread: fine
        return true;
    });
    BOOST_REQUIRE(ready(f));
    BOOST_TEST(f.get());
    BOOST_TEST(value.get() == 5);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(submitting)

BOOST_AUTO_TEST_CASE(many_threads_submit_concurrently)
{
    constexpr int submitters = 8;
    constexpr int per_submitter = test::sanitized ? 1000 : 5000;
    aj::thread_pool_executor pool(4);
    std::vector<std::vector<aj::future<long>>> results(submitters);
    std::vector<std::thread> threads;
    rendezvous start(submitters);
    for (int t = 0; t < submitters; ++t)
        threads.emplace_back([&, t] {
            (void)start.arrive_and_wait();
            auto& mine = results[static_cast<std::size_t>(t)];
            mine.reserve(per_submitter);
            for (int i = 0; i < per_submitter; ++i)
                mine.push_back(pool.submit([](long a, long b) { return a * 100000 + b; }, long{t}, long{i}));
        });
    for (auto& t : threads)
        t.join();
    for (int t = 0; t < submitters; ++t)
        for (int i = 0; i < per_submitter; ++i) {
            auto& f = results[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)];
            BOOST_REQUIRE(ready(f));
            BOOST_REQUIRE(f.get() == long{t} * 100000 + i);
        }
}

BOOST_AUTO_TEST_CASE(concurrent_submit_and_shutdown)
{
    // Submitters race a shutdown: every submit either throws shutdown_error or returns a
    // future that completes.
    constexpr int submitters = 4;
    aj::thread_pool_executor pool(2);
    std::vector<std::vector<aj::future<int>>> results(submitters);
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    rendezvous start(submitters + 1);
    for (int t = 0; t < submitters; ++t)
        threads.emplace_back([&, t] {
            (void)start.arrive_and_wait();
            for (int i = 0; i < 2000; ++i) {
                try {
                    results[static_cast<std::size_t>(t)].push_back(pool.submit([i] { return i; }));
                } catch (const aj::shutdown_error&) {
                    ++refused;
                    return;
                }
            }
        });
    (void)start.arrive_and_wait();
    pool.shutdown(true);
    for (auto& t : threads)
        t.join();
    pool.shutdown(true);
    for (auto& rs : results)
        for (std::size_t i = 0; i < rs.size(); ++i) {
            BOOST_REQUIRE(rs[i].done());
            BOOST_REQUIRE(rs[i].get() == static_cast<int>(i));
        }
}

BOOST_AUTO_TEST_CASE(move_only_arguments_and_results)
{
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([](std::unique_ptr<int> p) { return std::make_unique<int>(*p + 1); }, std::make_unique<int>(41));
    auto r = f.get();
    BOOST_REQUIRE(r);
    BOOST_TEST(*r == 42);

    // A plain function taking and returning a move-only type.
    auto g = pool.submit(bump, std::make_unique<int>(1));
    BOOST_TEST(*g.get() == 2);

    // A move-only callable.
    auto h = pool.submit([p = std::make_unique<std::string>("owned")] { return *p; });
    BOOST_TEST(h.get() == "owned");
}

BOOST_AUTO_TEST_CASE(arguments_are_copied_at_submit)
{
    aj::thread_pool_executor pool(1);
    test::blocker block(pool);
    BOOST_REQUIRE(block.started());
    std::string text = "before";
    std::vector<int> v{1, 2};
    auto f = pool.submit([](const std::string& s) { return s; }, text);
    auto g = pool.submit(append, std::ref(v), 3);  // std::ref: the task gets the caller's object
    text = "after";
    block.release();
    BOOST_TEST(f.get() == "before");
    BOOST_REQUIRE(ready(g));
    BOOST_TEST(v.size() == 3u);
}

BOOST_AUTO_TEST_CASE(void_tasks)
{
    std::atomic<int> runs{0};
    aj::thread_pool_executor pool(2);
    aj::future<void> f = pool.submit([&] { ++runs; });
    BOOST_CHECK_NO_THROW(f.get());
    aj::future<void> g = pool.submit([&](int n) { runs += n; }, 2);
    BOOST_CHECK_NO_THROW(g.get());
    aj::future<void> e = pool.submit([] { throw std::runtime_error("void failed"); });
    BOOST_CHECK_THROW(e.get(), std::runtime_error);
    BOOST_TEST(runs.load() == 3);
}

BOOST_AUTO_TEST_CASE(function_pointer_tasks)
{
    aj::thread_pool_executor pool(2);
    BOOST_TEST(pool.submit(square, 12).get() == 144);
    BOOST_TEST(pool.submit(&square, 3).get() == 9);
    int (*fp)(int) = square;
    BOOST_TEST(pool.submit(fp, 4).get() == 16);
}

BOOST_AUTO_TEST_CASE(running_in_this_thread)
{
    aj::thread_pool_executor a(1), b(1);
    BOOST_TEST(!a.running_in_this_thread());
    auto f = a.submit([&] { return std::make_pair(a.running_in_this_thread(), b.running_in_this_thread()); });
    auto [on_a, on_b] = f.get();
    BOOST_TEST(on_a);
    BOOST_TEST(!on_b);
}

BOOST_AUTO_TEST_CASE(through_the_executor_interface)
{
    aj::thread_pool_executor pool(2);
    aj::executor& ex = pool;
    auto f = ex.submit([](int x) { return x + 1; }, 1);
    BOOST_TEST(f.get() == 2);
    long sum = 0;
    for (auto v : ex.map([](int x) { return x; }, std::vector<int>{1, 2, 3}))
        sum += v;
    BOOST_TEST(sum == 6);
    ex.shutdown();
    BOOST_CHECK_THROW((void)ex.submit([] {}), aj::shutdown_error);
}

BOOST_AUTO_TEST_CASE(tasks_submitting_tasks)
{
    aj::thread_pool_executor pool(2);
    auto f = pool.submit([&] {
        std::vector<aj::future<int>> inner;
        for (int i = 0; i < 100; ++i)
            inner.push_back(pool.submit([i] { return i; }));
        return inner;
    });
    auto inner = f.get();
    int sum = 0;
    for (auto& g : inner)
        sum += g.get();
    BOOST_TEST(sum == 4950);
}

BOOST_AUTO_TEST_SUITE_END()
