// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_TASK_ENTRY_HPP
#define ASYNCJOBS_DETAIL_TASK_ENTRY_HPP

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <tuple>
#include <utility>

namespace asyncjobs::detail {

/// What a process needs to run one registered function from bytes, and to build its calls.
struct task_entry {
    std::string name;
    std::uintptr_t address = 0;
    std::string signature;  ///< the function type's mangled name: part of the registry fingerprint
    /// Worker side: decodes the arguments, calls the function, appends the encoded result.
    void (*invoke)(std::span<const std::byte> args, std::string& result) = nullptr;
    /// Parent side: encodes the std::tuple of decayed parameters at `arguments`.
    void (*encode_arguments)(const void* arguments, std::string& out) = nullptr;
    /// Parent side: decodes a result into the std::optional<result> at `result`.
    void (*decode_result)(std::span<const std::byte> in, void* result) = nullptr;
};

/// Calls `fn` with the stored arguments: by-value parameters get them moved, reference
/// parameters get them as lvalues.
template <class R, class... Params, class Tuple>
decltype(auto) call_with(R (*fn)(Params...), Tuple& args)
{
    return std::apply([&](auto&... a) -> R { return fn(static_cast<Params&&>(a)...); }, args);
}
template <class R, class... Params, class Tuple>
decltype(auto) call_with(R (*fn)(Params...) noexcept, Tuple& args)
{
    return std::apply([&](auto&... a) -> R { return fn(static_cast<Params&&>(a)...); }, args);
}

} // namespace asyncjobs::detail

#endif
