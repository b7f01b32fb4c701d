// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_SHARED_REGION_HPP
#define ASYNCJOBS_DETAIL_SHARED_REGION_HPP

// Large frames bypass the pipes: each worker shares two memory regions with its parent,
// one per direction, and a frame that is large enough is written there while only a small
// `shared` frame, giving its size, goes through the pipe. A pipe costs two copies (into the
// kernel and out of it) and a wake-up per pipe buffer; the region costs none of that.
//
// A region is a memfd sealed against shrinking: its size only grows, so a reader that has
// checked the size can never fault on a page past the end, whatever the other side does.
// Both sides map the largest size up front (address space, not memory), so growing it
// is one ftruncate and nobody remaps. A region holds one frame at a time, at `frame_offset`;
// the word before it says whether the reader still needs it: the writer sets it, the reader
// clears it.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace asyncjobs::detail {

class shared_region {
public:
    /// Where the frame starts; the bytes before it are the control word.
    static constexpr std::size_t frame_offset = 64;
    /// Frames smaller than this go through the pipe: for them the pipe is as fast.
    static constexpr std::size_t min_frame = std::size_t{256} << 10;
    /// After a frame larger than this, the pages beyond it are given back.
    static constexpr std::size_t retained = std::size_t{16} << 20;

    shared_region() noexcept = default;
    /// A new region for frames up to `max_frame` bytes. Invalid (valid() is false) if the
    /// system has no memfd; callers then send everything through the pipes.
    static shared_region create(const char* name, std::size_t max_frame) noexcept;
    /// Maps a region received as a descriptor (the worker side); takes ownership of `fd`.
    static shared_region adopt(int fd, std::size_t max_frame) noexcept;

    shared_region(shared_region&& other) noexcept;
    shared_region& operator=(shared_region&& other) noexcept;
    shared_region(const shared_region&) = delete;
    shared_region& operator=(const shared_region&) = delete;
    ~shared_region();

    bool valid() const noexcept { return base_ != nullptr; }
    int fd() const noexcept { return fd_; }
    std::size_t max_frame() const noexcept { return max_frame_; }

    /// Writer: true if the reader is done with the last frame.
    bool available() const noexcept;
    /// Writer: how many bytes of frame the region holds now without growing.
    std::size_t reserved() const noexcept { return file_size_ > frame_offset ? file_size_ - frame_offset : 0; }
    /// Writer: true if a frame of `size` bytes may go through the region now.
    bool can_carry(std::size_t size) const noexcept;
    /// Writer: copies `frame` into the region (growing it) and marks it in use.
    /// False if the region cannot grow (no memory): send the frame through the pipe.
    bool put(std::span<const std::byte> frame) noexcept;
    /// Writer: room for a frame of `size` bytes, written in place; then publish(). Null if
    /// the region cannot grow.
    std::byte* reserve(std::size_t size) noexcept;
    /// Writer: marks the frame written in place as in use.
    void publish() noexcept;
    /// Reader: the `size` bytes of the frame the writer announced, or an empty span if the
    /// region is not that large (a malformed announcement).
    std::span<const std::byte> frame(std::size_t size) const noexcept;
    /// Reader: done with the frame of `size` bytes; the writer may reuse the region. Pages
    /// beyond `retained` that the frame used are given back first.
    void release(std::size_t size) noexcept;

private:
    shared_region(int fd, std::byte* base, std::size_t max_frame) noexcept : fd_(fd), base_(base), max_frame_(max_frame) {}
    std::atomic_ref<std::uint32_t> control() const noexcept;
    std::size_t mapping_size() const noexcept { return frame_offset + max_frame_; }
    bool grow_to(std::size_t bytes) noexcept;
    void reset() noexcept;

    int fd_ = -1;
    std::byte* base_ = nullptr;
    std::size_t max_frame_ = 0;
    mutable std::size_t file_size_ = 0;  ///< what this side last saw of the file's size (it only grows)
};

} // namespace asyncjobs::detail

#endif
