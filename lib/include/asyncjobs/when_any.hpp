// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_WHEN_ANY_HPP
#define ASYNCJOBS_WHEN_ANY_HPP

#include <asyncjobs/detail/combinator_state.hpp>
#include <asyncjobs/future.hpp>

#include <cstddef>
#include <iterator>
#include <tuple>
#include <type_traits>
#include <vector>

namespace asyncjobs {

/// What when_any() yields: the position of the first future to complete (-1 for an empty
/// input) and all the input futures, the others possibly still running.
template <class Sequence>
struct when_any_result {
    std::size_t index = static_cast<std::size_t>(-1);
    Sequence futures;
};

/// A future that becomes ready as soon as any input future is done.
template <class Future>
    requires detail::is_future_v<Future>
future<when_any_result<std::vector<Future>>> when_any(std::vector<Future> futures)
{
    return detail::make_combinator<when_any_result<std::vector<Future>>, true>(std::move(futures));
}

/// when_any over [first, last), moving the futures out of the range.
template <std::input_iterator Iterator>
    requires detail::is_future_v<std::iter_value_t<Iterator>>
auto when_any(Iterator first, Iterator last)
{
    using future_type = std::iter_value_t<Iterator>;
    return when_any(std::vector<future_type>(std::make_move_iterator(first), std::make_move_iterator(last)));
}

/// when_any over a fixed set of futures of any types.
template <class... Futures>
    requires(sizeof...(Futures) > 0 && (detail::is_future_v<Futures> && ...))
auto when_any(Futures&&... futures)
{
    using tuple_type = std::tuple<std::remove_cvref_t<Futures>...>;
    return detail::make_combinator<when_any_result<tuple_type>, true>(tuple_type(std::forward<Futures>(futures)...));
}

} // namespace asyncjobs

#endif
