// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// libFuzzer target: the frame decoder over arbitrary bytes, as one frame and as a stream
// decoded the way the parent's dispatcher does it (decode, consume, decode again).
//
// Invariants checked on every input:
//   - consumed <= size, and the payload lies inside the input right after the header;
//   - a complete frame re-encodes with append_frame to exactly the bytes it was decoded from;
//   - an incomplete result consumed nothing, and a header that is there is within the limit;
//   - a malformed result says why;
//   - every proper prefix of a complete frame is incomplete (the decoder never reports a
//     frame, or garbage, before its bytes are all there);
//   - a call payload splits into a name and arguments that exactly cover it.
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>

#include <algorithm>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

using namespace asyncjobs::detail;

namespace {

void check(bool ok)
{
    if (!ok)
        std::abort();
}

void check_call_payload(std::span<const std::byte> payload)
{
    call_payload call;
    if (!split_call_payload(payload, call))
        return;
    check(reinterpret_cast<const std::byte*>(call.task_name.data()) == payload.data() + 2);
    check(2 + call.task_name.size() + call.arguments.size() == payload.size());
    check(call.arguments.data() == payload.data() + 2 + call.task_name.size());
}

void check_frame(std::span<const std::byte> input, std::size_t max_payload)
{
    decode_result r = decode_frame(input, max_payload);
    check(r.consumed <= input.size());
    switch (r.status) {
    case decode_status::complete: {
        check(is_known_frame_kind(static_cast<std::uint8_t>(r.header.kind)));
        check(r.header.payload_size <= max_payload);
        check(r.consumed == frame_header_size + r.header.payload_size);
        check(r.payload.size() == r.header.payload_size);
        check(r.payload.data() == input.data() + frame_header_size);
        check(r.error == nullptr);
        std::string again;
        append_frame(again, r.header.kind, r.header.task_id,
                     std::string_view(reinterpret_cast<const char*>(r.payload.data()), r.payload.size()));
        check(again.size() == r.consumed);
        check(std::equal(again.begin(), again.end(), input.begin(),
                         [](char a, std::byte b) { return static_cast<std::byte>(a) == b; }));
        // Cheap (the decoder is O(1)), but bounded so large payloads stay fast.
        for (std::size_t n = 0; n < r.consumed && n < 4096; ++n)
            check(decode_frame(input.first(n), max_payload).status == decode_status::incomplete);
        if (r.header.kind == frame_kind::call || r.header.kind == frame_kind::map_call ||
            r.header.kind == frame_kind::initialize)
            check_call_payload(r.payload);
        break;
    }
    case decode_status::incomplete:
        check(r.consumed == 0);
        check(r.payload.empty());
        if (input.size() >= frame_header_size) {
            check(r.header.payload_size <= max_payload);
            check(frame_header_size + r.header.payload_size > input.size());
        }
        break;
    case decode_status::malformed:
        check(r.consumed == 0);
        check(r.error != nullptr && r.error[0] != '\0');
        // Malformed stays malformed: a longer input cannot repair the header.
        for (std::size_t n = 0; n < input.size() && n < frame_header_size; ++n)
            check(decode_frame(input.first(n), max_payload).status != decode_status::complete);
        break;
    }
}

/// The dispatcher's loop: decode and consume until a frame is incomplete or malformed.
void check_stream(std::span<const std::byte> input, std::size_t max_payload)
{
    std::size_t offset = 0;
    for (std::size_t frames = 0; offset <= input.size(); ++frames) {
        check(frames <= input.size() / frame_header_size);  // each frame uses at least a header
        auto rest = input.subspan(offset);
        check_frame(rest, max_payload);
        decode_result r = decode_frame(rest, max_payload);
        if (r.status != decode_status::complete)
            break;
        check(r.consumed >= frame_header_size);
        offset += r.consumed;
    }
    check(offset <= input.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto input = std::as_bytes(std::span(data, size));
    check_call_payload(input);
    check_stream(input, default_max_payload);  // the pool's default limit
    check_stream(input, 64);                    // a small limit, so that "over the limit" is reachable
    check_stream(input, 0);                     // only empty payloads allowed
    return 0;
}
