// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/errors.hpp>

#include "task_lookup.hpp"

#include <boost/core/demangle.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <typeinfo>

#include <dlfcn.h>

namespace asyncjobs::detail {

task_registry& task_registry::instance() noexcept
{
    static task_registry registry;
    return registry;
}

void task_registry::add(task_entry entry)
{
    std::unique_lock lock(mutex_);
    auto found = by_name_.find(entry.name);
    if (found != by_name_.end()) {
        // The same function registered twice (ASYNCJOBS_TASK in two files) is harmless;
        // two functions under one name would run the wrong code in the worker.
        if (found->second.address != entry.address &&
            std::find(duplicates_.begin(), duplicates_.end(), entry.name) == duplicates_.end())
            duplicates_.push_back(entry.name);
        return;
    }
    auto address = entry.address;
    auto [it, inserted] = by_name_.emplace(entry.name, std::move(entry));
    by_address_.emplace(address, &it->second);
}

const task_entry* task_registry::find(std::string_view name) const
{
    std::shared_lock lock(mutex_);
    auto it = by_name_.find(std::string(name));
    return it == by_name_.end() ? nullptr : &it->second;
}

const task_entry* task_registry::find(std::uintptr_t address) const
{
    std::shared_lock lock(mutex_);
    auto it = by_address_.find(address);
    return it == by_address_.end() ? nullptr : it->second;
}

std::uint64_t task_registry::fingerprint() const
{
    std::shared_lock lock(mutex_);
    std::vector<const task_entry*> entries;
    entries.reserve(by_name_.size());
    for (auto& [name, entry] : by_name_)
        entries.push_back(&entry);
    std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->name < b->name; });
    // FNV-1a: stable across runs and builds, unlike std::hash.
    std::uint64_t hash = 0xcbf29ce484222325ull;
    auto mix = [&](std::string_view text) {
        for (unsigned char c : text) {
            hash ^= c;
            hash *= 0x100000001b3ull;
        }
        hash ^= 0xff;
        hash *= 0x100000001b3ull;
    };
    for (auto* e : entries) {
        mix(e->name);
        mix(e->signature);
    }
    return hash;
}

std::vector<std::string> task_registry::duplicates() const
{
    std::shared_lock lock(mutex_);
    auto out = duplicates_;
    std::sort(out.begin(), out.end());
    return out;
}

std::string describe_function(std::uintptr_t function, const std::type_info& type)
{
    std::string kind = "of type '" + boost::core::demangle(type.name()) + "'";
    if (const task_entry* entry = task_registry::instance().find(function))
        return "task '" + entry->name + "' (" + kind + ")";
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(function), &info) && info.dli_sname) {
        // Named first: "'" + a temporary inserts at its front, which GCC 12 misreads (-Wrestrict).
        std::string symbol = boost::core::demangle(info.dli_sname);
        return "'" + symbol + "' (" + kind + ")";
    }
    // A function of the executable itself has no dynamic symbol unless it was linked
    // with -rdynamic (CMake: ENABLE_EXPORTS): its type and address are what is known.
    char address[2 + 2 * sizeof(std::uintptr_t) + 1];
    std::snprintf(address, sizeof address, "%#jx", static_cast<std::uintmax_t>(function));
    return "the function " + kind + " at " + address;
}

namespace {

/// What to write in ASYNCJOBS_TASK(...): the demangled symbol without its parameters.
std::string registration_hint(std::uintptr_t function)
{
    Dl_info info{};
    if (!::dladdr(reinterpret_cast<void*>(function), &info) || !info.dli_sname)
        return "<function>";
    std::string name = boost::core::demangle(info.dli_sname);
    if (auto paren = name.find('('); paren != std::string::npos && paren > 0)
        name.resize(paren);
    return name;
}

} // namespace

const task_entry& registered_entry(std::uintptr_t function, const std::type_info& type, const char* what)
{
    if (const task_entry* entry = task_registry::instance().find(function))
        return *entry;
    throw task_not_registered(std::string("asyncjobs: ") + what + " is " + describe_function(function, type) +
                              ", which is not registered for process pools. Fix: add ASYNCJOBS_TASK(" +
                              registration_hint(function) +
                              ") at namespace scope in the program (and in the worker executable, if it is a "
                              "separate one); see <asyncjobs/task.hpp> for overloaded functions and templates");
}

sendable_call sendable_call_of(state_base& task, const task_options& options, const char* executor)
{
    remote_call* remote = task.as_remote_call();
    if (!remote)
        throw task_not_registered(std::string("asyncjobs: ") + executor +
                                  " runs plain functions registered with ASYNCJOBS_TASK, and this task is a lambda, a "
                                  "function object or a function taking a std::stop_token; register a free function "
                                  "with ASYNCJOBS_TASK(fn) and submit(fn, args...)");
    if (options.timeout && options.timeout->count() <= 0)
        throw std::invalid_argument("asyncjobs: task_options::timeout must be positive (it is " +
                                    std::to_string(options.timeout->count()) + " ms); leave it unset for no timeout");
    if (options.retries && *options.retries > task_max_retries)
        throw std::invalid_argument("asyncjobs: task_options::retries must be at most " +
                                    std::to_string(task_max_retries) + " (it is " + std::to_string(*options.retries) +
                                    "; a negative number converted to unsigned?)");
    if (options.retry_backoff && options.retry_backoff->count() < 0)
        throw std::invalid_argument("asyncjobs: task_options::retry_backoff must not be negative (it is " +
                                    std::to_string(options.retry_backoff->count()) + " ms)");
    if (remote->shares_caller_objects())
        throw std::invalid_argument(
            std::string("asyncjobs: ") + executor + ": " + describe_function(remote->function(), remote->function_type()) +
            " was submitted with std::ref / std::cref arguments, which refer to objects of this process that another "
            "process cannot reach. Fix: pass the values themselves (a const reference parameter receives a copy "
            "where the task runs) and return what the function computes instead of writing through a reference");
    return {remote, registered_entry(remote->function(), remote->function_type(), "the submitted task")};
}

} // namespace asyncjobs::detail
