// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_WHEN_ALL_HPP
#define ASYNCJOBS_WHEN_ALL_HPP

#include <asyncjobs/detail/combinator_state.hpp>
#include <asyncjobs/future.hpp>

#include <iterator>
#include <tuple>
#include <type_traits>
#include <vector>

namespace asyncjobs {

/// A future that becomes ready, holding the input futures (all ready), once every one of
/// them is done. Failures stay inside the inputs: read each with get() or exception().
/// Takes ownership of the futures (moves them out of the vector's elements).
template <class Future>
    requires detail::is_future_v<Future>
future<std::vector<Future>> when_all(std::vector<Future> futures)
{
    return detail::make_combinator<std::vector<Future>, false>(std::move(futures));
}

/// when_all over [first, last), moving the futures out of the range.
template <std::input_iterator Iterator>
    requires detail::is_future_v<std::iter_value_t<Iterator>>
auto when_all(Iterator first, Iterator last)
{
    using future_type = std::iter_value_t<Iterator>;
    return when_all(std::vector<future_type>(std::make_move_iterator(first), std::make_move_iterator(last)));
}

/// when_all over a fixed set of futures of any types: a future of a tuple of them.
template <class... Futures>
    requires(sizeof...(Futures) > 0 && (detail::is_future_v<Futures> && ...))
auto when_all(Futures&&... futures)
{
    using tuple_type = std::tuple<std::remove_cvref_t<Futures>...>;
    return detail::make_combinator<tuple_type, false>(tuple_type(std::forward<Futures>(futures)...));
}

} // namespace asyncjobs

#endif
