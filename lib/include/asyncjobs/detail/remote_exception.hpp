// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_REMOTE_EXCEPTION_HPP
#define ASYNCJOBS_DETAIL_REMOTE_EXCEPTION_HPP

#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>

namespace asyncjobs::detail {

/// An exception as it crosses the wire (errors.hpp, remote_error, says what arrives as what).
struct exception_fields {
    std::uint8_t kind = 0;  ///< the nearest standard or asyncjobs type it is (0: none)
    bool exact = false;     ///< it is exactly that type, not a type derived from it
    std::string type_name;  ///< demangled name of the type thrown
    std::string message;    ///< its what()
    std::int32_t code = 0;         ///< std::system_error: the code's value
    std::uint8_t category = 0;     ///< std::system_error: 1 generic, 2 system
    std::int32_t exit_code = 0;    ///< worker_crashed
    std::int32_t signal = 0;       ///< worker_crashed

    template <class Archive>
    void serialize(Archive& archive, unsigned)
    {
        archive & kind & exact & type_name & message & code & category & exit_code & signal;
    }
};

exception_fields describe_for_wire(std::exception_ptr e);
std::exception_ptr rebuild_exception(exception_fields fields);

/// Worker side: appends the description of the exception `e` to `out`.
void encode_exception(std::string& out, std::exception_ptr e);

/// Parent side: rebuilds the exception as errors.hpp (remote_error) says. Throws on
/// malformed input.
std::exception_ptr decode_exception(std::span<const std::byte> in);

/// A new exception object equal to the one in `e` when its exact type is one that crosses
/// the wire as itself (standard types, asyncjobs' errors, remote_error_as<...>); otherwise
/// `e` itself. For failing many futures with one error: each gets an object of its own, so
/// that one consumer's changes (or a race on what() buffers) cannot reach another.
std::exception_ptr copy_exception(const std::exception_ptr& e) noexcept;

} // namespace asyncjobs::detail

#endif
