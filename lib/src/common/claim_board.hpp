// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// Who starts a call that was sent ahead to a worker: the worker, or a cancel() in the
// parent. A call waiting in a worker's pipe has not started, so cancel() must be able to
// stop it; but the worker may be about to begin it, and a message from the parent would
// arrive too late to tell. The decision is one compare-and-swap on a word both processes
// map: the worker claims the call before it runs it, the parent claims it to cancel it,
// and whoever comes second sees the other's mark. No round trip, no lost race.
//
// The board is a small memfd (one per worker, passed as fd 7). Slot `seq % slots` belongs
// to the seq-th call the parent sent to that worker (counted alike on both sides: call and
// map_call frames, in pipe order); its word is (seq << 2) | mark. The parent keeps fewer
// than `slots` calls in a worker, so a slot is reused only after its call was answered.
#ifndef ASYNCJOBS_SRC_CLAIM_BOARD_HPP
#define ASYNCJOBS_SRC_CLAIM_BOARD_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace asyncjobs::detail {

class claim_board {
public:
    /// Calls a worker may hold at once; the pipeline depth is capped below this.
    static constexpr std::size_t slots = 256;

    enum class mark : std::uint64_t { offered = 0, started = 1, cancelled = 2 };

    claim_board() noexcept = default;
    /// A new board (the parent side). Invalid if the system has no memfd.
    static claim_board create() noexcept;
    /// Maps a board received as a descriptor (the worker side); takes ownership of `fd`.
    static claim_board adopt(int fd) noexcept;

    claim_board(claim_board&& other) noexcept;
    claim_board& operator=(claim_board&& other) noexcept;
    claim_board(const claim_board&) = delete;
    claim_board& operator=(const claim_board&) = delete;
    ~claim_board();

    bool valid() const noexcept { return words_ != nullptr; }
    int fd() const noexcept { return fd_; }

    /// Parent, before the call leaves: the seq-th call may be started or cancelled.
    void offer(std::uint64_t seq) noexcept;
    /// Parent: cancels the seq-th call unless the worker started it. True: it never runs.
    bool cancel(std::uint64_t seq) noexcept { return settle(seq, mark::cancelled); }
    /// Worker: claims the seq-th call to run it. False: the parent cancelled it; skip it.
    /// A slot the parent did not offer for this call (no board on its side) runs.
    bool start(std::uint64_t seq) noexcept;
    /// Either side: did the worker claim the seq-th call?
    bool started(std::uint64_t seq) const noexcept;
    /// Either side: did the parent cancel the seq-th call before the worker claimed it?
    bool cancelled(std::uint64_t seq) const noexcept;

private:
    claim_board(int fd, std::atomic<std::uint64_t>* words) noexcept : fd_(fd), words_(words) {}
    static std::uint64_t word(std::uint64_t seq, mark m) noexcept { return (seq << 2) | static_cast<std::uint64_t>(m); }
    std::atomic<std::uint64_t>& slot(std::uint64_t seq) const noexcept { return words_[seq % slots]; }
    bool settle(std::uint64_t seq, mark to) noexcept;
    void reset() noexcept;

    int fd_ = -1;
    std::atomic<std::uint64_t>* words_ = nullptr;
};

} // namespace asyncjobs::detail

#endif
