// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks registered in both the process-pool test runners and their worker executable, test_worker.
#ifndef ASYNCJOBS_TEST_PROCESS_TASKS_HPP
#define ASYNCJOBS_TEST_PROCESS_TASKS_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace process_tasks {

struct point {
    int x = 0;
    int y = 0;
    template <class Archive>
    void serialize(Archive& archive, unsigned)
    {
        archive & x & y;
    }
    friend bool operator==(const point&, const point&) = default;
};

int add(int a, int b);
long long square(long long x);
std::string greet(std::string name);
point swap_point(point p);
std::vector<std::uint64_t> echo_block(std::vector<std::uint64_t> block);
std::uint64_t checksum(std::vector<std::uint64_t> block);
void do_nothing();
int throw_runtime(int);
int throw_invalid_argument(int);
int throw_out_of_range(int);
int throw_bad_alloc(int);
int throw_custom(int);
int exit_with(int code);
int abort_now(int);
int segfault_now(int);
int sleep_ms(int ms);
long self_pid(int);
int print_and_return(int x);
int fail_on_77(int x);
void throwing_initializer();
void quiet_initializer();
// hostile_worker (test_hostile_worker.cpp) breaks the protocol on these in the way `mode`
// says; a well-behaved worker returns `mode`, or its decimal text.
int misbehave(int mode);
std::string misbehave_text(int mode);

/// A block of `count` values 0, 1, 2, ... made in the worker: a large result from a small call.
std::vector<std::uint64_t> make_block(std::uint64_t count);

/// Returns x, except that the worker aborts on 5.
int abort_on_5(int x);

} // namespace process_tasks

#endif
