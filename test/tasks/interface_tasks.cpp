// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "interface_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace interface_tasks {

namespace {

void create(const std::string& path) { std::ofstream(path).flush(); }

} // namespace

int value(int x) { return x; }
int add(int a, int b) { return a + b; }
int increment(int x) { return x + 1; }
int square(int x) { return x * x; }
long square_long(int x) { return long{x} * x; }
int fail_at_5_and_8(int x)
{
    if (x == 5)
        throw std::out_of_range("five");
    if (x == 8)
        throw std::logic_error("eight");
    return x;
}
std::string text(std::string s) { return s; }
void nothing() {}

int fail(std::string type, std::string what)
{
    if (type == "invalid_argument")
        throw std::invalid_argument(what);
    if (type == "length_error")
        throw std::length_error(what);
    if (type == "out_of_range")
        throw std::out_of_range(what);
    if (type == "range_error")
        throw std::range_error(what);
    throw std::runtime_error(what);
}

void fail_void(std::string type, std::string what) { (void)fail(std::move(type), std::move(what)); }

int mark_run(std::string path, int x)
{
    create(path);
    return x;
}

void mark_run_void(std::string path) { create(path); }

bool hold(std::string started, std::string release)
{
    create(started);
    // Polling: a file has no event to wait on across processes. Bounded like test::gate.
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!std::filesystem::exists(release)) {
        if (std::chrono::steady_clock::now() > give_up)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

int hold_then_value(std::string started, std::string release, int x) { return hold(started, release) ? x : -1; }

} // namespace interface_tasks

ASYNCJOBS_TASK(interface_tasks::value);
ASYNCJOBS_TASK(interface_tasks::add);
ASYNCJOBS_TASK(interface_tasks::increment);
ASYNCJOBS_TASK(interface_tasks::square);
ASYNCJOBS_TASK(interface_tasks::square_long);
ASYNCJOBS_TASK(interface_tasks::fail_at_5_and_8);
ASYNCJOBS_TASK(interface_tasks::text);
ASYNCJOBS_TASK(interface_tasks::nothing);
ASYNCJOBS_TASK(interface_tasks::fail);
ASYNCJOBS_TASK(interface_tasks::fail_void);
ASYNCJOBS_TASK(interface_tasks::mark_run);
ASYNCJOBS_TASK(interface_tasks::mark_run_void);
ASYNCJOBS_TASK(interface_tasks::hold);
ASYNCJOBS_TASK(interface_tasks::hold_then_value);
