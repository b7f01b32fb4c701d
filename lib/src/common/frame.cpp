// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/frame.hpp>

#include <cstdint>
#include <stdexcept>

namespace asyncjobs::detail {

namespace {
constexpr std::uint8_t magic0 = 0x41;
constexpr std::uint8_t magic1 = 0x4A;

template <class T>
void put_le(std::string& out, T value)
{
    for (std::size_t i = 0; i < sizeof(T); ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

template <class T>
T get_le(std::span<const std::byte> in, std::size_t offset) noexcept
{
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
        value |= static_cast<T>(std::to_integer<std::uint8_t>(in[offset + i])) << (8 * i);
    return value;
}
} // namespace

bool is_known_frame_kind(std::uint8_t kind) noexcept
{
    return kind >= static_cast<std::uint8_t>(frame_kind::hello) && kind <= static_cast<std::uint8_t>(frame_kind::skipped);
}

const char* frame_kind_name(frame_kind kind) noexcept
{
    switch (kind) {
    case frame_kind::hello:
        return "hello";
    case frame_kind::call:
        return "call";
    case frame_kind::result:
        return "result";
    case frame_kind::failure:
        return "failure";
    case frame_kind::goodbye:
        return "goodbye";
    case frame_kind::initialize:
        return "initialize";
    case frame_kind::map_call:
        return "map_call";
    case frame_kind::shared:
        return "shared";
    case frame_kind::started:
        return "started";
    case frame_kind::skipped:
        return "skipped";
    }
    return "unknown";
}

void append_frame_header(std::string& out, const frame_header& header)
{
    out.push_back(static_cast<char>(magic0));
    out.push_back(static_cast<char>(magic1));
    out.push_back(static_cast<char>(protocol_version));
    out.push_back(static_cast<char>(header.kind));
    put_le<std::uint64_t>(out, header.task_id);
    put_le<std::uint32_t>(out, header.payload_size);
}

void append_frame(std::string& out, frame_kind kind, std::uint64_t task_id, std::string_view payload)
{
    out.reserve(out.size() + frame_header_size + payload.size());
    append_frame_header(out, frame_header{kind, task_id, static_cast<std::uint32_t>(payload.size())});
    out.append(payload);
}

std::size_t begin_frame(std::string& out)
{
    std::size_t start = out.size();
    out.append(frame_header_size, '\0');
    return start;
}

void finish_frame(std::string& out, std::size_t start, frame_kind kind, std::uint64_t task_id)
{
    std::size_t payload = out.size() - start - frame_header_size;
    if (payload > UINT32_MAX)
        throw std::length_error("asyncjobs: a frame payload over 4 GiB cannot be sent; split the data into several tasks");
    std::string header;
    append_frame_header(header, frame_header{kind, task_id, static_cast<std::uint32_t>(payload)});
    out.replace(start, frame_header_size, header);
}

void append_call_payload_name(std::string& out, std::string_view task_name)
{
    if (task_name.size() > UINT16_MAX)
        throw std::length_error("asyncjobs: task name longer than 65535 bytes");
    put_le<std::uint16_t>(out, static_cast<std::uint16_t>(task_name.size()));
    out.append(task_name);
}

void append_shared_frame(std::string& out, std::uint64_t task_id, std::uint64_t size)
{
    append_frame_header(out, frame_header{frame_kind::shared, task_id, sizeof(std::uint64_t)});
    put_le<std::uint64_t>(out, size);
}

bool read_shared_size(std::span<const std::byte> payload, std::uint64_t& size) noexcept
{
    if (payload.size() != sizeof(std::uint64_t))
        return false;
    size = get_le<std::uint64_t>(payload, 0);
    return true;
}

bool split_call_payload(std::span<const std::byte> payload, call_payload& out) noexcept
{
    if (payload.size() < 2)
        return false;
    std::size_t length = get_le<std::uint16_t>(payload, 0);
    if (payload.size() < 2 + length)
        return false;
    out.task_name = std::string_view(reinterpret_cast<const char*>(payload.data()) + 2, length);
    out.arguments = payload.subspan(2 + length);
    return true;
}

decode_result decode_frame(std::span<const std::byte> input, std::size_t max_payload) noexcept
{
    decode_result r;
    // Check what has arrived of the header byte by byte, so garbage is reported early.
    auto byte_at = [&](std::size_t i) { return std::to_integer<std::uint8_t>(input[i]); };
    auto malformed = [&](const char* why) {
        r.status = decode_status::malformed;
        r.error = why;
        return r;
    };
    if (input.size() >= 1 && byte_at(0) != magic0)
        return malformed("bad magic: the peer is not an asyncjobs worker, or its output is corrupt");
    if (input.size() >= 2 && byte_at(1) != magic1)
        return malformed("bad magic: the peer is not an asyncjobs worker, or its output is corrupt");
    if (input.size() >= 3 && byte_at(2) != protocol_version)
        return malformed("protocol version mismatch: the worker was built from a different asyncjobs version");
    if (input.size() >= 4 && !is_known_frame_kind(byte_at(3)))
        return malformed("unknown frame kind");
    if (input.size() < frame_header_size)
        return r;
    r.header.kind = static_cast<frame_kind>(byte_at(3));
    r.header.task_id = get_le<std::uint64_t>(input, 4);
    r.header.payload_size = get_le<std::uint32_t>(input, 12);
    if (r.header.payload_size > max_payload)
        return malformed("frame payload larger than the configured limit");
    std::size_t total = frame_header_size + r.header.payload_size;
    if (input.size() < total)
        return r;
    r.status = decode_status::complete;
    r.payload = input.subspan(frame_header_size, r.header.payload_size);
    r.consumed = total;
    return r;
}

} // namespace asyncjobs::detail
