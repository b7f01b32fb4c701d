// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "shared_arena.hpp"

#include <asyncjobs/detail/worker_protocol.hpp>
#include <asyncjobs/shared_buffer.hpp>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace asyncjobs::detail {

namespace {

std::size_t page_size() noexcept
{
    static const std::size_t page = [] {
        long p = ::sysconf(_SC_PAGESIZE);
        return p > 0 ? static_cast<std::size_t>(p) : std::size_t{4096};
    }();
    return page;
}

std::size_t round_to_pages(std::size_t n) noexcept { return (n + page_size() - 1) / page_size() * page_size(); }

std::string mib(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

/// This process's arena: a memfd as large as physical memory (sparse: pages exist only in
/// live blocks), mapped whole here once, sealed at that size so that no mapping of it can
/// ever fault past its end. Its bookkeeping (free ranges, live blocks) lives in this
/// process only, under one mutex: a worker never takes a lock here, so a dying worker
/// cannot leave one held.
class arena {
public:
    /// The arena of this process, made when `make_one` and there is none: it lives while a
    /// buffer or a pool's worker needs it (each holds a reference), so a program that has
    /// dropped its pools and buffers keeps no descriptor or mapping of it. Null without
    /// one, and in a fork() child of the process that used it first (its copies of the
    /// parent's bookkeeping, and the lock, may be mid-update).
    static std::shared_ptr<arena> instance(bool make_one = true)
    {
        static const pid_t first_user = ::getpid();
        if (first_user != ::getpid())
            return nullptr;
        // Never destroyed: buffers may outlive static destruction (a global shared_buffer).
        static registry* const r = new registry;
        std::lock_guard lock(r->mutex);
        if (auto current = r->current.lock())
            return current;
        if (!make_one || r->unavailable)
            return nullptr;
        std::shared_ptr<arena> made(make());
        r->unavailable = !made;  // no memfd, or switched off: the answer does not change
        r->current = made;
        return made;
    }

    ~arena()
    {
        ::munmap(base_, capacity_);
        ::close(fd_);
    }

    int fd() const noexcept { return fd_; }

    std::shared_ptr<buffer_block> allocate(const std::shared_ptr<arena>& self, std::size_t size, bool zeroed)
    {
        const std::size_t length = round_to_pages(size);
        std::size_t offset = 0;
        if (take_warm(length, offset)) {
            // Its pages are still there, and mapped here: no fault, no kernel zeroing.
            if (zeroed)
                std::memset(base_ + offset, 0, length);
        } else {
            offset = take(length, size);
            // Pages now, not at the first write: out of memory is an error here, not a
            // SIGBUS in whatever code first touches the buffer.
            if (::fallocate(fd_, 0, static_cast<off_t>(offset), static_cast<off_t>(length)) != 0) {
                int error = errno;
                give(offset, length);
                throw shared_buffer_error("asyncjobs: the system has no memory for a shared_buffer of " +
                                          std::to_string(size) + " bytes (" + std::strerror(error) +
                                          "); free buffers you no longer need, or allocate less");
            }
        }
        const std::uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
        auto block = std::make_shared<arena_block>(self, base_ + offset, size, buffer_handle{id, offset, size}, length);
        std::lock_guard lock(mutex_);
        live_.emplace(id, block);
        return block;
    }

    std::shared_ptr<buffer_block> find(const buffer_handle& h)
    {
        if (h.size == 0 || h.offset > capacity_ || h.size > capacity_ - h.offset)
            throw std::invalid_argument("asyncjobs: a shared_buffer handle in the worker's reply lies outside this "
                                        "process's arena (offset " + std::to_string(h.offset) + ", " +
                                        std::to_string(h.size) + " bytes, arena of " + std::to_string(capacity_) +
                                        " bytes)");
        std::lock_guard lock(mutex_);
        auto it = live_.find(h.id);
        std::shared_ptr<buffer_block> block = it == live_.end() ? nullptr : it->second.lock();
        if (!block || block->handle().offset != h.offset || block->size() != h.size)
            throw std::invalid_argument("asyncjobs: a shared_buffer handle in the worker's reply names no live buffer "
                                        "of this process (id " + std::to_string(h.id) + ", offset " +
                                        std::to_string(h.offset) + ", " + std::to_string(h.size) +
                                        " bytes): a worker can return only buffers the parent still holds");
        return block;
    }

    std::size_t in_use() const noexcept
    {
        std::lock_guard lock(mutex_);
        return in_use_;
    }

private:
    class arena_block final : public buffer_block {
    public:
        arena_block(std::shared_ptr<arena> owner, std::byte* data, std::size_t size, buffer_handle handle,
                    std::size_t length) noexcept
            : buffer_block(data, size, block_origin::arena, handle), owner_(std::move(owner)), length_(length)
        {
        }
        ~arena_block() override { owner_->release(handle(), length_); }

    private:
        std::shared_ptr<arena> owner_;  // the arena lives as long as its blocks
        std::size_t length_;
    };

    struct registry {
        std::mutex mutex;
        std::weak_ptr<arena> current;
        bool unavailable = false;
    };

    arena(int fd, std::byte* base, std::size_t capacity) noexcept
        : fd_(fd), base_(base), capacity_(capacity), owner_(::getpid())
    {
        free_.emplace(0, capacity);
    }

    static arena* make() noexcept
    {
        if (const char* setting = std::getenv("ASYNCJOBS_SHARED_ARENA"); setting && std::string_view(setting) == "off")
            return nullptr;
        long pages = ::sysconf(_SC_PHYS_PAGES);
        std::size_t capacity = round_to_pages(pages > 0 ? static_cast<std::size_t>(pages) * page_size()
                                                        : std::size_t{1} << 30);
        int fd = ::memfd_create("asyncjobs-shared-buffers", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
            return nullptr;
        if (::ftruncate(fd, static_cast<off_t>(capacity)) != 0 ||
            ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
            ::close(fd);
            return nullptr;
        }
        void* base = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
        if (base == MAP_FAILED) {
            ::close(fd);
            return nullptr;
        }
        return new (std::nothrow) arena(fd, static_cast<std::byte*>(base), capacity);
    }

    /// First fit among the free ranges.
    std::size_t take(std::size_t length, std::size_t size)
    {
        std::lock_guard lock(mutex_);
        for (auto it = free_.begin(); it != free_.end(); ++it) {
            if (it->second < length)
                continue;
            std::size_t offset = it->first;
            std::size_t left = it->second - length;
            free_.erase(it);
            if (left)
                free_.emplace(offset + length, left);
            in_use_ += length;
            return offset;
        }
        throw shared_buffer_error("asyncjobs: no room in the shared arena for a shared_buffer of " +
                                  std::to_string(size) + " bytes (" + mib(in_use_) + " of " + mib(capacity_) +
                                  " in use, the arena is as large as physical memory); free buffers you no longer "
                                  "need, or allocate less");
    }

    /// Returns a range to the free list, merged with its neighbours.
    void give(std::size_t offset, std::size_t length) noexcept
    {
        std::lock_guard lock(mutex_);
        give_locked(offset, length);
    }

    void give_locked(std::size_t offset, std::size_t length) noexcept
    {
        in_use_ -= length;
        auto next = free_.lower_bound(offset);
        if (next != free_.end() && offset + length == next->first) {
            length += next->second;
            next = free_.erase(next);
        }
        if (next != free_.begin()) {
            auto before = std::prev(next);
            if (before->first + before->second == offset) {
                before->second += length;
                return;
            }
        }
        free_.emplace_hint(next, offset, length);
    }

    /// A freed range of exactly `length` bytes whose pages are kept (warm_).
    bool take_warm(std::size_t length, std::size_t& offset) noexcept
    {
        std::lock_guard lock(mutex_);
        auto it = warm_.find(length);
        if (it == warm_.end())
            return false;
        offset = it->second;
        warm_.erase(it);
        warm_bytes_ -= length;
        in_use_ += length;
        return true;
    }

    void release(const buffer_handle& h, std::size_t length) noexcept
    {
        // A fork() child's copy of a buffer must not free the parent's pages, nor take a
        // mutex that may have been copied locked.
        if (::getpid() != owner_)
            return;
        // Up to warm_limit of freed blocks keep their pages, for the next allocation of the
        // same size (a buffer decoded by value each call, a loop that allocates one per
        // task): a fresh block costs the kernel's zeroing and a page fault per page on each
        // side. Beyond that, the largest kept block gives its memory back to the system.
        std::size_t punch_offset = 0, punch_length = 0;
        {
            std::lock_guard lock(mutex_);
            live_.erase(h.id);
            in_use_ -= length;
            if (length <= warm_limit) {
                warm_.emplace(length, h.offset);
                warm_bytes_ += length;
                if (warm_bytes_ <= warm_limit)
                    return;
                auto largest = std::prev(warm_.end());
                punch_length = largest->first;
                punch_offset = largest->second;
                warm_bytes_ -= punch_length;
                warm_.erase(largest);
            } else {
                punch_offset = h.offset;
                punch_length = length;
            }
        }
        ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(punch_offset),
                    static_cast<off_t>(punch_length));
        std::lock_guard lock(mutex_);
        in_use_ += punch_length;  // give_locked counts it out again
        give_locked(punch_offset, punch_length);
    }

    static constexpr std::size_t warm_limit = std::size_t{64} << 20;

    int fd_;
    std::byte* base_;
    std::size_t capacity_;
    pid_t owner_;
    std::atomic<std::uint64_t> next_id_{1};
    mutable std::mutex mutex_;
    std::map<std::size_t, std::size_t> free_;  ///< offset -> length
    std::unordered_map<std::uint64_t, std::weak_ptr<buffer_block>> live_;
    std::size_t in_use_ = 0;
    std::multimap<std::size_t, std::size_t> warm_;  ///< length -> offset: freed, pages kept
    std::size_t warm_bytes_ = 0;
};

class heap_block final : public buffer_block {
public:
    heap_block(std::byte* data, std::size_t size) noexcept : buffer_block(data, size, block_origin::heap, {}) {}
    ~heap_block() override { delete[] data(); }
};

/// A range of the parent's arena, mapped into this worker for as long as a shared_buffer
/// holds it.
class mapped_block final : public buffer_block {
public:
    mapped_block(std::byte* data, std::size_t size, buffer_handle handle, std::size_t length) noexcept
        : buffer_block(data, size, block_origin::mapped, handle), length_(length)
    {
    }
    ~mapped_block() override { ::munmap(data(), length_); }

private:
    std::size_t length_;
};

/// The parent's arena as this worker received it.
int parent_arena_fd = -1;
std::size_t parent_arena_size = 0;

std::shared_ptr<buffer_block> map_parent_range(const buffer_handle& h)
{
    if (parent_arena_fd < 0)
        throw std::invalid_argument("asyncjobs: a shared_buffer arrived by handle, but this worker has no access to "
                                    "its parent's shared arena (it was not started by a process pool, or its "
                                    "descriptor was closed)");
    if (h.size == 0 || h.offset % page_size() != 0 || h.offset > parent_arena_size ||
        h.size > parent_arena_size - h.offset)
        throw std::invalid_argument("asyncjobs: a shared_buffer handle from the parent lies outside its arena");
    const std::size_t length = round_to_pages(static_cast<std::size_t>(h.size));
    void* at = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, parent_arena_fd, static_cast<off_t>(h.offset));
    if (at == MAP_FAILED)
        throw shared_buffer_error("asyncjobs: this worker cannot map a shared_buffer of " + std::to_string(h.size) +
                                  " bytes (" + std::strerror(errno) + "); raise its address-space limit, or send less");
    return std::make_shared<mapped_block>(static_cast<std::byte*>(at), static_cast<std::size_t>(h.size), h, length);
}

thread_local buffer_transport current_mode = buffer_transport::none;
thread_local std::unique_ptr<pinned_blocks>* current_pins = nullptr;

} // namespace

std::shared_ptr<buffer_block> allocate_buffer_block(std::size_t size, bool zeroed)
{
    if (auto a = arena::instance())
        return a->allocate(a, size, zeroed);
    try {
        return std::make_shared<heap_block>(zeroed ? new std::byte[size]() : new std::byte[size], size);
    } catch (const std::bad_alloc&) {
        throw shared_buffer_error("asyncjobs: out of memory for a shared_buffer of " + std::to_string(size) +
                                  " bytes; free buffers you no longer need, or allocate less");
    }
}

bool send_by_handle(const std::shared_ptr<buffer_block>& block)
{
    switch (current_mode) {
    case buffer_transport::parent_encode:
        // Only blocks of this process's own arena: its workers share no other memory.
        if (block->origin() != block_origin::arena || !current_pins || !arena::instance(false))
            return false;
        if (!*current_pins)
            *current_pins = std::make_unique<pinned_blocks>();
        (*current_pins)->blocks.push_back(block);
        return true;
    case buffer_transport::worker:
        return block->origin() == block_origin::mapped;
    default:
        return false;
    }
}

std::shared_ptr<buffer_block> receive_handle(const buffer_handle& handle)
{
    switch (current_mode) {
    case buffer_transport::parent_decode:
        if (auto a = arena::instance(false))
            return a->find(handle);
        throw std::invalid_argument("asyncjobs: a shared_buffer handle arrived, but this process has no shared arena");
    case buffer_transport::worker:
        return map_parent_range(handle);
    default:
        throw std::invalid_argument("asyncjobs: a shared_buffer handle can be read only between a process pool and "
                                    "its workers; this archive holds one elsewhere");
    }
}

buffer_transport_scope::buffer_transport_scope(buffer_transport mode, std::unique_ptr<pinned_blocks>* pins) noexcept
    : saved_mode_(current_mode), saved_pins_(current_pins)
{
    current_mode = mode;
    current_pins = pins;
}

buffer_transport_scope::~buffer_transport_scope()
{
    current_mode = saved_mode_;
    current_pins = saved_pins_;
}

std::shared_ptr<void> arena_for_workers(int& fd)
{
    auto a = arena::instance();
    fd = a ? a->fd() : -1;
    return a;
}

void adopt_parent_arena() noexcept
{
    struct stat st {};
    int fd = worker_arena_fd;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (::fcntl(fd, F_GET_SEALS) & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW))
        return;
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    parent_arena_fd = fd;
    parent_arena_size = static_cast<std::size_t>(st.st_size);
}

std::size_t arena_bytes_in_use() noexcept
{
    auto a = arena::instance(false);
    return a ? a->in_use() : 0;
}

} // namespace asyncjobs::detail
