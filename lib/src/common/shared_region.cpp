// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/shared_region.hpp>

#include <algorithm>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace asyncjobs::detail {

namespace {
constexpr std::uint32_t region_free = 0;
constexpr std::uint32_t region_in_use = 1;
} // namespace

shared_region shared_region::create(const char* name, std::size_t max_frame) noexcept
{
    int fd = ::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return {};
    // Sealed against shrinking, so that neither side can ever make the other touch a page
    // past the end of the file; the seals themselves are sealed.
    if (::ftruncate(fd, frame_offset) != 0 || ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_SEAL) != 0) {
        ::close(fd);
        return {};
    }
    return adopt(fd, max_frame);
}

shared_region shared_region::adopt(int fd, std::size_t max_frame) noexcept
{
    struct stat st{};
    if (fd < 0 || ::fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) < frame_offset ||
        (::fcntl(fd, F_GET_SEALS) & F_SEAL_SHRINK) == 0) {
        if (fd >= 0)
            ::close(fd);
        return {};
    }
    void* base = ::mmap(nullptr, frame_offset + max_frame, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        ::close(fd);
        return {};
    }
    shared_region region(fd, static_cast<std::byte*>(base), max_frame);
    region.file_size_ = static_cast<std::size_t>(st.st_size);
    return region;
}

shared_region::shared_region(shared_region&& other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , base_(std::exchange(other.base_, nullptr))
    , max_frame_(std::exchange(other.max_frame_, 0))
    , file_size_(std::exchange(other.file_size_, 0))
{
}

shared_region& shared_region::operator=(shared_region&& other) noexcept
{
    if (this != &other) {
        reset();
        fd_ = std::exchange(other.fd_, -1);
        base_ = std::exchange(other.base_, nullptr);
        max_frame_ = std::exchange(other.max_frame_, 0);
        file_size_ = std::exchange(other.file_size_, 0);
    }
    return *this;
}

shared_region::~shared_region() { reset(); }

void shared_region::reset() noexcept
{
    if (base_)
        ::munmap(base_, mapping_size());
    if (fd_ >= 0)
        ::close(fd_);
    base_ = nullptr;
    fd_ = -1;
}

std::atomic_ref<std::uint32_t> shared_region::control() const noexcept
{
    return std::atomic_ref<std::uint32_t>(*reinterpret_cast<std::uint32_t*>(base_));
}

bool shared_region::available() const noexcept
{
    return valid() && control().load(std::memory_order_acquire) == region_free;
}

bool shared_region::can_carry(std::size_t size) const noexcept
{
    return size >= min_frame && size <= max_frame_ && available();
}

bool shared_region::grow_to(std::size_t bytes) noexcept
{
    if (bytes <= file_size_)
        return true;
    // Grow in large steps: each ftruncate is a system call and the pages cost nothing
    // until they are touched.
    std::size_t target = std::min(mapping_size(), std::max(bytes, file_size_ + (file_size_ >> 1)));
    if (::ftruncate(fd_, static_cast<off_t>(target)) != 0)
        return false;
    file_size_ = target;
    return true;
}

std::byte* shared_region::reserve(std::size_t size) noexcept
{
    if (!valid() || size > max_frame_ || !grow_to(frame_offset + size))
        return nullptr;
    return base_ + frame_offset;
}

void shared_region::publish() noexcept { control().store(region_in_use, std::memory_order_release); }

bool shared_region::put(std::span<const std::byte> frame) noexcept
{
    std::byte* at = reserve(frame.size());
    if (!at)
        return false;
    std::memcpy(at, frame.data(), frame.size());
    publish();
    return true;
}

std::span<const std::byte> shared_region::frame(std::size_t size) const noexcept
{
    if (!valid() || size > max_frame_)
        return {};
    if (frame_offset + size > file_size_) {
        // The writer grew the file; the size only grows, so one look is enough.
        struct stat st{};
        if (::fstat(fd_, &st) != 0)
            return {};
        file_size_ = static_cast<std::size_t>(st.st_size);
        if (frame_offset + size > file_size_)
            return {};
    }
    return {base_ + frame_offset, size};
}

void shared_region::release(std::size_t size) noexcept
{
    if (!valid())
        return;
    if (size > retained) {
        // A huge frame must not pin its memory for the worker's lifetime. The file keeps its
        // size (it may not shrink); the pages read as zeros until they are written again.
        ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(frame_offset + retained),
                    static_cast<off_t>(size - retained));
    }
    control().store(region_free, std::memory_order_release);
}

} // namespace asyncjobs::detail
