// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_MAP_UNORDERED_HPP
#define ASYNCJOBS_MAP_UNORDERED_HPP

// executor::map_unordered()'s result: map()'s chunks and input side (detail/map_source.hpp),
// read in the order the chunks complete (detail/arrival_queue.hpp) instead of input order.

#include <asyncjobs/detail/arrival_queue.hpp>
#include <asyncjobs/detail/map_chunk.hpp>
#include <asyncjobs/detail/map_source.hpp>
#include <asyncjobs/detail/pull_range.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/map_options.hpp>

#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace asyncjobs {

/// One result of map_unordered(): the position of its input, and its value or the
/// exception its call threw.
template <class R>
class indexed_result {
public:
    /// The input's position in the input range, from 0.
    std::size_t index = 0;

    /// The value (moved out), or the exception the call threw.
    R get()
    {
        if (item_.index() == 1)
            std::rethrow_exception(std::get<1>(item_));
        if constexpr (!std::is_void_v<R>)
            return std::move(std::get<0>(item_));
    }
    /// True when the call threw; exception() is then what get() throws.
    bool failed() const noexcept { return item_.index() == 1; }
    std::exception_ptr exception() const noexcept { return failed() ? std::get<1>(item_) : nullptr; }

    indexed_result(std::size_t i, std::variant<detail::map_value_t<R>, std::exception_ptr> item)
        : index(i), item_(std::move(item))
    {
    }

private:
    std::variant<detail::map_value_t<R>, std::exception_ptr> item_;
};

/// The results of executor::map_unordered() as they complete, each with its input's index.
/// An input range, lazy like map_result: input is read and submitted only while fewer than
/// `window` chunks are in flight, so memory stays bounded on inputs of any length. A chunk
/// is read as a whole when it completes, its elements in input order (chunksize 1: each
/// element as it completes). An element whose call threw is still yielded (failed(); get()
/// rethrows) and the others follow; a chunk whose task failed as a whole (its worker died,
/// the pool shut down) yields each of its elements with that error. Reading past the
/// timeout throws timeout_error. Destroying it early cancels the chunks not started.
template <class R>
class map_unordered_result : public detail::pull_range<map_unordered_result<R>, indexed_result<R>> {
public:
    using value_type = indexed_result<R>;

    map_unordered_result(map_unordered_result&&) noexcept = default;
    map_unordered_result& operator=(map_unordered_result&&) noexcept = default;
    ~map_unordered_result()
    {
        if (queue_)
            for (auto& s : queue_->close_for_good())
                s->cancel();
    }

    // begin(), end() and to_vector() (every remaining result, in completion order) come
    // from detail::pull_range.

private:
    friend class executor;
    friend class detail::pull_range<map_unordered_result, value_type>;

    struct chunk_place {
        std::size_t first = 0;  // index of the chunk's first input
        std::size_t count = 0;
    };
    using queue_type = detail::arrival_queue<detail::map_chunk<R>, chunk_place>;

    map_unordered_result(std::unique_ptr<detail::map_source<R>> source, std::size_t window,
                         std::optional<std::chrono::steady_clock::time_point> deadline)
        : source_(std::move(source))
        , window_(std::max<std::size_t>(1, window))
        , deadline_(deadline)
        , queue_(new queue_type)
    {
        fill();
    }

    void fill()
    {
        while (!input_done_ && in_flight_ < window_) {
            auto next = source_->submit_next(map_auto_chunk_limit(consumed_, window_));
            if (!next) {
                input_done_ = true;
                break;
            }
            chunk_place place{submitted_inputs_, next->count};
            submitted_inputs_ += next->count;
            (void)queue_->add(next->results, place);  // never closed while this object lives
            ++in_flight_;
        }
    }

    void advance()
    {
        if (++pos_ < chunk_.size())
            return;
        chunk_.clear();
        pos_ = 0;
        if (in_flight_ == 0) {
            // Reading or submitting more input failed earlier: say so after the results
            // that were already submitted have been read.
            if (input_error_)
                std::rethrow_exception(std::exchange(input_error_, nullptr));
            return;
        }
        std::optional<typename queue_type::entry> done;
        if (queue_->next_until(deadline_, done) != detail::arrival_status::ready)
            throw timeout_error("asyncjobs: map_unordered() ran past its timeout with " + std::to_string(in_flight_) +
                                " chunks not done; they are still being computed");
        --in_flight_;
        consumed_ += done->tag.count;
        try {
            fill();
        } catch (...) {
            input_error_ = std::current_exception();
            input_done_ = true;
        }
        first_ = done->tag.first;
        try {
            chunk_ = done->result.get();
        } catch (...) {
            // The chunk's task failed as a whole: each of its elements carries that error.
            auto failure = std::current_exception();
            chunk_.clear();
            chunk_.reserve(done->tag.count);
            for (std::size_t i = 0; i < done->tag.count; ++i)
                chunk_.emplace_back(std::in_place_index<1>, detail::copy_exception(failure));
        }
    }

    bool at_end() const noexcept { return pos_ >= chunk_.size() && in_flight_ == 0 && !input_error_; }

    value_type current() { return value_type(first_ + pos_, std::move(chunk_.at(pos_))); }

    std::unique_ptr<detail::map_source<R>> source_;
    std::size_t window_;
    std::optional<std::chrono::steady_clock::time_point> deadline_;
    boost::intrusive_ptr<queue_type> queue_;
    std::size_t in_flight_ = 0;         // chunks submitted, not yet taken off the queue
    std::size_t submitted_inputs_ = 0;  // inputs read and submitted: the next chunk's first index
    detail::map_chunk<R> chunk_;        // the chunk being read
    std::size_t first_ = 0;             // its first input's index
    std::size_t pos_ = 0;
    std::size_t consumed_ = 0;
    bool input_done_ = false;
    std::exception_ptr input_error_;
};

} // namespace asyncjobs

#endif
