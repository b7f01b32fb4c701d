// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_TASK_REGISTRY_HPP
#define ASYNCJOBS_DETAIL_TASK_REGISTRY_HPP

#include <asyncjobs/detail/buffer_block.hpp>
#include <asyncjobs/detail/byte_sink.hpp>
#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/reply_buffer.hpp>
#include <asyncjobs/detail/map_chunk.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/detail/task_entry.hpp>
#include <asyncjobs/serializable.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asyncjobs::detail {

/// Every function registered with ASYNCJOBS_TASK in this program.
class task_registry {
public:
    static task_registry& instance() noexcept;

    void add(task_entry entry);
    const task_entry* find(std::string_view name) const;
    const task_entry* find(std::uintptr_t address) const;

    /// A hash of every name and signature: a worker built from another binary differs.
    std::uint64_t fingerprint() const;
    /// Names registered more than once (by different functions), sorted.
    std::vector<std::string> duplicates() const;

private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, task_entry> by_name_;
    std::unordered_map<std::uintptr_t, const task_entry*> by_address_;
    std::vector<std::string> duplicates_;
};

template <class F>
std::uintptr_t function_address(F* fn) noexcept
{
    return reinterpret_cast<std::uintptr_t>(fn);
}

template <class F>
struct function_signature;
template <class R, class... Params>
struct function_signature<R (*)(Params...)> {
    using result = R;
    using arguments = std::tuple<std::decay_t<Params>...>;
    static constexpr std::size_t arity = sizeof...(Params);
    static constexpr bool takes_mutable_reference =
        ((std::is_lvalue_reference_v<Params> && !std::is_const_v<std::remove_reference_t<Params>>) || ...);
    template <template <class...> class Check>
    static constexpr bool all_parameters = (Check<std::decay_t<Params>>::value && ...);
};
template <class R, class... Params>
struct function_signature<R (*)(Params...) noexcept> : function_signature<R (*)(Params...)> {
};

template <class T>
struct serializable_check : std::bool_constant<serializable<T>> {
};

/// What ASYNCJOBS_TASK's argument must be: one function (or a pointer to one). The name
/// says what to do when it is not, since that is what the compiler reports: for an
/// overloaded name, "no matching function for call to" this with an unresolved overload set.
template <class F>
    requires std::is_function_v<F>
constexpr F* ASYNCJOBS_TASK_needs_one_function_cast_an_overloaded_name(F* fn) noexcept
{
    return fn;
}

/// Registers `Fn` and instantiates its codec: the only place where a task's argument and
/// result types are serialized, so a thread pool never needs them to be serializable.
template <auto Fn>
class task_registration {
    using signature = function_signature<decltype(Fn)>;

public:
    using arguments = typename signature::arguments;
    using result = std::remove_cvref_t<typename signature::result>;

    static_assert(signature::template all_parameters<serializable_check>,
                  "asyncjobs: ASYNCJOBS_TASK: an argument type of this function cannot be serialized with "
                  "Boost.Serialization. Give it a serialize(Archive&, unsigned) member or a free serialize() "
                  "found by argument-dependent lookup, include the boost/serialization header for the standard "
                  "type, or specialize asyncjobs::is_serializable<T> to true.");
    static_assert(std::is_void_v<result> || serializable<result>,
                  "asyncjobs: ASYNCJOBS_TASK: the result type of this function cannot be serialized with "
                  "Boost.Serialization (see the argument message above for the ways to make it serializable).");
    static_assert(!signature::takes_mutable_reference,
                  "asyncjobs: ASYNCJOBS_TASK: this function takes a parameter by non-const reference, which cannot "
                  "cross to a worker process (the worker would modify its own copy, and the caller would never see "
                  "it). Take the parameter by value or const reference and return what the function computes.");
    static_assert(signature::template all_parameters<std::is_default_constructible>,
                  "asyncjobs: ASYNCJOBS_TASK: workers decode arguments into default-constructed values, so every "
                  "argument type needs a default constructor.");

    explicit task_registration(const char* name)
    {
        task_entry entry{name, function_address(Fn), typeid(decltype(Fn)).name(), &invoke, &encode_arguments,
                         &decode_result};
        if constexpr (signature::arity == 1) {
            entry.invoke_chunk = &invoke_chunk;
            entry.encode_chunk = &encode_chunk;
            entry.decode_chunk = &decode_chunk;
        }
        task_registry::instance().add(std::move(entry));
    }

private:
    static void invoke(std::span<const std::byte> in, reply_buffer& out)
    {
        arguments args;
        {
            // A shared_buffer crosses by handle only in these codecs, not in what the task does.
            buffer_transport_scope buffers(buffer_transport::worker);
            std::apply([&](auto&... a) { decode_values(in, a...); }, args);
        }
        if constexpr (std::is_void_v<result>) {
            call_with(Fn, args);
        } else {
            const result r = call_with(Fn, args);
            buffer_transport_scope buffers(buffer_transport::worker);
            encode_values(out, r);
        }
    }

    static void encode_arguments(const void* args, byte_sink& out)
    {
        std::apply([&](const auto&... a) { encode_values(out, a...); }, *static_cast<const arguments*>(args));
    }

    // map() chunks: a count, then for each input `true` and the result, or `false` and the
    // exception; then the nanoseconds the calls took, for the automatic chunk size.
    using chunk_input = std::tuple_element_t<0, std::conditional_t<signature::arity == 1, arguments, std::tuple<int>>>;

    static void invoke_chunk(std::span<const std::byte> in, reply_buffer& out)
    {
        std::vector<chunk_input> inputs;
        {
            buffer_transport_scope buffers(buffer_transport::worker);
            decode_values(in, inputs);
        }
        auto start = std::chrono::steady_clock::now();
        encode_with(out, [&](auto& archive) {
            std::uint64_t count = inputs.size();
            archive << count;
            for (auto& input : inputs) {
                std::tuple<chunk_input> args(std::move(input));
                std::optional<stored_t<result>> value;
                std::optional<exception_fields> failure;
                try {
                    if constexpr (std::is_void_v<result>) {
                        call_with(Fn, args);
                        value.emplace();
                    } else {
                        value.emplace(call_with(Fn, args));
                    }
                } catch (...) {
                    failure = describe_for_wire(std::current_exception());
                }
                bool ok = value.has_value();
                archive << ok;
                if (!ok)
                    archive << *failure;
                else if constexpr (!std::is_void_v<result>) {
                    buffer_transport_scope buffers(buffer_transport::worker);
                    archive << *value;
                }
            }
            auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
            std::uint64_t elapsed = static_cast<std::uint64_t>(ns.count());
            archive << elapsed;
        });
    }

    static void encode_chunk(const void* inputs, byte_sink& out)
    {
        encode_values(out, *static_cast<const std::vector<chunk_input>*>(inputs));
    }

    static std::uint64_t decode_chunk(std::span<const std::byte> in, void* out)
    {
        auto& chunk = *static_cast<map_chunk<result>*>(out);
        return decode_with(in, [&](auto& archive) {
            std::uint64_t count = 0;
            archive >> count;
            chunk.clear();
            // Every outcome takes at least a byte (its flag): a count beyond the input is
            // corrupt, and must not reserve 2^20 results (gigabytes for a large result type).
            chunk.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(count, std::min<std::size_t>(in.size(), 1 << 20))));
            for (std::uint64_t i = 0; i < count; ++i) {
                bool ok = false;
                archive >> ok;
                if (!ok) {
                    exception_fields failure;
                    archive >> failure;
                    chunk.emplace_back(std::in_place_index<1>, rebuild_exception(std::move(failure)));
                } else if constexpr (std::is_void_v<result>) {
                    chunk.emplace_back(std::in_place_index<0>);
                } else {
                    result value{};
                    archive >> value;
                    chunk.emplace_back(std::in_place_index<0>, std::move(value));
                }
            }
            std::uint64_t elapsed = 0;
            archive >> elapsed;
            return count ? elapsed / count : 0;
        });
    }

    static void decode_result(std::span<const std::byte> in, void* out)
    {
        auto& slot = *static_cast<std::optional<stored_t<result>>*>(out);
        if constexpr (std::is_void_v<result>) {
            slot.emplace();
        } else {
            result r{};
            decode_values(in, r);
            slot.emplace(std::move(r));
        }
    }
};

} // namespace asyncjobs::detail

#endif
