// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks for test_process_submit: the forms of ASYNCJOBS_TASK (an overloaded function, a
// template with commas) and a const reference parameter, registered in the runner and the
// worker alike (submit_tasks.cpp).
#ifndef ASYNCJOBS_TEST_PROCESS_SUBMIT_TASKS_HPP
#define ASYNCJOBS_TEST_PROCESS_SUBMIT_TASKS_HPP

#include <cstddef>
#include <vector>

namespace submit_tasks {

// Overloaded: each overload is registered through a cast, under a name of its own.
int area(int side);
double area(double side);

// Function templates: one with a comma in its template arguments.
template <class T, int Factor>
T scale(T x)
{
    return x * Factor;
}

template <class A, class B>
B widen_sum(A a, B b)
{
    return static_cast<B>(a) + b;
}

/// A const reference parameter: the worker gets a copy.
std::size_t total(const std::vector<int>& values);

} // namespace submit_tasks

#endif
