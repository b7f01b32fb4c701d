// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_MAP_SOURCE_HPP
#define ASYNCJOBS_DETAIL_MAP_SOURCE_HPP

// The input side of a map(): reads the range a chunk at a time and submits each chunk as a
// task (executor::map() builds one; map_result pulls chunks from it as the reader goes).

#include <asyncjobs/detail/chunk_sizer.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/map_chunk.hpp>
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/task.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/map_options.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace asyncjobs::detail {

/// map()'s check of its options, before it reads any input.
inline void validate(const map_options& options)
{
    auto out_of_range = [](const char* field, std::size_t value, std::size_t max, const char* zero) {
        std::string shown = value > static_cast<std::size_t>(PTRDIFF_MAX)
                                ? std::to_string(value) + " (a negative number converted to std::size_t?)"
                                : std::to_string(value);
        return std::invalid_argument(std::string("asyncjobs: map_options::") + field + " is " + shown +
                                     "; it must be from 1 to " + std::to_string(max) + ", or 0 for " + zero);
    };
    if (options.chunksize > map_max_chunksize)
        throw out_of_range("chunksize", options.chunksize, map_max_chunksize, "automatic chunks");
    if (options.window > map_max_window)
        throw out_of_range("window", options.window, map_max_window, "default_map_window(max_workers())");
}

template <class Fn>
struct single_parameter {
    using type = void;
};
template <class R, class P>
struct single_parameter<R (*)(P)> {
    using type = std::decay_t<P>;
};
template <class R, class P>
struct single_parameter<R (*)(P) noexcept> {
    using type = std::decay_t<P>;
};

/// One submitted chunk: its results to come, and how many inputs it took (so that a chunk
/// whose task failed as a whole still gives each of its elements that error).
template <class R>
struct submitted_chunk {
    future<map_chunk<R>> results;
    std::size_t count = 0;
};

/// The input side of a map, type-erased so that map_result<R> names only the result type.
template <class R>
class map_source {
public:
    virtual ~map_source() = default;
    /// Reads the next chunk of input and submits it; nullopt at the end of the input. An
    /// automatic chunk holds at most `limit` inputs (map_auto_chunk_limit()).
    virtual std::optional<submitted_chunk<R>> submit_next(std::size_t limit) = 0;
};

/// Holds map()'s input: a pointer to an lvalue range (which must outlive the result), or
/// the range itself when it was passed as an rvalue. Not std::views::all: libstdc++ 12's
/// view types do not compile with clang 14, which asyncjobs supports.
template <class Range>
class range_holder {
public:
    using range_type = std::remove_cvref_t<Range>;
    explicit range_holder(Range&& r) : stored_(store(std::forward<Range>(r))) {}
    auto& get() noexcept
    {
        if constexpr (by_reference)
            return *stored_;
        else
            return stored_;
    }

private:
    static constexpr bool by_reference = std::is_lvalue_reference_v<Range>;
    using stored_type = std::conditional_t<by_reference, std::remove_reference_t<Range>*, range_type>;
    static stored_type store(Range&& r)
    {
        if constexpr (by_reference)
            return std::addressof(r);
        else
            return stored_type(std::move(r));
    }
    stored_type stored_;
};

template <class R, class Range, class Fn>
class map_source_impl final : public map_source<R> {
public:
    using range_ref = decltype(std::declval<range_holder<Range>&>().get());
    using input_type = std::ranges::range_value_t<range_ref>;

    map_source_impl(scheduler_ptr sched, Range&& range, Fn fn, std::size_t chunksize)
        : sched_(std::move(sched))
        , range_(std::forward<Range>(range))
        , it_(std::ranges::begin(range_.get()))
        , fn_(std::make_shared<const Fn>(std::move(fn)))
        , timing_(std::make_shared<map_timing>())
        , sizer_(chunksize, sched_->concurrency(), sched_->chunk_target())
    {
        if constexpr (std::ranges::sized_range<range_ref>)
            remaining_ = static_cast<std::size_t>(std::ranges::size(range_.get()));
    }

    std::optional<submitted_chunk<R>> submit_next(std::size_t limit) override
    {
        auto end = std::ranges::end(range_.get());
        if (it_ == end)
            return std::nullopt;
        std::size_t size = sizer_.next(*timing_, remaining_, limit);
        std::vector<chunk_input> inputs;
        // A fixed chunksize may be far above what a short input holds.
        inputs.reserve(remaining_ ? std::min(size, *remaining_) : std::min<std::size_t>(size, map_first_auto_chunk_limit));
        while (inputs.size() < size && it_ != end) {
            inputs.emplace_back(*it_);
            ++it_;
        }
        if (remaining_)
            *remaining_ -= inputs.size();
        std::size_t count = inputs.size();
        typed_state_ptr<map_chunk<R>> task = make_chunk(std::move(inputs));
        task->set_continuation_scheduler(sched_);
        sched_->submit(task);
        return submitted_chunk<R>{future_access::make<map_chunk<R>>(std::move(task)), count};
    }

private:
    // A plain function of one parameter can also go to a process pool's workers.
    using function_input = typename single_parameter<Fn>::type;
    static constexpr bool sendable = is_function_pointer_v<Fn> && !std::is_void_v<function_input>;
    using chunk_input = std::conditional_t<sendable, function_input, input_type>;

    typed_state_ptr<map_chunk<R>> make_chunk(std::vector<chunk_input> inputs)
    {
        if constexpr (sendable) {
            return typed_state_ptr<map_chunk<R>>(
                new function_chunk_state<R, Fn, chunk_input>(*fn_, std::move(inputs), timing_));
        } else {
            return make_task_state([fn = fn_, timing = timing_, inputs = std::move(inputs)]() mutable {
                return run_chunk<R>(*fn, *timing, inputs);
            });
        }
    }

    scheduler_ptr sched_;
    range_holder<Range> range_;
    std::ranges::iterator_t<range_ref> it_;
    std::shared_ptr<const Fn> fn_;
    std::shared_ptr<map_timing> timing_;
    chunk_sizer sizer_;
    std::optional<std::size_t> remaining_;
};

} // namespace asyncjobs::detail

#endif
