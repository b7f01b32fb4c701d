// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "submit_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <boost/serialization/vector.hpp>

#include <numeric>

namespace submit_tasks {

int area(int side) { return side * side; }
double area(double side) { return side * side / 2; }

std::size_t total(const std::vector<int>& values)
{
    return static_cast<std::size_t>(std::accumulate(values.begin(), values.end(), 0));
}

} // namespace submit_tasks

ASYNCJOBS_TASK_NAMED(static_cast<int (*)(int)>(submit_tasks::area), "submit_tasks::area(int)");
ASYNCJOBS_TASK_NAMED(static_cast<double (*)(double)>(submit_tasks::area), "submit_tasks::area(double)");
ASYNCJOBS_TASK(submit_tasks::scale<long, 3>);
ASYNCJOBS_TASK_NAMED((submit_tasks::widen_sum<int, long>), "submit_tasks::widen_sum");
ASYNCJOBS_TASK(submit_tasks::total);
