// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/errors.hpp>

#include <boost/core/demangle.hpp>

#include <cxxabi.h>

#include <cstdint>
#include <functional>
#include <new>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <typeinfo>
#include <variant>

namespace asyncjobs::detail {

namespace {

// The types that cross the process boundary as themselves, and serve as the nearest base
// of types that do not. The numbers are part of the wire format (protocol_version).
enum class exception_kind : std::uint8_t {
    none = 0,  // std::exception alone, or not a std::exception: remote_error
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
    system_error = 12,
    bad_array_new_length = 13,
    bad_cast = 14,
    bad_typeid = 15,
    bad_function_call = 16,
    bad_optional_access = 17,
    bad_variant_access = 18,
    bad_exception = 19,
    error = 32,
    cancelled_error = 33,
    timeout_error = 34,
    shutdown_error = 35,
    broken_executor = 36,
    invalid_future = 37,
    worker_crashed = 38,
    task_timeout = 39,
    protocol_error = 40,
    task_not_registered = 41,
    remote_error = 42,
    memory_limit_exceeded = 43,
    shared_buffer_error = 44,
};

enum class error_category : std::uint8_t { none = 0, generic = 1, system = 2 };

const std::error_category* category_of(std::uint8_t c) noexcept
{
    switch (static_cast<error_category>(c)) {
    case error_category::generic:
        return &std::generic_category();
    case error_category::system:
        return &std::system_category();
    default:
        return nullptr;
    }
}

template <class T>
void note(exception_fields& f, const T& e, exception_kind k)
{
    f.kind = static_cast<std::uint8_t>(k);
    f.exact = typeid(e) == typeid(T);
}

/// The standard or asyncjobs type nearest to the exception in flight: catch clauses run in
/// order, so each derived type comes before its bases.
void classify_current(exception_fields& f)
{
    using k = exception_kind;
    try {
        throw;
    } catch (const remote_error& e) {
        note(f, e, k::remote_error);
    } catch (const cancelled_error& e) {
        note(f, e, k::cancelled_error);
    } catch (const timeout_error& e) {
        note(f, e, k::timeout_error);
    } catch (const shutdown_error& e) {
        note(f, e, k::shutdown_error);
    } catch (const broken_executor& e) {
        note(f, e, k::broken_executor);
    } catch (const invalid_future& e) {
        note(f, e, k::invalid_future);
    } catch (const worker_crashed& e) {
        note(f, e, k::worker_crashed);
        f.exit_code = e.exit_code();
        f.signal = e.signal();
    } catch (const task_timeout& e) {
        note(f, e, k::task_timeout);
    } catch (const protocol_error& e) {
        note(f, e, k::protocol_error);
    } catch (const task_not_registered& e) {
        note(f, e, k::task_not_registered);
    } catch (const memory_limit_exceeded& e) {
        note(f, e, k::memory_limit_exceeded);
    } catch (const shared_buffer_error& e) {
        note(f, e, k::shared_buffer_error);
    } catch (const error& e) {
        note(f, e, k::error);
    } catch (const std::system_error& e) {
        const std::error_category& c = e.code().category();
        auto known = c == std::generic_category() ? error_category::generic
                     : c == std::system_category() ? error_category::system
                                                    : error_category::none;
        if (known == error_category::none) {
            // Another category (iostream, future, a user's) does not exist as an object on
            // the other side: the code cannot be rebuilt, the runtime_error base can.
            f.kind = static_cast<std::uint8_t>(k::runtime_error);
            f.exact = false;
        } else {
            note(f, e, k::system_error);
            f.code = e.code().value();
            f.category = static_cast<std::uint8_t>(known);
        }
    } catch (const std::range_error& e) {
        note(f, e, k::range_error);
    } catch (const std::overflow_error& e) {
        note(f, e, k::overflow_error);
    } catch (const std::underflow_error& e) {
        note(f, e, k::underflow_error);
    } catch (const std::runtime_error& e) {
        note(f, e, k::runtime_error);
    } catch (const std::invalid_argument& e) {
        note(f, e, k::invalid_argument);
    } catch (const std::domain_error& e) {
        note(f, e, k::domain_error);
    } catch (const std::length_error& e) {
        note(f, e, k::length_error);
    } catch (const std::out_of_range& e) {
        note(f, e, k::out_of_range);
    } catch (const std::logic_error& e) {
        note(f, e, k::logic_error);
    } catch (const std::bad_array_new_length& e) {
        note(f, e, k::bad_array_new_length);
    } catch (const std::bad_alloc& e) {
        note(f, e, k::bad_alloc);
    } catch (const std::bad_cast& e) {
        note(f, e, k::bad_cast);
    } catch (const std::bad_typeid& e) {
        note(f, e, k::bad_typeid);
    } catch (const std::bad_function_call& e) {
        note(f, e, k::bad_function_call);
    } catch (const std::bad_optional_access& e) {
        note(f, e, k::bad_optional_access);
    } catch (const std::bad_variant_access& e) {
        note(f, e, k::bad_variant_access);
    } catch (const std::bad_exception& e) {
        note(f, e, k::bad_exception);
    } catch (...) {
        f.kind = static_cast<std::uint8_t>(k::none);
        f.exact = false;
    }
}

/// Describes `e` and returns the type_info of the object it holds.
const std::type_info& describe(const std::exception_ptr& e, exception_fields& f)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        classify_current(f);
        // An exception passed on from a nested pool keeps the name of what the task threw.
        if (auto origin = dynamic_cast<const remote_origin*>(&ex)) {
            f.type_name = origin->type_name();
            f.message = origin->message();
        } else {
            f.type_name = boost::core::demangle(typeid(ex).name());
            f.message = ex.what();
        }
        return typeid(ex);
    } catch (...) {
        const std::type_info* t = abi::__cxa_current_exception_type();
        f.kind = static_cast<std::uint8_t>(exception_kind::none);
        f.exact = false;
        f.type_name = t ? boost::core::demangle(t->name()) : "an unknown type";
        f.message = "the task threw a value of type " + f.type_name + ", which is not derived from std::exception";
        return t ? *t : typeid(void);
    }
}

template <class E>
std::exception_ptr finish(E base, exception_fields& f)
{
    // A type whose message cannot be set (std::bad_variant_access says which access failed)
    // keeps its message as remote_error_as<itself>: still caught as itself.
    if (f.exact && f.message != base.what())
        f.exact = false;
    if (f.exact)
        return std::make_exception_ptr(std::move(base));
    return std::make_exception_ptr(remote_error_as<E>(std::move(base), std::move(f.type_name), std::move(f.message)));
}

/// std::system_error's what() is "<what_arg>: <code's message>": rebuilding it from the
/// what_arg gives the same what() back.
std::exception_ptr rebuild_system_error(exception_fields& f, const std::error_category& category)
{
    std::error_code code(f.code, category);
    if (!f.exact)
        return finish(std::system_error(code), f);
    std::string suffix = ": " + code.message();
    const std::string& m = f.message;
    if (m.size() >= suffix.size() && m.compare(m.size() - suffix.size(), suffix.size(), suffix) == 0)
        return std::make_exception_ptr(std::system_error(code, m.substr(0, m.size() - suffix.size())));
    if (m == code.message())
        return std::make_exception_ptr(std::system_error(code));
    // A what() of another shape: keep it word for word, and the code.
    f.exact = false;
    return finish(std::system_error(code), f);
}

} // namespace

exception_fields describe_for_wire(std::exception_ptr e)
{
    exception_fields f;
    describe(e, f);
    return f;
}

std::exception_ptr rebuild_exception(exception_fields f)
{
    using k = exception_kind;
    const std::string& m = f.message;
    switch (static_cast<k>(f.kind)) {
    case k::runtime_error:
        return finish(std::runtime_error(m), f);
    case k::logic_error:
        return finish(std::logic_error(m), f);
    case k::invalid_argument:
        return finish(std::invalid_argument(m), f);
    case k::domain_error:
        return finish(std::domain_error(m), f);
    case k::length_error:
        return finish(std::length_error(m), f);
    case k::out_of_range:
        return finish(std::out_of_range(m), f);
    case k::range_error:
        return finish(std::range_error(m), f);
    case k::overflow_error:
        return finish(std::overflow_error(m), f);
    case k::underflow_error:
        return finish(std::underflow_error(m), f);
    case k::bad_alloc:
        return finish(std::bad_alloc(), f);
    case k::system_error:
        if (const std::error_category* c = category_of(f.category))
            return rebuild_system_error(f, *c);
        f.exact = false;
        return finish(std::runtime_error(m), f);
    case k::bad_array_new_length:
        return finish(std::bad_array_new_length(), f);
    case k::bad_cast:
        return finish(std::bad_cast(), f);
    case k::bad_typeid:
        return finish(std::bad_typeid(), f);
    case k::bad_function_call:
        return finish(std::bad_function_call(), f);
    case k::bad_optional_access:
        return finish(std::bad_optional_access(), f);
    case k::bad_variant_access:
        return finish(std::bad_variant_access(), f);
    case k::bad_exception:
        return finish(std::bad_exception(), f);
    case k::error:
        return finish(error(m), f);
    case k::cancelled_error:
        return finish(cancelled_error(m), f);
    case k::timeout_error:
        return finish(timeout_error(m), f);
    case k::shutdown_error:
        return finish(shutdown_error(m), f);
    case k::broken_executor:
        return finish(broken_executor(m), f);
    case k::invalid_future:
        return finish(invalid_future(m), f);
    case k::worker_crashed:
        return finish(worker_crashed(f.exit_code, f.signal, m), f);
    case k::task_timeout:
        return finish(task_timeout(m), f);
    case k::protocol_error:
        return finish(protocol_error(m), f);
    case k::task_not_registered:
        return finish(task_not_registered(m), f);
    case k::memory_limit_exceeded:
        return finish(memory_limit_exceeded(m), f);
    case k::shared_buffer_error:
        return finish(shared_buffer_error(m), f);
    case k::remote_error:  // a remote_error_as<remote_error> would be a remote_origin twice
    case k::none:
    default:
        return std::make_exception_ptr(remote_error(std::move(f.type_name), m));
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

std::exception_ptr copy_exception(const std::exception_ptr& e) noexcept
{
    if (!e)
        return e;
    try {
        exception_fields f;
        const std::type_info& original = describe(e, f);
        std::exception_ptr copy = rebuild_exception(std::move(f));
        try {
            std::rethrow_exception(copy);
        } catch (const std::exception& c) {
            // Only a copy of the very same type will do; a user's own type cannot be
            // copied from here, and is shared.
            if (typeid(c) == original)
                return copy;
        }
    } catch (...) {
    }
    return e;
}

} // namespace asyncjobs::detail
