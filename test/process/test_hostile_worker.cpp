// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// process_pool_executor against a worker that breaks the wire protocol (hostile_worker.cpp):
// each misbehaviour fails the future of the call it answered, with a typed error that says
// what was wrong; the other futures are not affected, the pool replaces the worker and goes
// on, the parent neither crashes nor hangs, and no worker outlives the pool.
//   test_hostile_worker -- <hostile_worker> <test_worker>
#define BOOST_TEST_MODULE hostile_worker
#include <boost/test/unit_test.hpp>

#include "hostile_worker.hpp"
#include "support.hpp"
#include "process_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace std::chrono_literals;
namespace pt = process_tasks;
using asyncjobs::future;
using asyncjobs::process_pool_executor;
using asyncjobs::process_pool_options;

using process_test::alive;
using process_test::eventually;
using process_test::has_zombie_children;
using process_test::require_ready;

namespace {

std::string argument(int index)
{
    return process_test::argument(index, "run as: test_hostile_worker -- <hostile_worker> <test_worker>");
}

process_pool_options hostile_options(std::size_t workers) { return process_test::pool_options(argument(1), workers); }

enum class expect { protocol_error, worker_crashed, task_timeout };

struct misbehaviour {
    hostile::mode mode;
    const char* name;
    expect error;
    const char* says;      ///< in the error's message
    bool kills_worker;     ///< the stream is unusable: the worker is killed and replaced
    bool text = false;     ///< call misbehave_text instead of misbehave
};

const std::vector<misbehaviour> misbehaviours = {
    {hostile::garbage, "garbage", expect::protocol_error, "bad magic", true},
    {hostile::truncated_exit, "truncated frame, then exit", expect::worker_crashed, "middle of a frame", true},
    {hostile::huge_length, "4 GiB length prefix", expect::protocol_error, "larger than the configured limit", true},
    {hostile::unknown_id, "reply for an unknown task id", expect::protocol_error, "replied for task id", true},
    {hostile::call_frame, "a call frame", expect::protocol_error, "unexpected call frame", true},
    {hostile::second_hello, "a second hello", expect::protocol_error, "hello twice", true},
    {hostile::undecodable_result, "a result that is no int", expect::protocol_error, "does not decode", false},
    {hostile::partial_hang, "a partial frame, then a hang", expect::task_timeout, "timeout", true},
    {hostile::undecodable_failure, "a failure that is no exception", expect::protocol_error, "failure report is malformed",
     false},
    {hostile::huge_string, "a 2 GiB string in 11 bytes", expect::protocol_error, "2147483647", false, true},
    {hostile::unknown_kind, "an unknown frame kind", expect::protocol_error, "unknown frame kind", true},
    {hostile::unheld_shared, "a shared reply its region cannot hold", expect::protocol_error, "region does not hold",
     true},
};

/// The misbehaving call: with a timeout, so that a parent that missed the problem fails the
/// test with the wrong error instead of hanging it (partial_hang relies on it).
future<int> submit_misbehaviour(process_pool_executor& pool, const misbehaviour& m)
{
    asyncjobs::task_options o{m.mode == hostile::partial_hang ? 500ms : 30'000ms};
    if (m.text)
        return pool.submit_with(o, pt::misbehave_text, static_cast<int>(m.mode))
            .then([](future<std::string> f) { return std::stoi(f.get()); });
    return pool.submit_with(o, pt::misbehave, static_cast<int>(m.mode));
}

void check_failure(future<int>& f, const misbehaviour& m)
{
    require_ready(f);
    try {
        int value = f.get();
        BOOST_ERROR(m.name << ": no exception, the future got " << value);
    } catch (const asyncjobs::protocol_error& e) {
        BOOST_TEST_MESSAGE(m.name << ": protocol_error: " << e.what());
        BOOST_TEST((m.error == expect::protocol_error), m.name << ": protocol_error " << e.what());
        BOOST_TEST(std::string(e.what()).find(m.says) != std::string::npos, m.name << ": " << e.what());
    } catch (const asyncjobs::worker_crashed& e) {
        BOOST_TEST_MESSAGE(m.name << ": worker_crashed: " << e.what());
        BOOST_TEST((m.error == expect::worker_crashed), m.name << ": worker_crashed " << e.what());
        BOOST_TEST(std::string(e.what()).find(m.says) != std::string::npos, m.name << ": " << e.what());
    } catch (const asyncjobs::task_timeout& e) {
        BOOST_TEST_MESSAGE(m.name << ": task_timeout: " << e.what());
        BOOST_TEST((m.error == expect::task_timeout), m.name << ": task_timeout " << e.what());
        BOOST_TEST(std::string(e.what()).find(m.says) != std::string::npos, m.name << ": " << e.what());
    } catch (const std::exception& e) {
        BOOST_ERROR(m.name << ": an untyped error: " << e.what());
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(the_hostile_worker_behaves_when_not_asked_to_misbehave)
{
    process_pool_executor pool(hostile_options(1));
    BOOST_TEST(pool.submit(pt::add, 2, 40).get() == 42);
    BOOST_TEST(pool.submit(pt::greet, std::string("hostile")).get() == "hello, hostile");
    BOOST_TEST(pool.submit(pt::misbehave, 0).get() == 0);
    BOOST_CHECK_THROW(pool.submit(pt::throw_invalid_argument, 0).get(), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(each_misbehaviour_fails_its_call_and_the_pool_goes_on)
{
    // A pool with well-behaved workers runs alongside: nothing of the other pool leaks into it.
    process_pool_options normal;
    normal.max_workers = 2;
    normal.worker_executable = argument(2);
    process_pool_executor bystander(normal);
    std::vector<future<int>> bystander_work;

    std::set<long> seen;
    {
        process_pool_executor pool(hostile_options(1));
        for (const auto& m : misbehaviours) {
            BOOST_TEST_CONTEXT(m.name)
            {
                for (int i = 0; i < 10; ++i)
                    bystander_work.push_back(bystander.submit(pt::add, i, 1000));
                BOOST_TEST_REQUIRE(pool.submit(pt::add, 1, 2).get() == 3);
                auto before = pool.worker_pids();
                BOOST_TEST_REQUIRE(before.size() == 1u);
                seen.insert(before.begin(), before.end());

                auto bad = submit_misbehaviour(pool, m);
                // Queued behind it (in the same worker's pipeline, or in the pool's queue):
                // re-dispatched if the worker is killed, never failed with it.
                std::vector<future<int>> after;
                for (int i = 0; i < 5; ++i)
                    after.push_back(pool.submit(pt::add, i, 100));
                check_failure(bad, m);
                for (int i = 0; i < 5; ++i) {
                    require_ready(after[static_cast<std::size_t>(i)]);
                    BOOST_TEST(after[static_cast<std::size_t>(i)].get() == i + 100);
                }
                BOOST_TEST(pool.submit(pt::add, 20, 22).get() == 42);
                BOOST_TEST(eventually([&] { return pool.worker_pids().size() == 1u; }), "worker_pids recovers to 1");
                auto now = pool.worker_pids();
                seen.insert(now.begin(), now.end());
                if (m.kills_worker)
                    BOOST_TEST((now != before), "the misbehaving worker was replaced");
                else
                    BOOST_TEST((now == before), "a worker whose stream stayed intact is kept");
            }
        }
    }
    for (long pid : seen)
        BOOST_TEST(!alive(pid), "worker " << pid << " outlived its pool");
    BOOST_TEST(!has_zombie_children());
    for (std::size_t i = 0; i < bystander_work.size(); ++i)
        BOOST_TEST(bystander_work[i].get() == static_cast<int>(i % 10) + 1000);
    BOOST_TEST(bystander.submit(pt::add, 1, 1).get() == 2);
}

BOOST_AUTO_TEST_CASE(two_workers_keep_serving_while_they_misbehave_all_at_once)
{
    std::vector<long> pids;
    {
        process_pool_executor pool(hostile_options(2));
        std::vector<future<int>> good;
        std::vector<future<int>> bad;
        for (int round = 0; round < 2; ++round) {
            for (const auto& m : misbehaviours) {
                good.push_back(pool.submit(pt::add, round, 10));
                bad.push_back(submit_misbehaviour(pool, m));
                good.push_back(pool.submit(pt::add, 40, 9));
            }
        }
        for (std::size_t i = 0; i < bad.size(); ++i)
            check_failure(bad[i], misbehaviours[i % misbehaviours.size()]);
        for (std::size_t i = 0; i < good.size(); ++i) {
            require_ready(good[i]);
            int expected = i % 2 ? 49 : static_cast<int>(i / (2 * misbehaviours.size())) + 10;
            BOOST_TEST(good[i].get() == expected, "call " << i);
        }
        BOOST_TEST(pool.submit(pt::add, 20, 22).get() == 42);
        BOOST_TEST(eventually([&] { return pool.worker_pids().size() == 2u || pool.worker_pids().size() == 1u; }));
        pids = pool.worker_pids();
    }
    for (long pid : pids)
        BOOST_TEST(!alive(pid), "worker " << pid << " outlived its pool");
    BOOST_TEST(!has_zombie_children());
}
