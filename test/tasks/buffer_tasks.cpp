// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "buffer_tasks.hpp"
#include "policy_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <thread>

#include <unistd.h>

namespace buffer_tasks {

void write_pattern(const asyncjobs::shared_buffer& b, std::uint32_t seed) noexcept
{
    std::byte* at = b.data();
    for (std::size_t i = 0; i < b.size(); ++i)
        at[i] = pattern_byte(i, seed);
}

std::size_t first_mismatch(const asyncjobs::shared_buffer& b, std::uint32_t seed) noexcept
{
    const std::byte* at = b.data();
    for (std::size_t i = 0; i < b.size(); ++i)
        if (at[i] != pattern_byte(i, seed))
            return i;
    return b.size();
}

asyncjobs::shared_buffer echo(asyncjobs::shared_buffer b) { return b; }

std::uint64_t fill(asyncjobs::shared_buffer b, std::uint32_t seed)
{
    write_pattern(b, seed);
    return reinterpret_cast<std::uintptr_t>(b.data());
}

asyncjobs::shared_buffer make(std::uint64_t size, std::uint32_t seed)
{
    asyncjobs::shared_buffer b(static_cast<std::size_t>(size));
    write_pattern(b, seed);
    return b;
}

std::uint64_t check(asyncjobs::shared_buffer b, std::uint32_t seed) { return first_mismatch(b, seed); }

std::uint64_t check_dying_first(asyncjobs::shared_buffer b, std::uint32_t seed, std::string counter, int deaths)
{
    std::uint64_t result = first_mismatch(b, seed);
    if (policy_tasks::count_try(counter) <= deaths)
        ::raise(SIGKILL);
    return result;
}

std::uint64_t fill_when(asyncjobs::shared_buffer b, std::uint32_t seed, std::string go)
{
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!std::filesystem::exists(go) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    write_pattern(b, seed);
    return b.size();
}

std::uint64_t fill_and_hold(asyncjobs::shared_buffer b, std::uint32_t seed, int hold_ms)
{
    write_pattern(b, seed);
    std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
    return first_mismatch(b, seed);
}

namespace {
/// A block that claims to be a range of the parent's arena it is not.
class forged_block final : public asyncjobs::detail::buffer_block {
public:
    explicit forged_block(asyncjobs::detail::buffer_handle h)
        : buffer_block(nullptr, 0, asyncjobs::detail::block_origin::mapped, h)
    {
    }
};
} // namespace

asyncjobs::shared_buffer forge(std::uint64_t id, std::uint64_t offset, std::uint64_t size)
{
    return asyncjobs::detail::buffer_access::wrap(
        std::make_shared<forged_block>(asyncjobs::detail::buffer_handle{id, offset, size}));
}

} // namespace buffer_tasks

ASYNCJOBS_TASK(buffer_tasks::echo);
ASYNCJOBS_TASK(buffer_tasks::fill);
ASYNCJOBS_TASK(buffer_tasks::make);
ASYNCJOBS_TASK(buffer_tasks::check);
ASYNCJOBS_TASK(buffer_tasks::check_dying_first);
ASYNCJOBS_TASK(buffer_tasks::fill_when);
ASYNCJOBS_TASK(buffer_tasks::fill_and_hold);
ASYNCJOBS_TASK(buffer_tasks::forge);
