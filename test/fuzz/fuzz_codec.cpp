// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// libFuzzer target: every decoder that reads bytes a worker (or a parent) wrote, over
// arbitrary input. Each must return a value or throw a std::exception: never crash, hang,
// read out of bounds, or allocate without bound (run with -rss_limit_mb / -malloc_limit_mb).
//
// Input: byte 0 picks the decoder, byte 1 the registered task (fuzz_tasks.hpp) where one
// is needed, the rest is what the decoder reads.
//   0  parent: a task's result             (task_entry::decode_result)
//   1  parent: a map() chunk's outcomes    (task_entry::decode_chunk)
//   2  worker: a call's arguments          (task_entry::invoke), then the parent decodes the result
//   3  worker: a map() chunk's inputs      (task_entry::invoke_chunk), then the parent decodes it
//   4  parent: a failure frame's exception (decode_exception)
//   5  parent: the hello frame             (decode_hello), re-encoded and decoded again
//   6  worker: a whole call payload        (split_call_payload, registry lookup, invoke)
//   7  plain values through decode_values  (tuple of int and string, raw int and double, bool)
#include "fuzz_tasks.hpp"

#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/reply_buffer.hpp>
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>
#include <asyncjobs/map.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <tuple>

using namespace asyncjobs::detail;

namespace {

void check(bool ok)
{
    if (!ok)
        std::abort();
}

std::span<const std::byte> bytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

/// Decoders typed by the result of the registered function Fn.
template <auto Fn>
struct typed {
    using result = typename task_registration<Fn>::result;

    static void decode_result(const task_entry& entry, std::span<const std::byte> in)
    {
        std::optional<stored_t<result>> slot;
        entry.decode_result(in, &slot);
        check(slot.has_value());
    }

    static std::size_t decode_chunk(const task_entry& entry, std::span<const std::byte> in)
    {
        map_chunk<result> chunk;
        entry.decode_chunk(in, &chunk);
        for (auto& outcome : chunk)
            if (outcome.index() == 1)
                check(std::get<1>(outcome) != nullptr);
        return chunk.size();
    }
};

struct task_decoders {
    void (*decode_result)(const task_entry&, std::span<const std::byte>);
    std::size_t (*decode_chunk)(const task_entry&, std::span<const std::byte>);
};

template <auto Fn>
constexpr task_decoders decoders_of()
{
    return {&typed<Fn>::decode_result, &typed<Fn>::decode_chunk};
}

// In the order of fuzz_tasks::names.
constexpr task_decoders decoders[] = {
    decoders_of<&fuzz_tasks::add>(),         decoders_of<&fuzz_tasks::greet>(),
    decoders_of<&fuzz_tasks::echo_block>(),  decoders_of<&fuzz_tasks::tag>(),
    decoders_of<&fuzz_tasks::touch>(),       decoders_of<&fuzz_tasks::records>(),
    decoders_of<&fuzz_tasks::count_words>(), decoders_of<&fuzz_tasks::index>(),
    decoders_of<&fuzz_tasks::is_even>(),     decoders_of<&fuzz_tasks::ignore>(),
};
static_assert(sizeof(decoders) / sizeof(decoders[0]) == fuzz_tasks::task_count);

const task_entry& entry_at(std::size_t i)
{
    const task_entry* entry = task_registry::instance().find(fuzz_tasks::names[i]);
    check(entry != nullptr);
    return *entry;
}

/// The worker's encoding of what it decoded must decode on the parent's side.
void worker_call(std::size_t task, std::span<const std::byte> in)
{
    const task_entry& entry = entry_at(task);
    reply_buffer out;
    out.start(nullptr);
    entry.invoke(in, out);
    decoders[task].decode_result(entry, out.bytes());
}

void worker_chunk(std::size_t task, std::span<const std::byte> in)
{
    const task_entry& entry = entry_at(task);
    if (!entry.invoke_chunk)
        return;
    reply_buffer out;
    out.start(nullptr);
    entry.invoke_chunk(in, out);
    decoders[task].decode_chunk(entry, out.bytes());
}

void exception(std::span<const std::byte> in)
{
    std::exception_ptr e = decode_exception(in);
    check(e != nullptr);
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        check(ex.what() != nullptr);
    }
    // Anything else escapes and fails the run: the decoder must only build std::exceptions.
}

void hello(std::span<const std::byte> in)
{
    worker_hello h = decode_hello(in.data(), in.size());
    std::string again;
    encode_hello(again, h);
    worker_hello back = decode_hello(reinterpret_cast<const std::byte*>(again.data()), again.size());
    check(back.protocol == h.protocol && back.registry_fingerprint == h.registry_fingerprint && back.pid == h.pid &&
          back.duplicate_tasks == h.duplicate_tasks && back.shared_regions == h.shared_regions);
}

void call(std::span<const std::byte> in)
{
    call_payload c;
    if (!split_call_payload(in, c))
        return;
    const task_entry* entry = task_registry::instance().find(c.task_name);
    if (!entry)
        return;
    reply_buffer out;
    out.start(nullptr);
    entry->invoke(c.arguments, out);
}

void values(std::uint8_t which, std::span<const std::byte> in)
{
    switch (which % 4) {
    case 0: {
        int i = 0;
        std::string s;
        decode_values(in, i, s);
        std::string again;
        encode_values(again, i, s);
        int i2 = 0;
        std::string s2;
        decode_values(bytes(again), i2, s2);
        check(i == i2 && s == s2);
        break;
    }
    case 1: {
        int i = 0;
        double d = 0;
        decode_values(in, i, d);
        break;
    }
    case 2: {
        bool b = false;
        decode_values(in, b);
        check(b == true || b == false);
        break;
    }
    default: {
        fuzz_tasks::record r;
        std::vector<std::uint64_t> v;
        decode_values(in, r, v);
        std::string again;
        encode_values(again, r, v);
        fuzz_tasks::record r2;
        std::vector<std::uint64_t> v2;
        decode_values(bytes(again), r2, v2);
        check(v == v2 && r.id == r2.id && r.name == r2.name && r.note == r2.note && r.values.size() == r2.values.size());
        break;
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2)
        return 0;
    std::uint8_t op = data[0];
    std::size_t task = data[1] % fuzz_tasks::task_count;
    auto in = std::as_bytes(std::span(data + 2, size - 2));
    try {
        switch (op % 8) {
        case 0:
            decoders[task].decode_result(entry_at(task), in);
            break;
        case 1:
            if (entry_at(task).decode_chunk)
                decoders[task].decode_chunk(entry_at(task), in);
            break;
        case 2:
            worker_call(task, in);
            break;
        case 3:
            worker_chunk(task, in);
            break;
        case 4:
            exception(in);
            break;
        case 5:
            hello(in);
            break;
        case 6:
            call(in);
            break;
        default:
            values(data[1], in);
            break;
        }
    } catch (const std::exception&) {
        // Refusing bad input with an exception is what the decoders promise.
    }
    return 0;
}
