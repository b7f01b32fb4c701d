// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "claim_board.hpp"

#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace asyncjobs::detail {

namespace {
constexpr std::size_t board_bytes = claim_board::slots * sizeof(std::uint64_t);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "the board is shared between processes");
} // namespace

claim_board claim_board::create() noexcept
{
    int fd = ::memfd_create("asyncjobs-claims", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return {};
    // Sealed at its size: neither side can make the other fault on a page past the end.
    if (::ftruncate(fd, board_bytes) != 0 ||
        ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        ::close(fd);
        return {};
    }
    claim_board board = adopt(fd);
    if (board.valid()) {
        // No slot may look offered for a call before the parent offers it.
        for (std::size_t i = 0; i < slots; ++i)
            board.words_[i].store(word(i, mark::cancelled) | (std::uint64_t{1} << 63), std::memory_order_relaxed);
    }
    return board;
}

claim_board claim_board::adopt(int fd) noexcept
{
    struct stat st{};
    if (fd < 0 || ::fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) != board_bytes ||
        (::fcntl(fd, F_GET_SEALS) & F_SEAL_SHRINK) == 0) {
        if (fd >= 0)
            ::close(fd);
        return {};
    }
    void* base = ::mmap(nullptr, board_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        ::close(fd);
        return {};
    }
    return claim_board(fd, static_cast<std::atomic<std::uint64_t>*>(base));
}

claim_board::claim_board(claim_board&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), words_(std::exchange(other.words_, nullptr))
{
}

claim_board& claim_board::operator=(claim_board&& other) noexcept
{
    if (this != &other) {
        reset();
        fd_ = std::exchange(other.fd_, -1);
        words_ = std::exchange(other.words_, nullptr);
    }
    return *this;
}

claim_board::~claim_board() { reset(); }

void claim_board::reset() noexcept
{
    if (words_)
        ::munmap(words_, board_bytes);
    if (fd_ >= 0)
        ::close(fd_);
    words_ = nullptr;
    fd_ = -1;
}

void claim_board::offer(std::uint64_t seq) noexcept
{
    // Release: the worker that reads the call's frame afterwards sees the offer (the pipe
    // write that follows is a full barrier anyway).
    slot(seq).store(word(seq, mark::offered), std::memory_order_release);
}

bool claim_board::settle(std::uint64_t seq, mark to) noexcept
{
    std::uint64_t expected = word(seq, mark::offered);
    if (slot(seq).compare_exchange_strong(expected, word(seq, to), std::memory_order_acq_rel,
                                          std::memory_order_acquire))
        return true;
    return expected == word(seq, to);
}

bool claim_board::start(std::uint64_t seq) noexcept
{
    if (settle(seq, mark::started))
        return true;
    // Cancelled: skip. Anything else: the parent did not offer this slot for this call.
    return slot(seq).load(std::memory_order_acquire) != word(seq, mark::cancelled);
}

bool claim_board::started(std::uint64_t seq) const noexcept
{
    return slot(seq).load(std::memory_order_acquire) == word(seq, mark::started);
}

} // namespace asyncjobs::detail

namespace asyncjobs::detail {

bool claim_board::cancelled(std::uint64_t seq) const noexcept
{
    return slot(seq).load(std::memory_order_acquire) == word(seq, mark::cancelled);
}

} // namespace asyncjobs::detail
