// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_MAP_CHUNK_HPP
#define ASYNCJOBS_DETAIL_MAP_CHUNK_HPP

// One task of a map(): a chunk of inputs run in a row, its results (a value or an exception
// per input), and the task state that can also travel to a process pool's worker.

#include <asyncjobs/detail/chunk_sizer.hpp>
#include <asyncjobs/detail/function_task.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/detail/task.hpp>
#include <asyncjobs/detail/task_entry.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

namespace asyncjobs::detail {

template <class R>
using map_value_t = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

/// Results of one chunk: each item is a value or the exception its call threw.
template <class R>
using map_chunk = std::vector<std::variant<map_value_t<R>, std::exception_ptr>>;

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

    void encode_arguments(const task_entry& entry, byte_sink& out) const override
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

} // namespace asyncjobs::detail

#endif
