// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_FUTURE_ACCESS_HPP
#define ASYNCJOBS_DETAIL_FUTURE_ACCESS_HPP

// What the library needs of a future beyond its API: the shared state behind it
// (future_access), the traits that recognise futures, and the hooks the Asio and
// Boost.Thread bridges specialize.

#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/detail/task.hpp>

#include <type_traits>
#include <utility>

// Declared, not included: Boost.Thread's future header costs seconds of compile time in
// every translation unit, and only <asyncjobs/boost_thread.hpp> needs its definitions.
namespace boost {
template <typename R>
class future;
template <typename R>
class shared_future;
} // namespace boost

namespace asyncjobs {

class executor;
template <class T>
class future;
template <class T>
class shared_future;

namespace detail {

scheduler_ptr scheduler_of(executor& ex);

/// Turns an executor that is not an asyncjobs executor into the scheduler of then(ex, fn):
/// <asyncjobs/asio.hpp> specializes it for Asio executors and execution contexts.
template <class Executor, class = void>
struct foreign_executor {
};

template <class T>
struct is_future : std::false_type {
};
template <class T>
struct is_future<future<T>> : std::true_type {
};
template <class T>
struct is_future<shared_future<T>> : std::true_type {
};
template <class T>
inline constexpr bool is_future_v = is_future<std::remove_cvref_t<T>>::value;

/// Target is boost::future<T> (Boost, future) or boost::shared_future<T> (Boost, shared).
template <class Target, class T, bool Shared>
inline constexpr bool is_boost_future_of = false;
template <class T>
inline constexpr bool is_boost_future_of<boost::future<T>, T, false> = true;
template <class T>
inline constexpr bool is_boost_future_of<boost::shared_future<T>, T, true> = true;

/// The conversions to Boost.Thread's futures; defined by <asyncjobs/boost_thread.hpp>.
template <class Target>
struct boost_thread_bridge;
template <class Target>
concept boost_thread_bridge_included = requires { sizeof(boost_thread_bridge<Target>); };

/// Reaches the shared state behind a future; the combinators and executors use it.
struct future_access {
    template <class Future>
    static const auto& state(const Future& f) noexcept
    {
        return f.state_;
    }
    template <class T>
    static future<T> make(typed_state_ptr<T> s) noexcept
    {
        return future<T>(std::move(s));
    }
};

template <class Future>
state_base* state_of(const Future& f) noexcept
{
    return future_access::state(f).get();
}
template <class Future>
state_base* state_of(Future* f) noexcept
{
    return future_access::state(*f).get();
}

/// Before blocking on `s` without a deadline: deadlock_error instead of a wait that cannot end.
inline void check_blocking_wait(const state_base& s)
{
    if (s.ready())
        return;
    if (const auto& sched = s.continuation_scheduler())
        sched->check_wait(s);
}

} // namespace detail
} // namespace asyncjobs

#endif
