// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_MAP_HPP
#define ASYNCJOBS_MAP_HPP

// executor::map()'s result: the results in input order, computed a bounded window ahead of
// the reader. The options are in map_options.hpp; the chunks and the input side, in
// detail/map_chunk.hpp and detail/map_source.hpp.

#include <asyncjobs/detail/map_chunk.hpp>
#include <asyncjobs/detail/map_source.hpp>
#include <asyncjobs/detail/pull_range.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/map_options.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

namespace asyncjobs {

/// The lazily computed results of executor::map(), in input order. An input range: it
/// reads input and submits tasks only as far as its window reaches ahead of the reader,
/// so memory stays bounded on inputs of any length. An element whose call threw
/// rethrows that exception when it is read; the elements after it stay readable.
/// Destroying it early cancels the tasks that have not started.
template <class R>
class map_result : public detail::pull_range<map_result<R>, detail::map_value_t<R>> {
public:
    using value_type = detail::map_value_t<R>;

    map_result(map_result&&) noexcept = default;
    map_result& operator=(map_result&&) noexcept = default;
    ~map_result()
    {
        for (auto& chunk : in_flight_)
            chunk.results.cancel();
    }

    // begin(), end() and to_vector() (which rethrows the first element exception it meets)
    // come from detail::pull_range.

private:
    friend class executor;
    friend class detail::pull_range<map_result, value_type>;

    map_result(std::unique_ptr<detail::map_source<R>> source, std::size_t window,
               std::optional<std::chrono::steady_clock::time_point> deadline)
        : source_(std::move(source)), window_(std::max<std::size_t>(1, window)), deadline_(deadline)
    {
        fill();
    }

    void fill()
    {
        while (!input_done_ && in_flight_.size() < window_) {
            auto next = source_->submit_next(map_auto_chunk_limit(consumed_, window_));
            if (!next) {
                input_done_ = true;
                break;
            }
            in_flight_.push_back(std::move(*next));
        }
    }

    void advance()
    {
        if (++pos_ < chunk_.size())
            return;
        chunk_.clear();
        pos_ = 0;
        if (in_flight_.empty()) {
            // Reading or submitting more input failed earlier: say so after the results
            // that were already submitted have been read.
            if (input_error_)
                std::rethrow_exception(std::exchange(input_error_, nullptr));
            return;
        }
        auto& front = in_flight_.front();
        if (deadline_ && front.results.wait_until(*deadline_) == std::future_status::timeout)
            throw timeout_error("asyncjobs: map() ran past its timeout; the results not read yet are still being computed");
        auto next = std::move(front);
        in_flight_.pop_front();
        consumed_ += next.count;
        try {
            fill();
        } catch (...) {
            input_error_ = std::current_exception();
            input_done_ = true;
        }
        try {
            chunk_ = next.results.get();
        } catch (...) {
            // The chunk's task failed as a whole (its worker died, the pool shut down): each
            // of its elements rethrows that when it is read (an object of its own where the
            // type allows), and the next chunks stay readable.
            auto failure = std::current_exception();
            chunk_.clear();
            chunk_.reserve(next.count);
            for (std::size_t i = 0; i < next.count; ++i)
                chunk_.emplace_back(std::in_place_index<1>, detail::copy_exception(failure));
        }
    }

    bool at_end() const noexcept { return pos_ >= chunk_.size() && in_flight_.empty() && !input_error_; }

    value_type current()
    {
        auto& item = chunk_.at(pos_);
        if (item.index() == 1)
            std::rethrow_exception(std::get<1>(item));
        return std::move(std::get<0>(item));
    }

    std::unique_ptr<detail::map_source<R>> source_;
    std::size_t window_;
    std::optional<std::chrono::steady_clock::time_point> deadline_;
    std::deque<detail::submitted_chunk<R>> in_flight_;
    detail::map_chunk<R> chunk_;
    std::size_t pos_ = 0;
    std::size_t consumed_ = 0;  // inputs of the chunks taken off the window: the reader's progress
    bool input_done_ = false;
    std::exception_ptr input_error_;
};

} // namespace asyncjobs

#endif
