// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_FUNCTION_TASK_HPP
#define ASYNCJOBS_DETAIL_FUNCTION_TASK_HPP

#include <asyncjobs/detail/byte_sink.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/detail/submit_arguments.hpp>
#include <asyncjobs/detail/task.hpp>
#include <asyncjobs/detail/task_entry.hpp>
#include <asyncjobs/errors.hpp>

#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace asyncjobs::detail {

/// What a process pool needs of a task: which function, and how its arguments and result
/// cross the process boundary (through the registry entry of that function).
class remote_call {
public:
    virtual std::uintptr_t function() const noexcept = 0;
    /// The function's type, to name it in errors when the registry does not know it.
    virtual const std::type_info& function_type() const noexcept = 0;
    /// The call holds std::ref / std::cref arguments: objects of this process, which a
    /// worker cannot reach (a process pool refuses the task, naming the function).
    virtual bool shares_caller_objects() const noexcept { return false; }
    virtual void encode_arguments(const task_entry& entry, byte_sink& out) const = 0;
    /// Decodes a worker's result and completes the task with it.
    virtual void complete_from(const task_entry& entry, std::span<const std::byte> result) noexcept = 0;
    /// Completes the task with an exception (the task's own, or why it could not run).
    virtual void fail(std::exception_ptr e) noexcept = 0;
    /// A map() chunk: the worker calls the function once per input (frame_kind::map_call).
    virtual bool chunked() const noexcept { return false; }

protected:
    ~remote_call() = default;
};

/// Called in a catch block around the decoding of a worker's reply: a reply that does not
/// decode as what the task returns broke the protocol, and the error says so (the decoder's
/// own exception only says what it tripped on). Running out of memory stays itself.
inline std::exception_ptr undecodable_reply(const task_entry& entry) noexcept
{
    try {
        throw;
    } catch (const std::bad_alloc&) {
        return std::current_exception();
    } catch (const shared_buffer_error&) {  // no memory for a buffer decoded by value
        return std::current_exception();
    } catch (const std::exception& e) {
        try {
            return std::make_exception_ptr(protocol_error("asyncjobs: the worker's reply for task '" + entry.name +
                                                          "' does not decode as the task's result type: " + e.what()));
        } catch (...) {
            return std::current_exception();
        }
    } catch (...) {
        return std::current_exception();
    }
}

template <class T>
inline constexpr bool is_function_pointer_v =
    std::is_pointer_v<std::decay_t<T>> && std::is_function_v<std::remove_pointer_t<std::decay_t<T>>>;

template <class Arguments>
struct arguments_share_objects;
template <class... Stored>
struct arguments_share_objects<std::tuple<Stored...>>
    : std::bool_constant<(is_reference_wrapper_v<Stored> || ...)> {
};

/// A task that calls a plain function with stored arguments: in-process on a thread pool,
/// or encoded and sent to a worker by a process pool when the function is registered.
template <class R, class Fn, class Arguments>
class function_task_state final : public invoking_state<R>, public remote_call {
public:
    function_task_state(Fn fn, Arguments args) : fn_(fn), args_(std::in_place, std::move(args)) {}

    void run() noexcept override
    {
        if (!this->try_start()) {
            args_.reset();
            return;
        }
        this->invoke_and_store([this]() -> R { return call_with(fn_, *args_); }, [this] { args_.reset(); });
    }

    remote_call* as_remote_call() noexcept override { return this; }

    std::uintptr_t function() const noexcept override { return reinterpret_cast<std::uintptr_t>(fn_); }
    const std::type_info& function_type() const noexcept override { return typeid(Fn); }
    bool shares_caller_objects() const noexcept override { return shares; }

    void encode_arguments(const task_entry& entry, byte_sink& out) const override
    {
        // The registry's codec reads a tuple of the decayed parameters; a call with
        // reference_wrappers is refused before it gets here (shares_caller_objects).
        if constexpr (shares)
            throw std::logic_error("asyncjobs: a call with std::ref arguments cannot be encoded");
        else
            entry.encode_arguments(&*args_, out);
    }

    void complete_from(const task_entry& entry, std::span<const std::byte> bytes) noexcept override
    {
        try {
            std::optional<stored_t<R>> slot;
            entry.decode_result(bytes, &slot);
            if constexpr (std::is_void_v<R>)
                this->set_value();
            else
                this->set_value(std::move(*slot));
        } catch (...) {
            this->set_exception(undecodable_reply(entry));
        }
    }

    void fail(std::exception_ptr e) noexcept override { this->set_exception(std::move(e)); }

private:
    static constexpr bool shares = arguments_share_objects<Arguments>::value;

    void release_work() noexcept override { args_.reset(); }

    Fn fn_;
    std::optional<Arguments> args_;
};

template <class R, class... Params, class... Args>
auto make_function_task(R (*fn)(Params...), Args&&... args)
{
    static_assert(sizeof...(Params) == sizeof...(Args),
                  "asyncjobs: submit(fn, args...) needs exactly one argument for each parameter of fn");
    using arguments = std::tuple<stored_argument_t<Params, Args>...>;
    using result = std::remove_cvref_t<R>;
    return typed_state_ptr<result>(
        new function_task_state<result, R (*)(Params...), arguments>(fn, arguments(std::forward<Args>(args)...)));
}

template <class R, class... Params, class... Args>
auto make_function_task(R (*fn)(Params...) noexcept, Args&&... args)
{
    return make_function_task(static_cast<R (*)(Params...)>(fn), std::forward<Args>(args)...);
}

} // namespace asyncjobs::detail

#endif
