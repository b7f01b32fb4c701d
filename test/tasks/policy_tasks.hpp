// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks of the process pool's policy suite (retries, statistics, the memory guard): each
// counts its tries in a file, so that a test knows how often it ran across workers.
#ifndef ASYNCJOBS_TEST_POLICY_TASKS_HPP
#define ASYNCJOBS_TEST_POLICY_TASKS_HPP

#include <cstdint>
#include <string>

namespace policy_tasks {

/// Tries so far of the tasks below that count in `counter` (its size in bytes).
int tries(const std::string& counter);
/// Appends one byte to `counter` (O_APPEND: one record per try, even across processes)
/// and returns the tries so far, this one included. For tasks of other suites too.
int count_try(const std::string& counter);

/// Counts this try in `counter`; on the first `deaths` tries the worker SIGKILLs itself,
/// after that it returns the number of tries.
int die_first_tries(std::string counter, int deaths);

/// Counts this try, then throws std::runtime_error("own failure").
int count_and_throw(std::string counter);

/// Counts this try; the first `slow` tries sleep `ms` milliseconds (to run past a timeout),
/// then it returns the number of tries.
int slow_first_tries(std::string counter, int slow, int ms);

/// Counts this try; the first one writes this worker's pid to `pid_file` (then renames it
/// into place, so a reader never sees half of it) and sleeps up to 60 s, to be killed from
/// outside; later tries return the number of tries.
int wait_to_be_killed(std::string counter, std::string pid_file);

/// Allocates and touches `bytes` and keeps them for the life of the worker; returns them.
std::uint64_t hold_memory(std::uint64_t bytes);

/// hold_memory(bytes), then sleeps `ms` milliseconds (for the memory limit to catch it).
std::uint64_t hold_memory_then_sleep(std::uint64_t bytes, int ms);

} // namespace policy_tasks

#endif
