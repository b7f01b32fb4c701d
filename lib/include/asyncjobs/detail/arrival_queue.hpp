// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_ARRIVAL_QUEUE_HPP
#define ASYNCJOBS_DETAIL_ARRIVAL_QUEUE_HPP

// The machinery of the public completion_queue<T> and of map_unordered(): futures that
// may be added at any time, handed out in the order they complete. Unlike
// detail::completion_queue (as_completed, wait), whose set of futures is fixed when it is
// built, this one grows while it is read, so each future gets a node of its own.

#include <asyncjobs/detail/future_access.hpp>
#include <asyncjobs/detail/parking_lot.hpp>
#include <asyncjobs/detail/state.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/future.hpp>

#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace asyncjobs::detail {

/// What next_until() found.
enum class arrival_status { ready, end, timeout };

/// Futures in completion order, each with a `Tag` (map_unordered's chunk position). A node
/// per future is its completion callback, lives on the pending list while the future runs
/// and on the ready list once it completed. Every node holds a reference to the queue until
/// it fires, so the owner may go away first: nodes that fire after close_for_good() delete
/// themselves.
template <class T, class Tag>
class arrival_queue : public boost::intrusive_ref_counter<arrival_queue<T, Tag>, boost::thread_safe_counter> {
public:
    struct entry {
        future<T> result;
        Tag tag;
    };

    arrival_queue() = default;
    arrival_queue(const arrival_queue&) = delete;
    arrival_queue& operator=(const arrival_queue&) = delete;
    ~arrival_queue() { delete_list(ready_head_); }

    /// Watches `f`; it is handed out once complete. False (and `f` left alone) after close().
    /// Throws invalid_future for a future without a state.
    [[nodiscard]] bool add(future<T>& f, Tag tag)
    {
        state_base* s = state_of(f);
        if (!s)
            throw invalid_future();
        node* n;
        {
            std::lock_guard lock(mutex_);
            if (closed_)
                return false;
            n = new node(this, std::move(f), std::move(tag));
            link_pending(n);
            ++outstanding_;
        }
        intrusive_ptr_add_ref(this);  // the node's, released when it fires
        s->add_callback(n);           // fires at once if already complete: no lock held here
        return true;
    }

    /// Blocks until a future is complete (ready), or every added future was handed out after
    /// close() (end), or the deadline passed (timeout). Without a deadline, throws
    /// deadlock_error where future::get() would: when every future it would wait for can
    /// only run on the calling thread (a task of a one-thread pool reading its own work).
    arrival_status next_until(const std::optional<std::chrono::steady_clock::time_point>& deadline,
                              std::optional<entry>& out)
    {
        std::unique_lock lock(mutex_);
        auto done = [&] { return ready_head_ || (closed_ && outstanding_ == 0); };
        if (!deadline && !done()) {
            auto pending = pending_states();
            lock.unlock();
            check_not_deadlocked(pending);
            lock.lock();
        }
        while (!done()) {
            // Set under the lock, after the look: whatever changes the queue from here on
            // changes the word after it, sees the bit and wakes this reader.
            std::uint32_t word = word_.fetch_or(parked_bit, std::memory_order_acq_rel) | parked_bit;
            lock.unlock();
            if (!deadline) {
                park(word_, word);
            } else {
                auto left = *deadline - std::chrono::steady_clock::now();
                if (left <= decltype(left)::zero()) {
                    lock.lock();
                    if (done())
                        break;
                    return arrival_status::timeout;
                }
                // An hour at most at a time, as future::wait_until.
                park_for(word_, word,
                         left > std::chrono::hours(1) ? std::chrono::nanoseconds(std::chrono::hours(1))
                                                      : std::chrono::ceil<std::chrono::nanoseconds>(left));
            }
            lock.lock();
        }
        if (!ready_head_)
            return arrival_status::end;
        node* n = ready_head_;
        ready_head_ = n->next_ready;
        if (!ready_head_)
            ready_tail_ = nullptr;
        --outstanding_;
        lock.unlock();
        out.emplace(entry{std::move(n->result), std::move(n->tag)});
        delete n;
        return arrival_status::ready;
    }

    /// No more add(); a reader waiting for a future that will never come wakes up.
    void close()
    {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        wake_reader();
    }

    /// The owner is gone: close, drop what is ready, and let pending nodes delete themselves.
    /// Returns the states still pending, for an owner that cancels them.
    std::vector<state_ptr> close_for_good()
    {
        node* ready;
        std::vector<state_ptr> pending;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            abandoned_ = true;
            ready = std::exchange(ready_head_, nullptr);
            ready_tail_ = nullptr;
            pending = pending_states();
        }
        wake_reader();
        delete_list(ready);
        return pending;
    }

    bool closed() const
    {
        std::lock_guard lock(mutex_);
        return closed_;
    }

    /// Added and not handed out yet (complete or not).
    std::size_t outstanding() const
    {
        std::lock_guard lock(mutex_);
        return outstanding_;
    }

private:
    /// Under mutex_.
    std::vector<state_ptr> pending_states() const
    {
        std::vector<state_ptr> out;
        for (node* n = pending_head_; n; n = n->next_pending)
            out.emplace_back(state_of(n->result));
        return out;
    }

    /// Not under mutex_: a scheduler's check may take locks of its own, and a scheduler may
    /// complete futures (and so take mutex_) while holding them.
    static void check_not_deadlocked(const std::vector<state_ptr>& pending)
    {
        std::exception_ptr first;
        for (const auto& s : pending) {
            try {
                check_blocking_wait(*s);
                return;  // this one can complete without the calling thread
            } catch (const deadlock_error&) {
                if (!first)
                    first = std::current_exception();
            }
        }
        if (first)
            std::rethrow_exception(first);
    }

    struct node final : callback_node {
        node(arrival_queue* q, future<T> f, Tag t) : owner(q), result(std::move(f)), tag(std::move(t)) {}
        void fire() noexcept override
        {
            arrival_queue* q = owner;
            q->arrived(this);
            intrusive_ptr_release(q);
        }
        arrival_queue* owner;
        future<T> result;
        Tag tag;
        node* prev_pending = nullptr;
        node* next_pending = nullptr;
        node* next_ready = nullptr;
    };

    void arrived(node* n) noexcept
    {
        {
            std::lock_guard lock(mutex_);
            unlink_pending(n);
            if (!abandoned_) {
                if (ready_tail_)
                    ready_tail_->next_ready = n;
                else
                    ready_head_ = n;
                ready_tail_ = n;
                n = nullptr;
            }
        }
        // A node left behind by its owner goes now; whoever completes a state holds a
        // reference to it while its callbacks fire, so dropping this future frees nothing
        // under their feet.
        delete n;
        wake_reader();
    }

    /// After a change made under mutex_: a new word (a reader about to park sees it and
    /// does not) without the parked bit, and a system call only when a reader had set it.
    void wake_reader() noexcept
    {
        std::uint32_t old = word_.load(std::memory_order_relaxed);
        while (!word_.compare_exchange_weak(old, (old + 2) & ~parked_bit, std::memory_order_acq_rel,
                                            std::memory_order_relaxed)) {
        }
        if (old & parked_bit)
            unpark_all(word_);
    }

    void link_pending(node* n) noexcept
    {
        n->next_pending = pending_head_;
        if (pending_head_)
            pending_head_->prev_pending = n;
        pending_head_ = n;
    }
    void unlink_pending(node* n) noexcept
    {
        if (n->prev_pending)
            n->prev_pending->next_pending = n->next_pending;
        else
            pending_head_ = n->next_pending;
        if (n->next_pending)
            n->next_pending->prev_pending = n->prev_pending;
    }
    static void delete_list(node* n) noexcept
    {
        while (n) {
            node* next = n->next_ready;
            delete n;
            n = next;
        }
    }

    static constexpr std::uint32_t parked_bit = 1;

    mutable std::mutex mutex_;
    // The reader parks here (parking_lot.hpp), not on a condition variable: a future that
    // completes while the reader is busy wakes nobody. Bit 0: a reader is parked.
    std::atomic<std::uint32_t> word_{0};
    node* pending_head_ = nullptr;
    node* ready_head_ = nullptr;
    node* ready_tail_ = nullptr;
    std::size_t outstanding_ = 0;
    bool closed_ = false;
    bool abandoned_ = false;
};

} // namespace asyncjobs::detail

#endif
