// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_REMOTE_EXCEPTION_HPP
#define ASYNCJOBS_DETAIL_REMOTE_EXCEPTION_HPP

#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>

namespace asyncjobs::detail {

/// An exception as it crosses the wire: a kind (standard types keep their type), the
/// demangled type name and the message.
struct exception_fields {
    std::uint8_t kind = 0;
    std::string type_name;
    std::string message;

    template <class Archive>
    void serialize(Archive& archive, unsigned)
    {
        archive & kind & type_name & message;
    }
};

exception_fields describe_for_wire(std::exception_ptr e);
std::exception_ptr rebuild_exception(exception_fields fields);

/// Worker side: appends the type name, message and (for standard types) the kind of the
/// exception `e` to `out`.
void encode_exception(std::string& out, std::exception_ptr e);

/// Parent side: rebuilds the exception. Standard exception types come back as themselves;
/// any other type as asyncjobs::remote_error carrying its name. Throws on malformed input.
std::exception_ptr decode_exception(std::span<const std::byte> in);

} // namespace asyncjobs::detail

#endif
