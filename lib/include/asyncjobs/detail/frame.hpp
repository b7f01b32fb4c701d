// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_FRAME_HPP
#define ASYNCJOBS_DETAIL_FRAME_HPP

// The wire format between a process pool and its workers: length-prefixed frames.
//
//   offset size  field
//   0      2     magic 0x41 0x4A ("AJ")
//   2      1     protocol version
//   3      1     kind (frame_kind)
//   4      8     task id, little-endian
//   12     4     payload size, little-endian
//   16     n     payload
//
// The decoder is a pure function over bytes so that it can be tested and fuzzed alone.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace asyncjobs::detail {

inline constexpr std::uint8_t protocol_version = 4;
inline constexpr std::size_t frame_header_size = 16;

enum class frame_kind : std::uint8_t {
    hello = 1,      ///< worker -> parent at start: protocol version and task-registry fingerprint
    call = 2,       ///< parent -> worker: run a registered task
    result = 3,     ///< worker -> parent: the task's encoded result
    failure = 4,    ///< worker -> parent: the task threw; payload is an encoded remote exception
    goodbye = 5,    ///< parent -> worker: finish queued calls, then exit
    initialize = 6, ///< parent -> worker: run the pool's initializer task once
    map_call = 7,   ///< parent -> worker: run a registered one-argument task on each of a chunk of inputs
    shared = 8,     ///< either way: the next frame is in the sender's shared region; payload: its size (8 bytes)
    started = 9,    ///< worker -> parent: it begins running this call (a call not started yet is sent again
                    ///< elsewhere if the worker dies); no payload
    skipped = 10,   ///< worker -> parent: the parent cancelled this call before the worker claimed it; not run
};

bool is_known_frame_kind(std::uint8_t kind) noexcept;
const char* frame_kind_name(frame_kind kind) noexcept;

struct frame_header {
    frame_kind kind{};
    std::uint64_t task_id = 0;
    std::uint32_t payload_size = 0;
};

/// Appends one frame to `out` (several frames may share one write).
void append_frame(std::string& out, frame_kind kind, std::uint64_t task_id, std::string_view payload);

/// Writes just the header; the caller appends `payload_size` bytes of payload after it.
void append_frame_header(std::string& out, const frame_header& header);

/// Starts a frame whose payload is encoded in place after it: returns where it starts.
std::size_t begin_frame(std::string& out);
/// Writes the header of the frame begun at `start` now that its payload follows it.
/// Throws std::length_error if the payload does not fit the 32-bit size field.
void finish_frame(std::string& out, std::size_t start, frame_kind kind, std::uint64_t task_id);

/// A call frame's payload: the task name (16-bit little-endian length, then the bytes),
/// then the encoded arguments.
void append_call_payload_name(std::string& out, std::string_view task_name);

/// Appends a `shared` frame announcing a frame of `size` bytes in the sender's shared region.
void append_shared_frame(std::string& out, std::uint64_t task_id, std::uint64_t size);
/// The size a `shared` frame announces; false if its payload is not 8 bytes.
bool read_shared_size(std::span<const std::byte> payload, std::uint64_t& size) noexcept;

struct call_payload {
    std::string_view task_name;
    std::span<const std::byte> arguments;
};
/// Splits a call payload; false if it is too short for the name it announces.
bool split_call_payload(std::span<const std::byte> payload, call_payload& out) noexcept;

enum class decode_status {
    incomplete,  ///< more bytes are needed
    complete,    ///< one frame decoded
    malformed,   ///< bad magic, version, kind, or a payload over the limit: the stream is unusable
};

struct decode_result {
    decode_status status = decode_status::incomplete;
    frame_header header;
    std::span<const std::byte> payload;  ///< points into the input buffer
    std::size_t consumed = 0;            ///< bytes of the input this frame used
    const char* error = nullptr;         ///< what was wrong, for a malformed frame
};

/// Decodes the frame at the start of `input`. A header is rejected as soon as its 16 bytes
/// are there, before any payload arrives, so a hostile length prefix costs nothing.
decode_result decode_frame(std::span<const std::byte> input, std::size_t max_payload) noexcept;

} // namespace asyncjobs::detail

#endif
