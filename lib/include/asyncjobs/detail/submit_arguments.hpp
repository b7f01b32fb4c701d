// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_SUBMIT_ARGUMENTS_HPP
#define ASYNCJOBS_DETAIL_SUBMIT_ARGUMENTS_HPP

#include <asyncjobs/detail/task.hpp>
#include <asyncjobs/detail/task_entry.hpp>

#include <functional>
#include <stop_token>
#include <type_traits>

namespace asyncjobs::detail {

// How submit(f, args...) passes arguments: as std::thread does. Each argument is copied
// (or moved) into the task, and the task hands the copy to `f`; std::ref / std::cref pass
// the caller's object itself. A copy that a non-const reference parameter would modify is
// thrown away with the task, so such a parameter without std::ref does not compile.

template <class Param>
inline constexpr bool is_mutable_lvalue_reference_v =
    std::is_lvalue_reference_v<Param> && !std::is_const_v<std::remove_reference_t<Param>>;

/// What a task keeps of `Arg` for a parameter `Param` of a plain function: the caller's
/// std::reference_wrapper as it is, anything else converted to the parameter's type now.
template <class Param, class Arg>
using stored_argument_t = std::conditional_t<is_reference_wrapper_v<Arg>, std::remove_cvref_t<Arg>, std::decay_t<Param>>;

/// A parameter and its argument as std::thread accepts them: a non-const lvalue reference
/// needs std::ref (of an object it can bind).
template <class Param, class Arg>
struct passes_reference : std::bool_constant<!is_mutable_lvalue_reference_v<Param>> {
};
template <class Param, class Arg>
    requires is_reference_wrapper_v<Arg>
struct passes_reference<Param, Arg>
    : std::bool_constant<std::is_convertible_v<typename std::remove_cvref_t<Arg>::type&, Param>> {
};
template <class Param, class Arg>
inline constexpr bool passes_reference_v = passes_reference<Param, Arg>::value;

template <class F>
struct plain_function;
template <class R, class... Params>
struct plain_function<R (*)(Params...)> {
    template <class... Args>
    static constexpr bool references_ok = (passes_reference_v<Params, Args> && ...);
    static constexpr bool takes_mutable_reference = (is_mutable_lvalue_reference_v<Params> || ...);
};
template <class R, class... Params>
struct plain_function<R (*)(Params...) noexcept> : plain_function<R (*)(Params...)> {
};

/// Compile-time checks of submit(f, args...) on any executor: true when they pass. When
/// one fails, its static_assert says why, and the caller builds nothing more (which would
/// only add errors that bury the message).
template <class F, class... Args>
consteval bool submit_arguments_ok()
{
    using fn = std::decay_t<F>;
    if constexpr (std::is_pointer_v<fn> && std::is_function_v<std::remove_pointer_t<fn>>) {
        constexpr bool ok = !std::is_invocable_v<fn, std::add_lvalue_reference_t<std::decay_t<Args>>...> ||
                            plain_function<fn>::template references_ok<Args...>;
        static_assert(ok,
                          "asyncjobs: submit(fn, args...): fn takes a parameter by non-const reference. As with "
                          "std::thread, the task gets its own copy of each argument, so fn would modify a copy "
                          "that is then thrown away. Fix: pass std::ref(object) to let fn modify your object (on a "
                          "thread pool; it must outlive the task), or take the parameter by value or const "
                          "reference and return the result.");
        return ok;
    } else if constexpr (!std::is_invocable_v<fn, std::decay_t<Args>...> &&
                         !std::is_invocable_v<fn, std::stop_token, std::decay_t<Args>...>) {
        constexpr bool ok =
            !std::is_invocable_v<fn&, std::add_lvalue_reference_t<std::decay_t<Args>>...> &&
            !std::is_invocable_v<fn&, std::stop_token, std::add_lvalue_reference_t<std::decay_t<Args>>...>;
        static_assert(ok,
                      "asyncjobs: submit(f, args...): f takes a parameter by non-const reference. As with "
                      "std::thread, the task gets its own copy of each argument and passes it as an rvalue, so f "
                      "would modify a copy that is then thrown away. Fix: pass std::ref(object) to let f modify "
                      "your object (it must outlive the task), or take the parameter by value or const reference.");
        return ok;
    } else {
        return true;
    }
}

/// Compile-time checks of submit(f, args...) on a process_pool_executor (its static type
/// known): only a plain function can be registered and sent to a worker, and a worker
/// cannot reach the caller's objects.
template <class F, class... Args>
consteval bool process_submit_ok()
{
    using fn = std::decay_t<F>;
    constexpr bool plain = std::is_pointer_v<fn> && std::is_function_v<std::remove_pointer_t<fn>>;
    static_assert(plain,
                  "asyncjobs: process_pool_executor runs plain functions registered with ASYNCJOBS_TASK in worker "
                  "processes; a lambda, function object or std::function cannot be sent to another process. Fix: "
                  "write the body as a free function `R name(Params...)`, register it with ASYNCJOBS_TASK(name) at "
                  "namespace scope, and submit(name, args...) (or use a thread_pool_executor).");
    if constexpr (plain) {
        constexpr bool no_stop_token = !std::is_invocable_v<fn, std::stop_token, std::decay_t<Args>...>;
        constexpr bool no_mutable_reference = !plain_function<fn>::takes_mutable_reference;
        constexpr bool no_reference_wrapper = !(is_reference_wrapper_v<Args> || ...);
        static_assert(no_stop_token,
                      "asyncjobs: process_pool_executor cannot pass a std::stop_token to a worker process; stop "
                      "a process task with future::cancel() before it starts or cancel_and_kill() while it runs, "
                      "and drop the std::stop_token parameter.");
        static_assert(no_mutable_reference,
                      "asyncjobs: process_pool_executor: this function takes a parameter by non-const reference, "
                      "which cannot cross to a worker process (the worker would modify its own copy). Fix: take "
                      "the parameter by value or const reference and return what the function computes.");
        // (Said once: a non-const reference parameter was reported above.)
        static_assert(!no_mutable_reference || no_reference_wrapper,
                      "asyncjobs: process_pool_executor: std::ref / std::cref refer to an object of this process, "
                      "which a worker process cannot reach. Fix: pass the value itself (a const reference parameter "
                      "receives a copy in the worker).");
        return no_stop_token && no_mutable_reference && no_reference_wrapper;
    } else {
        return false;
    }
}

} // namespace asyncjobs::detail

#endif
