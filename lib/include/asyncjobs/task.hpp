// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_TASK_HPP
#define ASYNCJOBS_TASK_HPP

#include <asyncjobs/detail/task_registry.hpp>

/// Registers the free function `fn` under the stable name "fn" (as written), so that a
/// process pool's workers can run it: `ASYNCJOBS_TASK(fn)` at namespace scope, in the
/// file that defines `fn` or any other file of the program. Its argument and result
/// types must be serializable with Boost.Serialization, and it takes no parameter by
/// non-const reference (a worker cannot write to the caller's objects: return the result);
/// submit(fn, args...) then compiles and behaves the same on a thread pool and a process pool.
///
/// The argument is an expression naming one function; what it can be:
///
///     ASYNCJOBS_TASK(fn);                 // a function
///     ASYNCJOBS_TASK(geometry::area);     // a qualified name
///     ASYNCJOBS_TASK(scale<int, 2>);      // a function template specialization: commas are fine
///     // an overloaded name needs a cast that picks one overload, and a name of its own:
///     ASYNCJOBS_TASK_NAMED(static_cast<double (*)(double)>(area), "area(double)");
///     // commas outside parentheses in ASYNCJOBS_TASK_NAMED: parenthesize the expression
///     ASYNCJOBS_TASK_NAMED((static_cast<std::pair<int, int> (*)(int)>(split)), "split(int)");
///
/// An overloaded name without a cast (or a lambda, or a function object) does not compile;
/// the error names asyncjobs::detail::ASYNCJOBS_TASK_needs_one_function_cast_an_overloaded_name,
/// which stands for the advice above. The registered name is the text as written (spaces
/// normalized): write it the same way wherever the function is registered, or use
/// ASYNCJOBS_TASK_NAMED.
#define ASYNCJOBS_TASK(...) ASYNCJOBS_TASK_NAMED((__VA_ARGS__), #__VA_ARGS__)

/// ASYNCJOBS_TASK with an explicit name: for functions whose spelling differs between
/// translation units (a qualified name in one, an unqualified one in another), and for an
/// overloaded function, given as a cast to the pointer type of the overload to register.
#define ASYNCJOBS_TASK_NAMED(fn, name)                                                                             \
    [[maybe_unused]] static const ::asyncjobs::detail::task_registration<                                          \
        ::asyncjobs::detail::ASYNCJOBS_TASK_needs_one_function_cast_an_overloaded_name(fn)>                       \
        ASYNCJOBS_TASK_CONCAT(asyncjobs_task_registration_, __COUNTER__)                                           \
    {                                                                                                              \
        name                                                                                                       \
    }

#define ASYNCJOBS_TASK_CONCAT_IMPL(a, b) a##b
#define ASYNCJOBS_TASK_CONCAT(a, b) ASYNCJOBS_TASK_CONCAT_IMPL(a, b)

#endif
