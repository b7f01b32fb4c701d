// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_SRC_WORKER_PROCESS_HPP
#define ASYNCJOBS_SRC_WORKER_PROCESS_HPP

#include <asyncjobs/detail/shared_region.hpp>

#include "common/claim_board.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/process/v2/process.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace asyncjobs::detail {

/// One child worker process: spawned with Boost.Process v2 in a process group of its own,
/// with the call pipe on its fd 3 and the reply pipe on its fd 4 (stdin /dev/null,
/// stdout and stderr shared with the parent), the shared regions for large frames on
/// fds 5 and 6 and the claim board on fd 7 when the system has memfd. Spawn from one thread only: Boost.Process
/// 1.81 can deadlock when several threads fork at once.
class worker_process {
public:
    /// `image`: an open descriptor of the program to run (the parent's own image, opened at
    /// pool start, so that workers run this very build even if the file on disk was
    /// replaced or deleted), or -1 to execute `executable` by path. Throws
    /// std::system_error with the errno of what failed (ENOENT, EACCES, ENOEXEC from the
    /// exec; EMFILE when this process is out of descriptors).
    /// `nice` (process_pool_options::worker_nice, 0 to 19) is applied by the worker itself,
    /// before it starts any thread, so that every thread of it runs at that priority.
    worker_process(boost::asio::io_context& io, const std::string& executable, int image, std::size_t max_payload,
                   int nice = 0);
    worker_process(const worker_process&) = delete;  // async_wait's handler holds `this`
    worker_process& operator=(const worker_process&) = delete;

    boost::asio::writable_pipe& calls() noexcept { return calls_; }
    boost::asio::readable_pipe& replies() noexcept { return replies_; }
    long pid() const noexcept { return pid_; }
    /// Large calls go here (this side writes); invalid if the system has no memfd.
    shared_region& call_region() noexcept { return call_region_; }
    /// Large replies arrive here (the worker writes).
    shared_region& reply_region() noexcept { return reply_region_; }
    /// Who starts each call sent ahead: the worker or a cancel (claim_board.hpp); invalid
    /// if the system has no memfd.
    claim_board& claims() noexcept { return claims_; }

    /// Sends `signal` to the worker's whole process group: the worker and what its task started.
    void signal_group(int signal) noexcept;

    /// After the worker has exited: SIGKILLs what is left of its process group, the
    /// processes its tasks started (they do not outlive their worker). The group's number
    /// stays reserved while any member lives, so this reaches no stranger.
    void kill_leftovers() noexcept;

    /// Calls `handler(raw wait status)` once the worker has exited and been reaped, or
    /// `handler(-1)` if the wait fails or is cancelled.
    ///
    /// Not Boost.Process's async_wait: after its pidfd wakes it calls a blocking
    /// waitpid(), and Asio can wake a descriptor spuriously (an epoll event collected for a
    /// descriptor that a handler then closes is delivered to the next descriptor given the
    /// same reactor slot: here, a new worker's pidfd while the io thread replaces a worker).
    /// A spurious wake then blocked the io thread in waitpid() on a live, idle worker and
    /// hung the pool. This wait reaps without blocking and re-arms when the worker lives.
    template <class Handler>
    void async_wait(Handler handler)
    {
        if (!exit_watch_.is_open()) {  // no pidfd: Boost.Process waits by SIGCHLD
            process_.handle().async_wait([handler = std::move(handler)](boost::system::error_code ec, int status) mutable {
                handler(ec ? -1 : status);
            });
            return;
        }
        exit_watch_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                               [this, handler = std::move(handler)](boost::system::error_code ec) mutable {
                                   if (ec) {  // cancelled or closed: `this` may be gone
                                       handler(-1);
                                       return;
                                   }
                                   if (process_.running(ec) && !ec) {
                                       async_wait(std::move(handler));
                                       return;
                                   }
                                   handler(ec ? -1 : process_.native_exit_code());
                               });
    }
    /// "exit code 3", "signal 9 (Killed)".
    static std::string describe_status(int status);

private:
    boost::asio::writable_pipe calls_;
    boost::asio::readable_pipe replies_;
    shared_region call_region_;
    shared_region reply_region_;
    claim_board claims_;
    std::shared_ptr<void> arena_;  ///< the shared_buffer arena the worker got: open while it lives
    boost::process::v2::process process_;
    boost::asio::posix::stream_descriptor exit_watch_;  ///< the worker's pidfd, for async_wait
    long pid_ = 0;
};

} // namespace asyncjobs::detail

#endif
