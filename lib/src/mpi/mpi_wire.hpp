// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// What rank 0 and the worker ranks say to each other: one MPI message per item, its kind
// in the MPI tag, its fields packed little-endian-as-the-host (all ranks run one binary on
// one kind of machine; the registry fingerprint checks the binary). Pure: no MPI here.
#ifndef ASYNCJOBS_SRC_MPI_WIRE_HPP
#define ASYNCJOBS_SRC_MPI_WIRE_HPP

#include <asyncjobs/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace asyncjobs::detail::mpi_wire {

enum tag : int {
    configure = 1,  ///< 0 -> r: workers_per_rank, registry fingerprint (a new executor)
    hello = 2,      ///< r -> 0: workers, fingerprint, pid, host
    call = 3,       ///< 0 -> r: id, timeout ms (-1: none), retries (-1: the rank pool's),
                    ///< retry_on_timeout (2: the rank pool's), retry_backoff ms (-1: the
                    ///< rank pool's), chunked, task name, arguments
    kill = 4,       ///< 0 -> r: id (cancel_and_kill)
    result = 5,     ///< r -> 0: id, the result's bytes as the worker encoded them
    failure = 6,    ///< r -> 0: id, cancelled flag, encode_exception()'s bytes
    killed = 7,     ///< r -> 0: id, whether the kill stopped the task
    detach = 8,     ///< 0 -> r: the executor ended; drop the local pool
    stop = 9,       ///< 0 -> r: rank 0 exits; finalize and end
    ping = 10,      ///< 0 -> r: nothing; a rank that holds calls and was quiet is asked to answer
    pong = 11,      ///< r -> 0: nothing; the answer
};

class writer {
public:
    explicit writer(std::string& out) : out_(out) {}
    writer& u64(std::uint64_t v)
    {
        out_.append(reinterpret_cast<const char*>(&v), sizeof v);
        return *this;
    }
    writer& i64(std::int64_t v) { return u64(static_cast<std::uint64_t>(v)); }
    writer& u8(std::uint8_t v)
    {
        out_.push_back(static_cast<char>(v));
        return *this;
    }
    writer& str(std::string_view s)
    {
        u64(s.size());
        out_.append(s);
        return *this;
    }
    /// The rest of the message, unprefixed.
    writer& rest(std::string_view s)
    {
        out_.append(s);
        return *this;
    }

private:
    std::string& out_;
};

/// Reads what writer wrote; a message too short for what it claims is a protocol_error.
class reader {
public:
    explicit reader(std::string_view in) : in_(in) {}
    std::uint64_t u64()
    {
        need(8);
        std::uint64_t v;
        std::memcpy(&v, in_.data() + at_, 8);
        at_ += 8;
        return v;
    }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    std::uint8_t u8()
    {
        need(1);
        return static_cast<std::uint8_t>(in_[at_++]);
    }
    std::string_view str()
    {
        auto n = u64();
        need(n);
        auto s = in_.substr(at_, n);
        at_ += n;
        return s;
    }
    std::string_view rest()
    {
        auto s = in_.substr(at_);
        at_ = in_.size();
        return s;
    }
    std::span<const std::byte> rest_bytes()
    {
        auto s = rest();
        return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
    }

private:
    void need(std::uint64_t n) const
    {
        if (n > in_.size() - at_)
            throw protocol_error("asyncjobs: mpi_executor: a message between ranks is truncated (" +
                                 std::to_string(in_.size()) + " bytes); the ranks run different programs?");
    }
    std::string_view in_;
    std::size_t at_ = 0;
};

} // namespace asyncjobs::detail::mpi_wire

#endif
