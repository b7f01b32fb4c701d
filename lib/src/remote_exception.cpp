// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/errors.hpp>

#include <boost/core/demangle.hpp>

#include <cstdint>
#include <new>
#include <stdexcept>
#include <typeinfo>

namespace asyncjobs::detail {

namespace {

// The standard exception types that keep their type across the process boundary. The
// numbers are part of the wire format: append, never renumber.
enum class exception_kind : std::uint8_t {
    other = 0,
    exception = 1,
    runtime_error = 2,
    logic_error = 3,
    invalid_argument = 4,
    domain_error = 5,
    length_error = 6,
    out_of_range = 7,
    range_error = 8,
    overflow_error = 9,
    underflow_error = 10,
    bad_alloc = 11,
};

exception_kind kind_of(const std::exception& e) noexcept
{
    const std::type_info& t = typeid(e);
    if (t == typeid(std::runtime_error))
        return exception_kind::runtime_error;
    if (t == typeid(std::logic_error))
        return exception_kind::logic_error;
    if (t == typeid(std::invalid_argument))
        return exception_kind::invalid_argument;
    if (t == typeid(std::domain_error))
        return exception_kind::domain_error;
    if (t == typeid(std::length_error))
        return exception_kind::length_error;
    if (t == typeid(std::out_of_range))
        return exception_kind::out_of_range;
    if (t == typeid(std::range_error))
        return exception_kind::range_error;
    if (t == typeid(std::overflow_error))
        return exception_kind::overflow_error;
    if (t == typeid(std::underflow_error))
        return exception_kind::underflow_error;
    if (t == typeid(std::bad_alloc))
        return exception_kind::bad_alloc;
    if (t == typeid(std::exception))
        return exception_kind::exception;
    return exception_kind::other;
}

template <class E>
std::exception_ptr make(const std::string& message)
{
    return std::make_exception_ptr(E(message));
}

} // namespace

exception_fields describe_for_wire(std::exception_ptr e)
{
    exception_fields f;
    f.kind = static_cast<std::uint8_t>(exception_kind::other);
    try {
        std::rethrow_exception(e);
    } catch (const remote_error& ex) {
        // Passed on from a nested pool, or raised by the worker loop itself: keep its name.
        f.type_name = ex.type_name();
        f.message = ex.message();
    } catch (const std::exception& ex) {
        f.kind = static_cast<std::uint8_t>(kind_of(ex));
        f.type_name = boost::core::demangle(typeid(ex).name());
        f.message = ex.what();
    } catch (...) {
        f.type_name = "an exception not derived from std::exception";
        f.message = "the task threw a value that is not a std::exception";
    }
    return f;
}

std::exception_ptr rebuild_exception(exception_fields f)
{
    const std::string& message = f.message;
    switch (static_cast<exception_kind>(f.kind)) {
    case exception_kind::runtime_error:
        return make<std::runtime_error>(message);
    case exception_kind::logic_error:
        return make<std::logic_error>(message);
    case exception_kind::invalid_argument:
        return make<std::invalid_argument>(message);
    case exception_kind::domain_error:
        return make<std::domain_error>(message);
    case exception_kind::length_error:
        return make<std::length_error>(message);
    case exception_kind::out_of_range:
        return make<std::out_of_range>(message);
    case exception_kind::range_error:
        return make<std::range_error>(message);
    case exception_kind::overflow_error:
        return make<std::overflow_error>(message);
    case exception_kind::underflow_error:
        return make<std::underflow_error>(message);
    case exception_kind::bad_alloc:
        return std::make_exception_ptr(std::bad_alloc());
    case exception_kind::exception:
    case exception_kind::other:
    default:
        return std::make_exception_ptr(remote_error(std::move(f.type_name), message));
    }
}

void encode_exception(std::string& out, std::exception_ptr e)
{
    encode_values(out, describe_for_wire(std::move(e)));
}

std::exception_ptr decode_exception(std::span<const std::byte> in)
{
    exception_fields f;
    decode_values(in, f);
    return rebuild_exception(std::move(f));
}

} // namespace asyncjobs::detail
