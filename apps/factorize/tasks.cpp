// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "tasks.hpp"

#include <asyncjobs/task.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace factorize {

item_result factor_item(work_item item)
{
    if (item.flags & work_item::crash_me)
        std::abort();  // --crash-on: the worker dies with SIGABRT, as a real crash would
    return {item.index, factorize(item.n, (item.flags & work_item::use_rho) ? algorithm::rho : algorithm::trial)};
}

std::vector<item_result> factor_chunk(std::vector<work_item> items)
{
    std::vector<item_result> results;
    results.reserve(items.size());
    for (const auto& item : items)
        results.push_back(factor_item(item));
    return results;
}

std::vector<u64> factor_batch(number_batch batch)
{
    algorithm algo = (batch.flags & work_item::use_rho) ? algorithm::rho : algorithm::trial;
    std::vector<u64> flat;
    flat.reserve(batch.numbers.size() * 4);
    u64 factors[max_factors];
    for (u64 n : batch.numbers) {
        if (batch.crash && n == batch.crash_on)
            std::abort();
        std::size_t k = factor_into(n, algo, factors);
        flat.push_back(k);
        flat.insert(flat.end(), factors, factors + k);
    }
    return flat;
}

namespace {

/// "n: p1 p2 ...\n" at p, which has room for 32 + 21 * k characters.
char* format_line(char* p, char* end, u64 n, const u64* factors, std::size_t k)
{
    p = std::to_chars(p, end, n).ptr;
    *p++ = ':';
    for (std::size_t i = 0; i < k; ++i) {
        *p++ = ' ';
        p = std::to_chars(p, end, factors[i]).ptr;
    }
    *p++ = '\n';
    return p;
}

} // namespace

void format_numbers_into(const std::vector<u64>& numbers, algorithm algo, text_buffer& out)
{
    out.size = 0;
    u64 factors[max_factors];
    for (u64 n : numbers) {
        std::size_t k = factor_into(n, algo, factors);
        if (out.capacity - out.size < 32 + 21 * k) {
            std::size_t grown = std::max({out.capacity * 2, numbers.size() * 32, out.size + 32 + 21 * k});
            auto bigger = std::make_unique_for_overwrite<char[]>(grown);
            std::copy_n(out.data.get(), out.size, bigger.get());
            out.data = std::move(bigger);
            out.capacity = grown;
        }
        char* p = format_line(out.data.get() + out.size, out.data.get() + out.capacity, n, factors, k);
        out.size = static_cast<std::size_t>(p - out.data.get());
    }
}

std::string format_numbers(const std::vector<u64>& numbers, algorithm algo)
{
    std::string text;
    text.resize(numbers.size() * 24);
    std::size_t used = 0;
    u64 factors[max_factors];
    for (u64 n : numbers) {
        std::size_t k = factor_into(n, algo, factors);
        if (text.size() - used < 32 + 21 * k)
            text.resize(std::max(text.size() * 2, used + 32 + 21 * k));
        char* p = format_line(text.data() + used, text.data() + text.size(), n, factors, k);
        used = static_cast<std::size_t>(p - text.data());
    }
    text.resize(used);
    return text;
}

std::string format_batch(number_batch batch)
{
    if (batch.crash)
        for (u64 n : batch.numbers)
            if (n == batch.crash_on)
                std::abort();
    return format_numbers(batch.numbers, (batch.flags & work_item::use_rho) ? algorithm::rho : algorithm::trial);
}

// Qualified names differ between files that use them; register under fixed names.
ASYNCJOBS_TASK_NAMED(factor_item, "factorize::factor_item");
ASYNCJOBS_TASK_NAMED(factor_chunk, "factorize::factor_chunk");
ASYNCJOBS_TASK_NAMED(factor_batch, "factorize::factor_batch");
ASYNCJOBS_TASK_NAMED(format_batch, "factorize::format_batch");

} // namespace factorize
