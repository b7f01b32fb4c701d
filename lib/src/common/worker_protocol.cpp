// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// What parent and worker say first (worker_protocol.hpp): the hello frame's payload.
#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>

#include <cstddef>
#include <span>
#include <string>

namespace asyncjobs::detail {

void encode_hello(std::string& out, const worker_hello& hello)
{
    encode_values(out, hello.protocol, hello.registry_fingerprint, hello.pid, hello.duplicate_tasks,
                  hello.shared_regions, hello.claim_board);
}

worker_hello decode_hello(const std::byte* data, std::size_t size)
{
    worker_hello hello;
    decode_values(std::span<const std::byte>(data, size), hello.protocol, hello.registry_fingerprint, hello.pid,
                  hello.duplicate_tasks, hello.shared_regions, hello.claim_board);
    return hello;
}

} // namespace asyncjobs::detail
