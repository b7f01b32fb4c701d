// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/task_registry.hpp>

#include <algorithm>
#include <mutex>

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

} // namespace asyncjobs::detail
