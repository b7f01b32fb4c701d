// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_BOOST_THREAD_HPP
#define ASYNCJOBS_BOOST_THREAD_HPP

/// The bridges to Boost.Thread, kept out of <asyncjobs/asyncjobs.hpp> because
/// <boost/thread/future.hpp> costs seconds of compile time in every translation unit:
///
/// - `boost::future<T> b = std::move(f);` for an `asyncjobs::future<T>` f (and
///   `boost::shared_future<T>` from an `asyncjobs::shared_future<T>`): ready with the same
///   result, exceptions included. Needs BOOST_THREAD_VERSION 4 or 5.
/// - `thread_pool_executor` meets Boost.Thread's executor requirements, so
///   `boost_future.then(pool, fn)` runs `fn` on the pool. Boost.Thread provides executors
///   only with BOOST_THREAD_VERSION 5.
///
/// Boost.Thread wants one BOOST_THREAD_VERSION in every translation unit of a program,
/// defined before any of its headers (on the command line is best). This header defines 5
/// when nothing has defined a version yet; asyncjobs itself does not care which you use.

#ifndef BOOST_THREAD_VERSION
#define BOOST_THREAD_VERSION 5
#elif BOOST_THREAD_VERSION < 4
#error "<asyncjobs/boost_thread.hpp> needs BOOST_THREAD_VERSION 4 or 5 (boost::future); define it before any Boost header"
#endif

#include <asyncjobs/future.hpp>
#include <asyncjobs/thread_pool_executor.hpp>

#include <boost/thread/executors/work.hpp>
#include <boost/thread/future.hpp>

#include <exception>
#include <type_traits>
#include <utility>

namespace asyncjobs::detail {

/// Completes `promise` from the ready state `s`: the value taken (future) or copied
/// (shared_future), or the exception.
template <class T, bool Take>
void complete_boost_promise(state<T>& s, boost::promise<T>& promise) noexcept
{
    try {
        if constexpr (std::is_void_v<T>) {
            if constexpr (Take)
                s.take();
            else
                s.peek();
            promise.set_value();
        } else if constexpr (Take) {
            promise.set_value(s.take());
        } else {
            promise.set_value(s.peek());
        }
    } catch (...) {
        // Explicitly a boost::exception_ptr (which wraps the std one and rethrows it as
        // is): the template set_exception(E) would throw the exception_ptr object.
        promise.set_exception(boost::exception_ptr(std::current_exception()));
    }
}

template <class T>
struct boost_thread_bridge<boost::future<T>> {
    static boost::future<T> from(typed_state_ptr<T> s)
    {
        boost::promise<T> promise;
        boost::future<T> result = promise.get_future();
        // The callback holds its own reference: it may run (and be freed) inside on_complete.
        s->on_complete([s, promise = std::move(promise)]() mutable noexcept {
            complete_boost_promise<T, true>(*s, promise);
        });
        return result;
    }
};

template <class T>
struct boost_thread_bridge<boost::shared_future<T>> {
    static boost::shared_future<T> from(typed_state_ptr<T> s)
    {
        boost::promise<T> promise;
        boost::shared_future<T> result = promise.get_future().share();
        // The callback holds its own reference: it may run (and be freed) inside on_complete.
        s->on_complete([s, promise = std::move(promise)]() mutable noexcept {
            complete_boost_promise<T, false>(*s, promise);
        });
        return result;
    }
};

} // namespace asyncjobs::detail

#endif
