// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_MAP_HPP
#define ASYNCJOBS_MAP_HPP

#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/task.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/timeout.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

namespace asyncjobs {

/// The largest map_options::chunksize: inputs in one task. A chunk is read and reserved
/// up front; far below this a task's overhead (microseconds) is already amortized.
inline constexpr std::size_t map_max_chunksize = std::size_t{1} << 24;

/// The largest map_options::window: tasks in flight at once, each holding a future.
inline constexpr std::size_t map_max_window = std::size_t{1} << 20;

/// How executor::map() cuts its input into tasks. map() throws std::invalid_argument
/// naming the field for a value out of range (a negative number assigned to these
/// std::size_t fields becomes a huge one, and is caught the same way).
struct map_options {
    /// Inputs per task, at most map_max_chunksize. 0 chooses it automatically: chunks grow
    /// until each task runs for about the executor's chunk target, but no faster than the
    /// reader consumes results (map_auto_chunk_limit), and shrink near the end of a sized input.
    std::size_t chunksize = 0;
    /// Tasks in flight at most (up to map_max_window); input is read only as far as this
    /// window reaches. 0 means default_map_window(max_workers()): 16 per worker.
    std::size_t window = 0;
    /// One deadline for the whole map, counted from the call (Python's semantics):
    /// reading a result past it throws timeout_error.
    std::optional<timeout_duration> timeout{};
};

/// The default window of map(): 16 chunks per worker. Results are read in input order, so
/// one slow element holds the reader while the other workers run ahead; with 4 chunks per
/// worker they ran out of work behind it (factorize --bench, where one number can cost 1000
/// times another: threads reached 1.48x on 2 cores with map, 1.97x with as_completed).
constexpr std::size_t default_map_window(std::size_t workers) noexcept
{
    return 16 * (workers ? workers : 1);
}

/// The largest chunk map() chooses on its own (chunksize = 0), however cheap the calls.
inline constexpr std::size_t map_max_auto_chunk = std::size_t{1} << 16;

/// Automatic chunks hold at most this many inputs until the reader has consumed results.
inline constexpr std::size_t map_first_auto_chunk_limit = 64;

/// The largest automatic chunk map() submits once the reader has taken `consumed` results
/// off a window of `window` chunks: chunks grow with the measured call cost only as fast as
/// the reader keeps up (the window then holds at most 4 x consumed inputs, or
/// window x map_first_auto_chunk_limit). Without this a reader that stopped after 1,000
/// results of a cheap function had made map() read about a million inputs, because chunks
/// had grown to map_max_auto_chunk while it read.
///
/// So a reader that stops after n results has made map() read at most
/// c + window * map_auto_chunk_limit(c, window) inputs, c = n + map_auto_chunk_limit(n, window)
/// (the results read, the rest of the chunk being read, and the window ahead).
constexpr std::size_t map_auto_chunk_limit(std::size_t consumed, std::size_t window) noexcept
{
    std::size_t by_reader = 4 * consumed / (window ? window : 1);
    return std::clamp(by_reader, map_first_auto_chunk_limit, map_max_auto_chunk);
}

namespace detail {

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

template <class R>
using map_value_t = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

/// Results of one chunk: each item is a value or the exception its call threw.
template <class R>
using map_chunk = std::vector<std::variant<map_value_t<R>, std::exception_ptr>>;

/// Measured cost of one call of the mapped function, shared by the engine and its tasks.
struct map_timing {
    std::atomic<std::uint64_t> ns_per_item{0};
};

/// Chooses the size of the next chunk from measured call times.
class chunk_sizer {
public:
    chunk_sizer(std::size_t fixed, std::size_t workers, std::chrono::nanoseconds target) noexcept
        : fixed_(fixed), workers_(std::max<std::size_t>(1, workers)), target_ns_(static_cast<std::uint64_t>(target.count()))
    {
    }

    /// `limit`: map_auto_chunk_limit() for what the reader has consumed so far.
    std::size_t next(const map_timing& timing, std::optional<std::size_t> remaining, std::size_t limit) noexcept
    {
        if (fixed_)
            return fixed_;
        auto per_item = timing.ns_per_item.load(std::memory_order_relaxed);
        std::size_t size = per_item ? static_cast<std::size_t>(std::max<std::uint64_t>(1, target_ns_ / per_item)) : 1;
        // Grow by at most 4x a step, so one noisy measurement cannot make a huge chunk.
        size = std::clamp<std::size_t>(size, 1, std::min({map_max_auto_chunk, last_ * 4, std::max<std::size_t>(1, limit)}));
        // Near the end of a known-length input, smaller chunks keep every worker busy.
        if (remaining)
            size = std::min(size, std::max<std::size_t>(1, *remaining / (2 * workers_)));
        last_ = size;
        return size;
    }

private:
    std::size_t fixed_;
    std::size_t workers_;
    std::uint64_t target_ns_;
    std::size_t last_ = 1;
};

/// Calls `fn` on each input, keeping each value or exception, and records the cost per call.
template <class R, class Fn, class Input>
map_chunk<R> run_chunk(const Fn& fn, map_timing& timing, std::vector<Input>& inputs)
{
    map_chunk<R> out;
    out.reserve(inputs.size());
    auto start = std::chrono::steady_clock::now();
    for (auto& input : inputs) {
        try {
            if constexpr (std::is_void_v<R>) {
                std::invoke(fn, std::move(input));
                out.emplace_back(std::in_place_index<0>);
            } else {
                out.emplace_back(std::in_place_index<0>, std::invoke(fn, std::move(input)));
            }
        } catch (...) {
            out.emplace_back(std::in_place_index<1>, std::current_exception());
        }
    }
    auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
    timing.ns_per_item.store(std::max<std::uint64_t>(1, static_cast<std::uint64_t>(elapsed.count()) / inputs.size()),
                             std::memory_order_relaxed);
    return out;
}

/// A map() chunk over a plain function: runs in-process on a thread pool, or goes to a
/// worker as one map_call frame when a process pool runs it (the function must be registered).
template <class R, class Fn, class Input>
class function_chunk_state final : public state<map_chunk<R>>, public remote_call {
public:
    function_chunk_state(Fn fn, std::vector<Input> inputs, std::shared_ptr<map_timing> timing)
        : fn_(fn), inputs_(std::move(inputs)), timing_(std::move(timing))
    {
    }

    void run() noexcept override
    {
        if (!this->try_start()) {
            inputs_.clear();
            return;
        }
        try {
            auto chunk = run_chunk<R>(fn_, *timing_, inputs_);
            inputs_.clear();
            this->set_value(std::move(chunk));
        } catch (...) {
            this->set_exception(std::current_exception());
        }
    }

    remote_call* as_remote_call() noexcept override { return this; }
    bool chunked() const noexcept override { return true; }
    std::uintptr_t function() const noexcept override { return reinterpret_cast<std::uintptr_t>(fn_); }
    const std::type_info& function_type() const noexcept override { return typeid(Fn); }

    void encode_arguments(const task_entry& entry, std::string& out) const override
    {
        if (!entry.encode_chunk)
            throw std::invalid_argument("asyncjobs: map() needs a task of exactly one argument, and '" + entry.name +
                                        "' takes another number");
        entry.encode_chunk(&inputs_, out);
    }

    void complete_from(const task_entry& entry, std::span<const std::byte> bytes) noexcept override
    {
        try {
            map_chunk<R> chunk;
            auto ns = entry.decode_chunk(bytes, &chunk);
            timing_->ns_per_item.store(std::max<std::uint64_t>(1, ns), std::memory_order_relaxed);
            this->set_value(std::move(chunk));
        } catch (...) {
            this->set_exception(undecodable_reply(entry));
        }
    }

    void fail(std::exception_ptr e) noexcept override { this->set_exception(std::move(e)); }

private:
    Fn fn_;
    std::vector<Input> inputs_;
    std::shared_ptr<map_timing> timing_;
};

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

} // namespace detail

/// The lazily computed results of executor::map(), in input order. An input range: it
/// reads input and submits tasks only as far as its window reaches ahead of the reader,
/// so memory stays bounded on inputs of any length. An element whose call threw
/// rethrows that exception when it is read; the elements after it stay readable.
/// Destroying it early cancels the tasks that have not started.
template <class R>
class map_result {
public:
    using value_type = detail::map_value_t<R>;

    class iterator {
    public:
        using value_type = map_result::value_type;
        using difference_type = std::ptrdiff_t;
        using iterator_concept = std::input_iterator_tag;

        iterator() noexcept = default;

        /// The current element, moved out: read each element once.
        value_type operator*() const { return owner_->current(); }
        iterator& operator++()
        {
            owner_->advance();
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return it.finished(); }

    private:
        bool finished() const noexcept { return !owner_ || owner_->at_end(); }
        friend class map_result;
        explicit iterator(map_result* owner) noexcept : owner_(owner) {}
        map_result* owner_ = nullptr;
    };

    map_result(map_result&&) noexcept = default;
    map_result& operator=(map_result&&) noexcept = default;
    ~map_result()
    {
        for (auto& chunk : in_flight_)
            chunk.results.cancel();
    }

    /// Starts reading; blocks until the first result is there.
    iterator begin()
    {
        if (!started_) {
            started_ = true;
            advance();
        }
        return iterator(this);
    }
    std::default_sentinel_t end() const noexcept { return {}; }

    /// Reads every remaining result into a vector; throws the first element exception met.
    std::vector<value_type> to_vector()
    {
        std::vector<value_type> out;
        for (auto it = begin(); it != end(); ++it)
            out.push_back(*it);
        return out;
    }

private:
    friend class executor;
    friend class iterator;

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
    bool started_ = false;
    bool input_done_ = false;
    std::exception_ptr input_error_;
};

} // namespace asyncjobs

#endif
