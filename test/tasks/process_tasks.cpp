// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "process_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <new>
#include <numeric>
#include <stdexcept>
#include <thread>

#include <unistd.h>

namespace process_tasks {

struct custom_failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

int add(int a, int b) { return a + b; }
long long square(long long x) { return x * x; }
std::string greet(std::string name) { return "hello, " + name; }
point swap_point(point p) { return {p.y, p.x}; }
std::vector<std::uint64_t> echo_block(std::vector<std::uint64_t> block) { return block; }
std::uint64_t checksum(std::vector<std::uint64_t> block) { return std::accumulate(block.begin(), block.end(), std::uint64_t{0}); }
void do_nothing() {}
int throw_runtime(int) { throw std::runtime_error("runtime trouble"); }
int throw_invalid_argument(int) { throw std::invalid_argument("bad argument"); }
int throw_out_of_range(int) { throw std::out_of_range("too far"); }
int throw_bad_alloc(int) { throw std::bad_alloc(); }
int throw_custom(int) { throw custom_failure("custom trouble"); }
int exit_with(int code) { ::_exit(code); }
int abort_now(int) { std::abort(); }
int segfault_now(int)
{
    std::raise(SIGSEGV);
    return 0;
}
int sleep_ms(int ms)
{
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ms;
}
long self_pid(int) { return static_cast<long>(::getpid()); }
int print_and_return(int x)
{
    // Both streams, with bytes that look like a frame header: none of it may reach the protocol.
    std::cout << "AJ\x01\x03 task output " << x << std::endl;
    std::fprintf(stderr, "AJ task diagnostics %d\n", x);
    return x;
}
int fail_on_77(int x)
{
    if (x == 77)
        throw std::invalid_argument("77 is not allowed");
    return x * 2;
}
void throwing_initializer() { throw std::runtime_error("initializer refuses to start"); }
void quiet_initializer() {}
int misbehave(int mode) { return mode; }
std::string misbehave_text(int mode) { return std::to_string(mode); }

std::vector<std::uint64_t> make_block(std::uint64_t count)
{
    std::vector<std::uint64_t> block(count);
    std::iota(block.begin(), block.end(), std::uint64_t{0});
    return block;
}

int abort_on_5(int x)
{
    if (x == 5)
        std::abort();
    return x;
}

} // namespace process_tasks

ASYNCJOBS_TASK(process_tasks::add);
ASYNCJOBS_TASK(process_tasks::square);
ASYNCJOBS_TASK(process_tasks::greet);
ASYNCJOBS_TASK(process_tasks::swap_point);
ASYNCJOBS_TASK(process_tasks::echo_block);
ASYNCJOBS_TASK(process_tasks::checksum);
ASYNCJOBS_TASK(process_tasks::do_nothing);
ASYNCJOBS_TASK(process_tasks::throw_runtime);
ASYNCJOBS_TASK(process_tasks::throw_invalid_argument);
ASYNCJOBS_TASK(process_tasks::throw_out_of_range);
ASYNCJOBS_TASK(process_tasks::throw_bad_alloc);
ASYNCJOBS_TASK(process_tasks::throw_custom);
ASYNCJOBS_TASK(process_tasks::exit_with);
ASYNCJOBS_TASK(process_tasks::abort_now);
ASYNCJOBS_TASK(process_tasks::segfault_now);
ASYNCJOBS_TASK(process_tasks::sleep_ms);
ASYNCJOBS_TASK(process_tasks::self_pid);
ASYNCJOBS_TASK(process_tasks::print_and_return);
ASYNCJOBS_TASK(process_tasks::fail_on_77);
ASYNCJOBS_TASK(process_tasks::throwing_initializer);
ASYNCJOBS_TASK(process_tasks::quiet_initializer);
ASYNCJOBS_TASK(process_tasks::misbehave);
ASYNCJOBS_TASK(process_tasks::misbehave_text);
ASYNCJOBS_TASK(process_tasks::make_block);
ASYNCJOBS_TASK(process_tasks::abort_on_5);
