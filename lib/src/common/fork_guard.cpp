// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "fork_guard.hpp"

#include <asyncjobs/errors.hpp>

#include <array>
#include <atomic>
#include <cstddef>

#include <pthread.h>

namespace asyncjobs::detail {

namespace {

std::atomic<unsigned> fork_generation{0};

void on_fork_child() noexcept { fork_generation.fetch_add(1, std::memory_order_relaxed); }

unsigned current_generation() noexcept
{
    // Registered before the first guard exists, so every fork after it is counted.
    static const bool registered = ::pthread_atfork(nullptr, nullptr, &on_fork_child) == 0;
    (void)registered;
    return fork_generation.load(std::memory_order_relaxed);
}

// Engines a forked child will never destroy. Plain pointers in static storage: nothing runs
// at exit, and a leak checker sees them reachable.
std::array<std::atomic<scheduler*>, 64> kept{};

} // namespace

fork_guard::fork_guard() noexcept : generation_(current_generation()) {}

bool fork_guard::forked() const noexcept { return current_generation() != generation_; }

void fork_guard::throw_if_forked() const
{
    if (forked())
        throw forked_executor();
}

void keep_forever(const scheduler_ptr& engine) noexcept
{
    if (!engine)
        return;
    intrusive_ptr_add_ref(engine.get());
    for (auto& slot : kept) {
        scheduler* empty = nullptr;
        if (slot.compare_exchange_strong(empty, engine.get()))
            return;
    }
}

} // namespace asyncjobs::detail
