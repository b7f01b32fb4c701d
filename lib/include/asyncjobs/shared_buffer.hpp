// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_SHARED_BUFFER_HPP
#define ASYNCJOBS_SHARED_BUFFER_HPP

#include <asyncjobs/detail/buffer_block.hpp>
#include <asyncjobs/errors.hpp>

#include <boost/serialization/level.hpp>
#include <boost/serialization/split_member.hpp>
#include <boost/serialization/tracking.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

namespace asyncjobs {

class shared_buffer;

namespace detail {
/// The block behind a buffer, and a buffer over a block: for the library and its tests.
struct buffer_access {
    static const std::shared_ptr<buffer_block>& block(const shared_buffer& b) noexcept;
    static shared_buffer wrap(std::shared_ptr<buffer_block> block) noexcept;
};
} // namespace detail

/// Bytes that a process pool's workers share with the parent instead of copying.
///
/// `shared_buffer buf(n)` allocates n zero bytes in the process's shared arena (a memfd
/// that every process-pool worker this process starts inherits). A shared_buffer is a
/// reference, like a std::shared_ptr to bytes: copies share the same bytes, and the bytes
/// are freed with the last copy. Constness is shallow, as a shared_ptr's: data() of a
/// const buffer may be written.
///
/// As a task argument or result:
/// - thread_pool_executor: the task gets the same buffer (a reference count, no copy).
/// - process_pool_executor: the buffer crosses by handle. The worker maps the same memory
///   (only that range), reads and writes it in place, and a buffer it returns that it was
///   given arrives in the parent as the very buffer that was sent (same data()). The
///   parent keeps the bytes alive while a call that was given them is in flight, even if
///   the caller drops its copies. A buffer a worker allocates itself (on its own) crosses
///   back by value: its bytes are copied into the reply and once out of it, into the
///   parent's arena.
/// - anywhere else (mpi_executor, an archive of your own): the bytes travel inline, and the
///   reader gets a new buffer with a copy of them.
///
/// Writing a buffer while a task (on any executor) or another thread reads or writes it
/// is a data race, as with any shared memory: hand a buffer to one task at a time, or
/// split the work into disjoint ranges. Workers see the same bytes but not your memory
/// orders: results are ordered by the future (a worker's writes are visible once get()
/// returns).
///
/// Without the arena (no memfd on the system, a fork() child of the process that made
/// it, or ASYNCJOBS_SHARED_ARENA=off in the environment) buffers live on the heap and
/// cross to workers by value; everything else stays as described.
class shared_buffer {
public:
    /// An empty buffer (size 0, data() null).
    shared_buffer() noexcept = default;

    /// `size` zero bytes; size 0 makes an empty buffer. Throws shared_buffer_error when the
    /// arena cannot hold it (its message says what to do).
    explicit shared_buffer(std::size_t size) : block_(size ? detail::allocate_buffer_block(size) : nullptr) {}

    std::byte* data() const noexcept { return block_ ? block_->data() : nullptr; }
    std::size_t size() const noexcept { return block_ ? block_->size() : 0; }
    bool empty() const noexcept { return size() == 0; }
    std::span<std::byte> span() const noexcept { return {data(), size()}; }
    std::byte* begin() const noexcept { return data(); }
    std::byte* end() const noexcept { return data() + size(); }

    /// Whether the bytes are in shared memory (this process's arena, or a worker's mapping
    /// of its parent's): false on the heap (no arena, or a buffer decoded by value).
    bool in_shared_memory() const noexcept
    {
        return block_ && block_->origin() != detail::block_origin::heap;
    }

    /// How many shared_buffer objects share these bytes (0 when empty); calls in flight
    /// count while they hold them.
    long use_count() const noexcept { return block_.use_count(); }

    /// Both refer to the same bytes (or are both empty).
    friend bool operator==(const shared_buffer& a, const shared_buffer& b) noexcept { return a.block_ == b.block_; }

    template <class Archive>
    void save(Archive& archive, unsigned /*version*/) const
    {
        if (block_ && detail::send_by_handle(block_)) {
            std::uint8_t tag = by_handle;
            const auto& h = block_->handle();
            archive << tag << h.id << h.offset << h.size;
            return;
        }
        std::uint8_t tag = by_value;
        std::uint64_t count = size();
        archive << tag << count;
        if (count)
            archive.save_binary(data(), count);
    }

    template <class Archive>
    void load(Archive& archive, unsigned /*version*/)
    {
        std::uint8_t tag = 0;
        archive >> tag;
        if (tag == by_handle) {
            detail::buffer_handle h;
            archive >> h.id >> h.offset >> h.size;
            block_ = detail::receive_handle(h);
            return;
        }
        if (tag != by_value)
            throw std::invalid_argument("asyncjobs: corrupt encoding: a shared_buffer's tag is " + std::to_string(tag));
        std::uint64_t count = 0;
        archive >> count;
        if constexpr (requires { archive.remaining(); })
            if (count > archive.remaining())
                throw std::length_error("asyncjobs: corrupt encoding: a shared_buffer of " + std::to_string(count) +
                                        " bytes announced, " + std::to_string(archive.remaining()) + " bytes left");
        block_ = count ? detail::allocate_buffer_block(static_cast<std::size_t>(count), false) : nullptr;
        if (count)
            archive.load_binary(block_->data(), static_cast<std::size_t>(count));
    }
    BOOST_SERIALIZATION_SPLIT_MEMBER()

private:
    friend struct detail::buffer_access;
    static constexpr std::uint8_t by_value = 0;
    static constexpr std::uint8_t by_handle = 1;

    std::shared_ptr<detail::buffer_block> block_;
};

inline const std::shared_ptr<detail::buffer_block>& detail::buffer_access::block(const shared_buffer& b) noexcept
{
    return b.block_;
}

inline shared_buffer detail::buffer_access::wrap(std::shared_ptr<buffer_block> block) noexcept
{
    shared_buffer b;
    b.block_ = std::move(block);
    return b;
}

} // namespace asyncjobs

// No class information in the archive: the format is the tag and its fields alone.
BOOST_CLASS_IMPLEMENTATION(asyncjobs::shared_buffer, boost::serialization::object_serializable)
BOOST_CLASS_TRACKING(asyncjobs::shared_buffer, boost::serialization::track_never)

#endif
