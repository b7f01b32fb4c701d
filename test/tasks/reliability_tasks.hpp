// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks of the reliability suites, registered in the test runners and in test_worker (test/tasks).
#ifndef ASYNCJOBS_TEST_RELIABILITY_TASKS_HPP
#define ASYNCJOBS_TEST_RELIABILITY_TASKS_HPP

#include <cstdint>
#include <string>

namespace reliability_tasks {

/// The answer chaos_step(id, ...) must return: a value derived from the task's unique id.
constexpr std::uint64_t answer(std::uint64_t id) noexcept
{
    std::uint64_t x = id + 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

enum chaos_mode : int { normal = 0, self_abort = 1, self_exit = 2 };
/// The exit code of a chaos_step in self_exit mode.
inline constexpr int self_exit_code = 3;

/// Appends `id` to the execution log `log` (8 bytes, O_APPEND: one atomic record per
/// execution), then aborts, _exits, or spins `spin_us` microseconds and returns answer(id).
std::uint64_t chaos_step(std::uint64_t id, int mode, int spin_us, std::string log);

/// Creates `dir`/<pid>, then waits (up to 30 s) until `dir` holds `n` entries: n tasks that
/// all return prove n workers ran at once. Returns this worker's pid, or -1 on time-out.
long rendezvous(std::string dir, int n);

int add(int a, int b);
int add_one(int x);
int sleep_ms(int ms);
long self_pid(int);

} // namespace reliability_tasks

#endif
