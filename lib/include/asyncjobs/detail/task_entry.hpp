// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_TASK_ENTRY_HPP
#define ASYNCJOBS_DETAIL_TASK_ENTRY_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace asyncjobs::detail {

class byte_sink;
class reply_buffer;

/// What a process needs to run one registered function from bytes, and to build its calls.
struct task_entry {
    std::string name;
    std::uintptr_t address = 0;
    std::string signature;  ///< the function type's mangled name: part of the registry fingerprint
    /// Worker side: decodes the arguments, calls the function, appends the encoded result.
    void (*invoke)(std::span<const std::byte> args, reply_buffer& result) = nullptr;
    /// Parent side: encodes the std::tuple of decayed parameters at `arguments`.
    void (*encode_arguments)(const void* arguments, byte_sink& out) = nullptr;
    /// Parent side: decodes a result into the std::optional<result> at `result`.
    void (*decode_result)(std::span<const std::byte> in, void* result) = nullptr;

    // For map() on a process pool; null unless the function takes exactly one argument.
    /// Worker side: decodes a std::vector of inputs, calls the function on each, appends every outcome.
    void (*invoke_chunk)(std::span<const std::byte> inputs, reply_buffer& outcomes) = nullptr;
    /// Parent side: encodes the std::vector of inputs at `inputs`.
    void (*encode_chunk)(const void* inputs, byte_sink& out) = nullptr;
    /// Parent side: decodes outcomes into the map_chunk at `chunk`; returns the worker's ns per call.
    std::uint64_t (*decode_chunk)(std::span<const std::byte> outcomes, void* chunk) = nullptr;
};

template <class T>
struct is_reference_wrapper : std::false_type {
};
template <class T>
struct is_reference_wrapper<std::reference_wrapper<T>> : std::true_type {
};
template <class T>
inline constexpr bool is_reference_wrapper_v = is_reference_wrapper<std::remove_cvref_t<T>>::value;

/// One stored argument as parameter `Param` receives it: the caller's object for a
/// std::reference_wrapper (std::ref), else the stored copy, moved into a by-value parameter.
template <class Param, class Stored>
decltype(auto) pass_stored(Stored& a) noexcept
{
    if constexpr (is_reference_wrapper_v<Stored>)
        return a.get();
    else
        return static_cast<Param&&>(a);
}

/// Calls `fn` with the stored arguments: by-value parameters get them moved, reference
/// parameters get them as lvalues (std::ref arguments: the caller's object).
template <class R, class... Params, class Tuple>
decltype(auto) call_with(R (*fn)(Params...), Tuple& args)
{
    return std::apply([&](auto&... a) -> R { return fn(pass_stored<Params>(a)...); }, args);
}
template <class R, class... Params, class Tuple>
decltype(auto) call_with(R (*fn)(Params...) noexcept, Tuple& args)
{
    return std::apply([&](auto&... a) -> R { return fn(pass_stored<Params>(a)...); }, args);
}

} // namespace asyncjobs::detail

#endif
