// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_BUFFER_BLOCK_HPP
#define ASYNCJOBS_DETAIL_BUFFER_BLOCK_HPP

// The memory behind a shared_buffer and how it crosses a process boundary. The machinery
// (the arena, the mappings, the per-thread transport) is in src/common/shared_arena.cpp.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace asyncjobs::detail {

/// Names a block of the parent's arena: its generation id (unique for the life of the
/// parent), its byte offset in the arena (page-aligned) and its size in bytes.
struct buffer_handle {
    std::uint64_t id = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};

/// Where a block's bytes live: the heap (no arena: sent by value), this process's arena
/// (sent to its pool's workers by handle), or a range of the parent's arena mapped into
/// this worker (sent back to the parent by handle).
enum class block_origin : std::uint8_t { heap, arena, mapped };

class buffer_block {
public:
    buffer_block(std::byte* data, std::size_t size, block_origin origin, buffer_handle handle) noexcept
        : data_(data), size_(size), origin_(origin), handle_(handle)
    {
    }
    buffer_block(const buffer_block&) = delete;
    buffer_block& operator=(const buffer_block&) = delete;
    virtual ~buffer_block() = default;

    std::byte* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    block_origin origin() const noexcept { return origin_; }
    const buffer_handle& handle() const noexcept { return handle_; }

private:
    std::byte* data_;
    std::size_t size_;
    block_origin origin_;
    buffer_handle handle_;
};

/// A block of `size` bytes (more than 0), zero-filled unless `zeroed` is false (the caller
/// writes every byte): in the arena when this process has one, else on the heap. Throws
/// shared_buffer_error when neither can hold it.
std::shared_ptr<buffer_block> allocate_buffer_block(std::size_t size, bool zeroed = true);

/// Whether the archive being written on this thread may carry `block` as a handle: inside a
/// process pool's encoding of a call (the block is in this process's arena; the call then
/// keeps it alive until its reply or its worker's end) or of a worker's result (the block is
/// a range of the parent's arena). Anywhere else (a thread pool never encodes; MPI, a
/// user's own archive) the bytes go inline.
bool send_by_handle(const std::shared_ptr<buffer_block>& block);

/// The block a handle read on this thread names: in a process pool's parent, a live block of
/// its arena with that id, offset and size; in a worker, that range of the parent's arena,
/// mapped. Throws std::invalid_argument for a handle that names no such block, or read
/// where no handle may come (the message says which).
std::shared_ptr<buffer_block> receive_handle(const buffer_handle& handle);

/// Set on a thread while it encodes or decodes what crosses between a process pool's
/// parent and its workers: `worker` in a worker's task codec, `parent_encode` while the
/// parent encodes a call (pins collects the blocks sent by handle), `parent_decode` on a
/// pool's I/O thread, which decodes replies.
enum class buffer_transport : std::uint8_t { none, worker, parent_encode, parent_decode };

/// The blocks a call sent by handle: held by the call until it is over (its reply
/// decoded, or its worker dead), so that no block is freed and given to another buffer
/// while a worker may still write to it. Made at the first block pinned.
struct pinned_blocks {
    std::vector<std::shared_ptr<buffer_block>> blocks;
};

class buffer_transport_scope {
public:
    explicit buffer_transport_scope(buffer_transport mode, std::unique_ptr<pinned_blocks>* pins = nullptr) noexcept;
    buffer_transport_scope(const buffer_transport_scope&) = delete;
    buffer_transport_scope& operator=(const buffer_transport_scope&) = delete;
    ~buffer_transport_scope();

private:
    buffer_transport saved_mode_;
    std::unique_ptr<pinned_blocks>* saved_pins_;
};

} // namespace asyncjobs::detail

#endif
