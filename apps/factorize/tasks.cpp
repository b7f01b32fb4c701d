// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "tasks.hpp"

#include <asyncjobs/task.hpp>

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

// Qualified names differ between files that use them; register under fixed names.
ASYNCJOBS_TASK_NAMED(factor_item, "factorize::factor_item");
ASYNCJOBS_TASK_NAMED(factor_chunk, "factorize::factor_chunk");

} // namespace factorize
