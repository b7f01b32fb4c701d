// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "large_call.hpp"
#include "process_pool_engine.hpp"

#include <asyncjobs/detail/buffer_block.hpp>
#include <asyncjobs/detail/byte_sink.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/shared_region.hpp>

#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>

namespace asyncjobs::detail {

namespace {

frame_kind kind_of(const call& c) noexcept { return c.remote->chunked() ? frame_kind::map_call : frame_kind::call; }

} // namespace

void encode_call_at_submit(call& c)
{
    std::size_t start = begin_frame(c.frame);
    append_call_payload_name(c.frame, c.entry->name);
    std::size_t prefix = c.frame.size() - start;
    byte_sink sink(c.frame, shared_region::min_frame);
    buffer_transport_scope buffers(buffer_transport::parent_encode, &c.pins);
    c.remote->encode_arguments(*c.entry, sink);
    if (sink.complete()) {
        finish_frame(c.frame, start, kind_of(c), c.id);
        return;
    }
    c.deferred = prefix + sink.size();
    c.frame.clear();
}

bool encode_call_into(const call& c, std::byte* at)
{
    std::string prefix;
    std::size_t payload = c.deferred - frame_header_size;
    if (payload > UINT32_MAX)
        throw std::length_error("asyncjobs: encoded arguments over 4 GiB cannot be sent; split the work into several tasks");
    append_frame_header(prefix, frame_header{kind_of(c), c.id, static_cast<std::uint32_t>(payload)});
    append_call_payload_name(prefix, c.entry->name);
    std::memcpy(at, prefix.data(), prefix.size());
    byte_sink sink(at + prefix.size(), c.deferred - prefix.size());
    buffer_transport_scope buffers(buffer_transport::parent_encode, &c.pins);
    c.remote->encode_arguments(*c.entry, sink);
    return sink.complete() && sink.size() == c.deferred - prefix.size();
}

void encode_call_whole(call& c)
{
    c.frame.clear();
    std::size_t start = begin_frame(c.frame);
    append_call_payload_name(c.frame, c.entry->name);
    byte_sink sink(c.frame);
    buffer_transport_scope buffers(buffer_transport::parent_encode, &c.pins);
    c.remote->encode_arguments(*c.entry, sink);
    finish_frame(c.frame, start, kind_of(c), c.id);
    c.deferred = 0;
}

bool process_pool_engine::place_large_call(worker& w, call_ptr& c, std::unique_lock<std::mutex>& lock)
{
    // Encoding 10 MB takes about a millisecond: not under the lock that submit() takes. Only
    // this (the I/O) thread sends to w or destroys it meanwhile.
    lock.unlock();
    std::exception_ptr failed;
    try {
        w.link.place_call(*c);
    } catch (...) {
        failed = std::current_exception();
    }
    if (failed) {
        std::deque<call_ptr> one{std::move(c)};
        fail_all(one, failed);
    }
    lock.lock();
    return !failed;
}

} // namespace asyncjobs::detail
