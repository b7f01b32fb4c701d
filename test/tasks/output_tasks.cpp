// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "output_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <cstdio>

namespace output_tasks {

int print_unflushed(std::string text)
{
    std::fputs(text.c_str(), stdout);
    return static_cast<int>(text.size());
}

} // namespace output_tasks

ASYNCJOBS_TASK(output_tasks::print_unflushed);
