// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_COMPLETION_QUEUE_HPP
#define ASYNCJOBS_COMPLETION_QUEUE_HPP

#include <asyncjobs/detail/arrival_queue.hpp>
#include <asyncjobs/detail/deadline.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/future.hpp>
#include <asyncjobs/timeout.hpp>

#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace asyncjobs {

/// add() after close(): the queue has promised its reader an end.
class completion_queue_closed : public std::logic_error {
public:
    completion_queue_closed()
        : std::logic_error("asyncjobs: completion_queue::add() after close(); add every future before closing "
                           "the queue (or use a new queue)")
    {
    }
};

/// Futures handed back in the order they complete, while more are added: as_completed()
/// for a set that grows, the crawler pattern (submit more work from each result as it
/// arrives). Futures of any executors (and promises) may be mixed.
///
/// add() may be called from any thread, also while another thread waits in next(). A
/// future already complete when it is added comes out in the order of its add(). close()
/// says that nothing more will be added: once every future added has been handed out,
/// next() returns an empty optional (the end), and a reader blocked in next() wakes up.
/// Without close(), a next() with nothing outstanding waits for the next add().
///
/// Destroying the queue drops the futures it still holds; their work goes on, as when a
/// future is dropped (cancel them first to stop it).
template <class T>
class completion_queue {
public:
    completion_queue() : core_(new core_type) {}
    completion_queue(const completion_queue&) = delete;
    completion_queue& operator=(const completion_queue&) = delete;
    ~completion_queue()
    {
        if (core_)
            (void)core_->close_for_good();
    }

    /// Watches `f` and hands it out from next() once it completes. Throws invalid_future for
    /// a future without a state, completion_queue_closed after close().
    void add(future<T> f)
    {
        if (!core_->add(f, no_tag{}))
            throw completion_queue_closed();
    }

    /// The next completed future, ready to get(); an empty optional once the queue is
    /// closed and every future added has been handed out. With a timeout, throws
    /// timeout_error when none completes in time (as as_completed() does); the futures keep
    /// running and a later next() can still return them.
    std::optional<future<T>> next(std::optional<timeout_duration> timeout = std::nullopt)
    {
        std::optional<std::chrono::steady_clock::time_point> deadline;
        if (timeout)
            deadline = detail::deadline_from_now(timeout->get());
        std::optional<typename core_type::entry> out;
        switch (core_->next_until(deadline, out)) {
        case detail::arrival_status::ready:
            return std::move(out->result);
        case detail::arrival_status::end:
            return std::nullopt;
        case detail::arrival_status::timeout:
            break;
        }
        throw timeout_error("asyncjobs: completion_queue::next() timed out with " + std::to_string(size()) +
                            " futures outstanding; they keep running");
    }

    /// Nothing more will be added: the reader gets the end after the futures already added.
    /// Idempotent; safe from any thread.
    void close() { core_->close(); }
    bool closed() const { return core_->closed(); }

    /// Futures added and not yet handed out by next(), complete or not.
    std::size_t size() const { return core_->outstanding(); }

private:
    struct no_tag {};
    using core_type = detail::arrival_queue<T, no_tag>;
    boost::intrusive_ptr<core_type> core_;
};

} // namespace asyncjobs

#endif
