// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// shared_buffer: bytes in the parent's shared arena, handed to process-pool workers by
// handle (the worker reads and writes the same memory; a buffer it returns is the very one
// sent), by reference on a thread pool, by value in any other archive. Worker-made results,
// edge sizes, many buffers at once, workers that die holding one, forged handles,
// allocation failure, fork(), the memory guard. Run as: test_shared_buffer -- <test_worker>.
// The suite without_arena runs only by name, with ASYNCJOBS_SHARED_ARENA=off (its own test).
#define BOOST_TEST_MODULE shared_buffer
#include <boost/test/unit_test.hpp>

#include "buffer_tasks.hpp"
#include "process_tasks.hpp"
#include "support.hpp"

#include <asyncjobs/asyncjobs.hpp>
#include <asyncjobs/detail/codec.hpp>

#include "shared_arena.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
#define UNDER_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_THREAD_SANITIZER 1
#endif
#endif
#ifndef UNDER_THREAD_SANITIZER
#define UNDER_THREAD_SANITIZER 0
#endif

namespace bt = buffer_tasks;
using asyncjobs::shared_buffer;
using process_test::require_ready;

namespace {

asyncjobs::process_pool_options options(std::size_t workers)
{
    return process_test::pool_options(process_test::argument(1, "run as: test_shared_buffer -- <test_worker>"),
                                      workers);
}

const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));

/// This process's descriptors of the arena's memfd (its name shows in /proc/self/fd).
std::size_t arena_descriptors()
{
    std::size_t n = 0;
    for (auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        auto target = std::filesystem::read_symlink(entry.path(), ec).string();
        n += !ec && target.find("asyncjobs-shared-buffers") != std::string::npos;
    }
    return n;
}

/// This process's mappings of the arena.
std::size_t arena_mappings()
{
    std::ifstream maps("/proc/self/maps");
    std::size_t n = 0;
    for (std::string line; std::getline(maps, line);)
        n += line.find("asyncjobs-shared-buffers") != std::string::npos;
    return n;
}

/// A path in a fresh temporary directory, removed with it.
struct temp_path {
    std::filesystem::path dir;
    std::filesystem::path path;
    explicit temp_path(const char* name)
    {
        char pattern[] = "/tmp/asyncjobs-buffer-XXXXXX";
        dir = ::mkdtemp(pattern);
        path = dir / name;
    }
    ~temp_path() { std::filesystem::remove_all(dir); }
};

bool all_zero(const shared_buffer& b)
{
    for (std::byte x : b.span())
        if (x != std::byte{0})
            return false;
    return true;
}

const asyncjobs::detail::buffer_handle& handle_of(const shared_buffer& b)
{
    return asyncjobs::detail::buffer_access::block(b)->handle();
}

} // namespace

BOOST_AUTO_TEST_SUITE(in_process)

BOOST_AUTO_TEST_CASE(a_buffer_is_a_shared_reference_to_zeroed_bytes)
{
    shared_buffer empty;
    BOOST_TEST(empty.size() == 0u);
    BOOST_TEST(empty.data() == nullptr);
    BOOST_TEST(shared_buffer(0).empty());
    shared_buffer a(page + 1);
    BOOST_TEST(a.size() == page + 1);
    BOOST_TEST(a.in_shared_memory());
    BOOST_TEST(bt::first_mismatch(a, 0) < a.size());  // not the pattern: zeros
    BOOST_TEST(all_zero(a));
    shared_buffer b = a;  // the same bytes, not a copy
    BOOST_TEST(b.data() == a.data());
    BOOST_TEST(a.use_count() == 2);
    bt::write_pattern(b, 5);
    BOOST_TEST(bt::first_mismatch(a, 5) == a.size());
}

BOOST_AUTO_TEST_CASE(freed_buffers_give_their_pages_back_to_the_arena)
{
    std::size_t before = asyncjobs::detail::arena_bytes_in_use();
    {
        shared_buffer a(1), b(page), c(3 * page + 1);
        BOOST_TEST(asyncjobs::detail::arena_bytes_in_use() == before + 6 * page);
        BOOST_TEST(handle_of(b).offset % page == 0u);
    }
    BOOST_TEST(asyncjobs::detail::arena_bytes_in_use() == before);
}

BOOST_AUTO_TEST_CASE(a_reused_block_is_zeroed_again)
{
    // A freed block keeps its pages for the next buffer of its size: which must still
    // start as zeros. (`held` keeps the arena, which goes with its last buffer and pool.)
    shared_buffer held(1);
    for (int round = 0; round < 3; ++round) {
        shared_buffer b(5 * page);
        BOOST_TEST_REQUIRE(all_zero(b));
        bt::write_pattern(b, 99);
    }
}

BOOST_AUTO_TEST_CASE(a_buffer_larger_than_the_arena_is_a_typed_error_that_says_what_to_do)
{
    try {
        shared_buffer huge(std::size_t{1} << 60);
        BOOST_FAIL("a 2^60-byte buffer was allocated");
    } catch (const asyncjobs::shared_buffer_error& e) {
        BOOST_TEST(std::string(e.what()).find("free buffers you no longer need") != std::string::npos, e.what());
    }
    shared_buffer after(page);  // the arena is still usable
    BOOST_TEST(after.size() == page);
}

BOOST_AUTO_TEST_CASE(on_a_thread_pool_the_task_gets_the_same_buffer)
{
    asyncjobs::thread_pool_executor pool(2);
    asyncjobs::executor& ex = pool;
    shared_buffer b(10 * page);
    auto echoed = ex.submit(bt::echo, b);
    require_ready(echoed);
    BOOST_TEST((echoed.get() == b));
    auto filled = ex.submit(bt::fill, b, 9u);
    require_ready(filled);
    BOOST_TEST(filled.get() == reinterpret_cast<std::uintptr_t>(b.data()));
    BOOST_TEST(bt::first_mismatch(b, 9) == b.size());
}

BOOST_AUTO_TEST_CASE(an_archive_outside_a_process_pool_carries_the_bytes)
{
    // What mpi_executor and a user's own Boost.Serialization archive see: no arena.
    shared_buffer b(3 * page + 5);
    bt::write_pattern(b, 17);
    std::string encoded;
    asyncjobs::detail::encode_values(encoded, b);
    BOOST_TEST(encoded.size() > b.size());
    shared_buffer decoded;
    asyncjobs::detail::decode_values(std::as_bytes(std::span(encoded)), decoded);
    BOOST_TEST(decoded.size() == b.size());
    BOOST_TEST(decoded.data() != b.data());
    BOOST_TEST(bt::first_mismatch(decoded, 17) == b.size());
}

BOOST_AUTO_TEST_CASE(a_handle_read_outside_a_process_pool_is_refused)
{
    // tag 1 (a handle), then id, offset, size
    std::string encoded;
    std::uint8_t tag = 1;
    std::uint64_t id = 1, offset = 0, size = 4096;
    asyncjobs::detail::encode_values(encoded, tag, id, offset, size);
    shared_buffer decoded;
    BOOST_CHECK_EXCEPTION(asyncjobs::detail::decode_values(std::as_bytes(std::span(encoded)), decoded),
                          std::invalid_argument, [](const std::invalid_argument& e) {
                              return std::string(e.what()).find("only between a process pool") != std::string::npos;
                          });
    // a by-value length the input cannot back
    std::string lying;
    std::uint8_t value_tag = 0;
    std::uint64_t count = std::uint64_t{1} << 40;
    asyncjobs::detail::encode_values(lying, value_tag, count);
    BOOST_CHECK_THROW(asyncjobs::detail::decode_values(std::as_bytes(std::span(lying)), decoded), std::length_error);
}

BOOST_AUTO_TEST_CASE(a_fork_child_neither_frees_nor_reuses_the_parents_blocks)
{
    shared_buffer parent_buffer(4 * page);
    bt::write_pattern(parent_buffer, 33);
    std::size_t in_use = asyncjobs::detail::arena_bytes_in_use();
    pid_t child = ::fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
        // In the child: its copies of the parent's buffers die, and new ones go elsewhere.
        int code = 0;
        {
            shared_buffer mine(4 * page);
            if (mine.in_shared_memory())
                code = 1;  // the child allocated in the parent's arena
            bt::write_pattern(mine, 44);
            shared_buffer gone = std::move(parent_buffer);
        }
        std::_Exit(code);
    }
    int status = 0;
    BOOST_TEST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
    BOOST_TEST(bt::first_mismatch(parent_buffer, 33) == parent_buffer.size());
    BOOST_TEST(asyncjobs::detail::arena_bytes_in_use() == in_use);
    shared_buffer next(4 * page);
    BOOST_TEST(handle_of(next).offset != handle_of(parent_buffer).offset);
    BOOST_TEST(bt::first_mismatch(parent_buffer, 33) == parent_buffer.size());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(process_pool)

BOOST_AUTO_TEST_CASE(an_echoed_buffer_comes_back_as_the_same_memory)
{
    asyncjobs::process_pool_executor pool(options(1));
    asyncjobs::executor& ex = pool;
    shared_buffer sent(10 << 20);
    bt::write_pattern(sent, 1);
    auto f = ex.submit(bt::echo, sent);
    require_ready(f);
    shared_buffer back = f.get();
    BOOST_TEST((back == sent));
    BOOST_TEST(back.data() == sent.data());
    bt::write_pattern(back, 2);  // written through the returned buffer, seen through the sent one
    BOOST_TEST(bt::first_mismatch(sent, 2) == sent.size());
}

BOOST_AUTO_TEST_CASE(the_arena_closes_with_the_last_pool_and_buffer)
{
    // A program that drops its pools and buffers keeps no descriptor of the arena: a
    // descriptor count taken before the first pool matches the one after the last.
    const std::size_t fds_before = process_test::open_fds();
    {
        asyncjobs::process_pool_executor pool(options(2));
        shared_buffer sent(3 * page);
        bt::write_pattern(sent, 7);
        auto f = pool.submit(bt::echo, sent);
        require_ready(f);
        BOOST_TEST((f.get() == sent));
        BOOST_TEST(asyncjobs::detail::arena_bytes_in_use() >= 3 * page);
    }
    BOOST_TEST(asyncjobs::detail::arena_bytes_in_use() == 0u);
    BOOST_TEST(process_test::open_fds() == fds_before);
    BOOST_TEST(arena_descriptors() == 0u);
    BOOST_TEST(arena_mappings() == 0u);
    // And a new one is made on demand.
    asyncjobs::process_pool_executor pool(options(1));
    shared_buffer again(page);
    BOOST_TEST(again.in_shared_memory());
    auto f = pool.submit(bt::echo, again);
    require_ready(f);
    BOOST_TEST(f.get().data() == again.data());
}

BOOST_AUTO_TEST_CASE(a_worker_fills_the_buffer_in_place_at_every_edge_size)
{
    asyncjobs::process_pool_executor pool(options(1));
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, page - 1, page, page + 1, std::size_t{64} << 20}) {
        BOOST_TEST_CONTEXT("size " << size)
        {
            shared_buffer b(size);
            auto f = pool.submit(bt::fill, b, static_cast<std::uint32_t>(size));
            require_ready(f);
            f.get();
            BOOST_TEST(bt::first_mismatch(b, static_cast<std::uint32_t>(size)) == size);
            auto echoed = pool.submit(bt::echo, b);
            require_ready(echoed);
            BOOST_TEST((echoed.get() == b));
            auto checked = pool.submit(bt::check, b, static_cast<std::uint32_t>(size));
            require_ready(checked);
            BOOST_TEST(checked.get() == size);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_buffer_the_worker_makes_arrives_with_its_bytes)
{
    asyncjobs::process_pool_executor pool(options(1));
    for (std::size_t size : {std::size_t{1}, page + 1, std::size_t{10} << 20}) {
        auto f = pool.submit(bt::make, static_cast<std::uint64_t>(size), 77u);
        require_ready(f);
        shared_buffer b = f.get();
        BOOST_TEST(b.size() == size);
        BOOST_TEST(b.in_shared_memory());  // in the parent's arena: it can be sent on by handle
        BOOST_TEST(bt::first_mismatch(b, 77) == size);
        auto echoed = pool.submit(bt::echo, b);
        require_ready(echoed);
        BOOST_TEST((echoed.get() == b));
    }
}

BOOST_AUTO_TEST_CASE(a_worker_that_cannot_allocate_a_buffer_fails_its_call_with_the_typed_error)
{
    asyncjobs::process_pool_executor pool(options(1));
    auto f = pool.submit(bt::make, std::uint64_t{1} << 60, 1u);
    require_ready(f);
    try {
        f.get();
        BOOST_FAIL("a 2^60-byte buffer was made");
    } catch (const asyncjobs::shared_buffer_error& e) {
        BOOST_TEST(std::string(e.what()).find("free buffers you no longer need") != std::string::npos, e.what());
    }
    auto next = pool.submit(bt::make, std::uint64_t{page}, 2u);  // the worker goes on
    require_ready(next);
    BOOST_TEST(bt::first_mismatch(next.get(), 2) == page);
}

BOOST_AUTO_TEST_CASE(many_buffers_at_once_each_come_back_filled)
{
    asyncjobs::process_pool_executor pool(options(2));
    std::vector<shared_buffer> buffers;
    std::vector<asyncjobs::future<std::uint64_t>> fills;
    std::vector<asyncjobs::future<shared_buffer>> echoes;
    for (std::uint32_t i = 0; i < 64; ++i) {
        buffers.emplace_back(page * (i % 7) + i + 1);
        fills.push_back(pool.submit(bt::fill, buffers.back(), i));
        echoes.push_back(pool.submit(bt::echo, buffers.back()));
    }
    for (std::uint32_t i = 0; i < 64; ++i) {
        require_ready(fills[i]);
        fills[i].get();
        require_ready(echoes[i]);
        BOOST_TEST((echoes[i].get() == buffers[i]));
        BOOST_TEST(bt::first_mismatch(buffers[i], i) == buffers[i].size());
    }
}

BOOST_AUTO_TEST_CASE(a_call_keeps_its_buffer_alive_after_the_caller_drops_it)
{
    asyncjobs::process_pool_executor pool(options(1));
    temp_path go("go");
    std::size_t before = asyncjobs::detail::arena_bytes_in_use();
    {
        // The caller keeps neither the buffer nor the future.
        shared_buffer dropped(8 * page);
        (void)pool.submit(bt::fill_when, dropped, 5u, go.path.string());
    }
    // Were the block freed, this one would take its pages, and the worker would write here.
    shared_buffer other(8 * page);
    std::ofstream(go.path.string()).put('1');
    auto after = pool.submit(bt::check, other, 5u);  // one worker: runs after fill_when
    require_ready(after);
    BOOST_TEST(after.get() == 0u);  // other's first byte is not the pattern
    BOOST_TEST(all_zero(other));
    other = shared_buffer();
    after = {};
    BOOST_TEST(process_test::eventually([&] { return asyncjobs::detail::arena_bytes_in_use() == before; }));
}

BOOST_AUTO_TEST_CASE(a_worker_that_dies_holding_a_buffer_leaves_it_intact_and_retries_work)
{
    temp_path counter("counter");
    shared_buffer b(3 * page + 3);
    bt::write_pattern(b, 21);
    {
        asyncjobs::process_pool_executor pool(options(1));
        auto f = pool.submit(bt::check_dying_first, b, 21u, counter.path.string(), 1);
        require_ready(f);
        BOOST_CHECK_THROW(f.get(), asyncjobs::worker_crashed);
        BOOST_TEST(bt::first_mismatch(b, 21) == b.size());
    }
    std::filesystem::remove(counter.path);
    auto o = options(1);
    o.retries = 1;
    asyncjobs::process_pool_executor pool(o);
    auto f = pool.submit(bt::check_dying_first, b, 21u, counter.path.string(), 1);
    require_ready(f);
    BOOST_TEST(f.get() == b.size());  // the second worker found the bytes intact
    BOOST_TEST(bt::first_mismatch(b, 21) == b.size());
}

BOOST_AUTO_TEST_CASE(forged_handles_in_a_reply_fail_that_call_with_a_protocol_error)
{
    asyncjobs::process_pool_executor pool(options(1));
    shared_buffer live(2 * page);
    bt::write_pattern(live, 3);
    const auto h = handle_of(live);
    std::uint64_t freed_id = 0, freed_offset = 0;
    {
        shared_buffer gone(page);
        freed_id = handle_of(gone).id;
        freed_offset = handle_of(gone).offset;
    }
    struct forged {
        const char* what;
        std::uint64_t id, offset, size;
        const char* says;
    };
    const forged cases[] = {
        {"a wrong id for a live block", h.id + 1000, h.offset, h.size, "names no live buffer"},
        {"a wrong size for a live block", h.id, h.offset, h.size + 1, "names no live buffer"},
        {"a freed block", freed_id, freed_offset, page, "names no live buffer"},
        {"an offset past the arena", h.id, std::uint64_t{1} << 62, page, "outside this process's arena"},
        {"a size past the arena", h.id, h.offset, ~std::uint64_t{0} - 5, "outside this process's arena"},
        {"size 0", h.id, h.offset, 0, "outside this process's arena"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.what)
        {
            auto f = pool.submit(bt::forge, c.id, c.offset, c.size);
            require_ready(f);
            try {
                f.get();
                BOOST_FAIL("a forged handle was accepted");
            } catch (const asyncjobs::protocol_error& e) {
                BOOST_TEST(std::string(e.what()).find(c.says) != std::string::npos, e.what());
            }
        }
    }
    BOOST_TEST(bt::first_mismatch(live, 3) == live.size());
    auto echoed = pool.submit(bt::echo, live);  // the pool goes on
    require_ready(echoed);
    BOOST_TEST((echoed.get() == live));
}

BOOST_AUTO_TEST_CASE(the_memory_guard_does_not_count_the_pages_of_a_shared_buffer)
{
    // A worker that maps and writes 128 MiB of shared_buffer stays under a 96 MiB limit on
    // its own memory: those pages are the parent's arena, and killing it would free none.
#if UNDER_THREAD_SANITIZER
    // ThreadSanitizer shadows every byte written with private memory of several times its
    // size: the worker's own memory then really grows with the buffer.
    BOOST_TEST_MESSAGE("skipped under ThreadSanitizer: its shadow of the buffer is the worker's own memory");
    return;
#endif
    auto probe_options = options(1);
    asyncjobs::process_pool_executor probe(probe_options);
    auto pid = probe.submit(process_tasks::add, 1, 1);
    require_ready(pid);
    std::uint64_t baseline = probe.stats().per_worker.at(0).resident_bytes;
    probe.shutdown();

    auto o = options(1);
    o.memory_limit = baseline + (96u << 20);
    asyncjobs::process_pool_executor pool(o);
    shared_buffer big(128u << 20);
    // Held 300 ms so that the guard (every 10 ms) looks at it while the pages are mapped.
    auto f = pool.submit(bt::fill_and_hold, big, 8u, 300);
    require_ready(f);
    BOOST_TEST(f.get() == big.size());
    BOOST_TEST(bt::first_mismatch(big, 8) == big.size());
}

BOOST_AUTO_TEST_SUITE_END()

// Run by name only, with ASYNCJOBS_SHARED_ARENA=off (CTest's asyncjobs.shared_buffer.no_arena).
BOOST_AUTO_TEST_SUITE(without_arena, *boost::unit_test::disabled())

BOOST_AUTO_TEST_CASE(buffers_live_on_the_heap_and_cross_by_value)
{
    const char* setting = std::getenv("ASYNCJOBS_SHARED_ARENA");
    BOOST_TEST_REQUIRE((setting && std::string(setting) == "off"), "run with ASYNCJOBS_SHARED_ARENA=off");
    shared_buffer b(page + 1);
    BOOST_TEST(!b.in_shared_memory());
    bt::write_pattern(b, 6);
    asyncjobs::process_pool_executor pool(options(1));
    auto echoed = pool.submit(bt::echo, b);
    require_ready(echoed);
    shared_buffer back = echoed.get();
    BOOST_TEST(!(back == b));  // a copy
    BOOST_TEST(bt::first_mismatch(back, 6) == b.size());
    auto made = pool.submit(bt::make, std::uint64_t{3 * page}, 7u);
    require_ready(made);
    BOOST_TEST(bt::first_mismatch(made.get(), 7) == 3 * page);
    // In place is not possible without shared memory: the worker fills its own copy.
    auto filled = pool.submit(bt::fill, b, 8u);
    require_ready(filled);
    filled.get();
    BOOST_TEST(bt::first_mismatch(b, 6) == b.size());
}

BOOST_AUTO_TEST_SUITE_END()
