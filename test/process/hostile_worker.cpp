// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// A process-pool worker that breaks the wire protocol on request (hostile_worker.hpp). It is
// built from the same registered tasks as the test runner, says a correct hello with the
// registry's fingerprint, and answers every call with the library's run_call, except
// process_tasks::misbehave(mode) and misbehave_text(mode), where it misbehaves as `mode` says.
// test_hostile_worker checks that the parent turns each misbehaviour into a clear error on
// that call's future, replaces the worker, and goes on.
#include "hostile_worker.hpp"

#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/reply_buffer.hpp>
#include <asyncjobs/detail/run_call.hpp>
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <sys/prctl.h>
#include <unistd.h>

using namespace asyncjobs::detail;

namespace {

void send(const std::string& bytes)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(worker_reply_fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            std::_Exit(0);  // the parent is gone
        done += static_cast<std::size_t>(n);
    }
}

std::string hello_frame()
{
    auto& registry = task_registry::instance();
    worker_hello hello;  // shared_regions stays false: every frame comes through the pipes
    hello.protocol = protocol_version;
    hello.registry_fingerprint = registry.fingerprint();
    hello.pid = static_cast<std::int64_t>(::getpid());
    hello.duplicate_tasks = registry.duplicates();
    std::string out;
    std::size_t start = begin_frame(out);
    encode_hello(out, hello);
    finish_frame(out, start, frame_kind::hello, 0);
    return out;
}

std::string int_result(std::uint64_t id, int value)
{
    std::string payload;
    encode_values(payload, value);
    std::string out;
    append_frame(out, frame_kind::result, id, payload);
    return out;
}

[[noreturn]] void hang()
{
    for (;;)
        ::pause();
}

/// What a real worker does with a call: the library's own run_call, then send the reply.
void answer(const decode_result& frame, std::size_t max_payload)
{
    reply_buffer out;
    out.start(nullptr);
    run_call(frame, out, max_payload);
    send(std::string(reinterpret_cast<const char*>(out.bytes().data()), out.bytes().size()));
}

void misbehave(int mode, std::uint64_t id)
{
    switch (mode) {
    case hostile::garbage:
        send(std::string("\x7f" "garbage: this is not an asyncjobs frame\n"));
        return;  // and go on reading: the parent must kill us
    case hostile::truncated_exit: {
        std::string out;
        append_frame(out, frame_kind::result, id, std::string(100, 'r'));
        send(out.substr(0, frame_header_size + 10));
        std::_Exit(0);
    }
    case hostile::huge_length: {
        std::string out;
        append_frame_header(out, frame_header{frame_kind::result, id, 0xFFFFFFFFu});
        send(out + "only a few bytes follow");
        return;
    }
    case hostile::unknown_id:
        send(int_result(id + 1'000'000, mode));
        return;
    case hostile::call_frame: {
        std::string payload;
        append_call_payload_name(payload, "process_tasks::add");
        encode_values(payload, 1, 2);
        std::string out;
        append_frame(out, frame_kind::call, id, payload);
        send(out);
        return;
    }
    case hostile::second_hello:
        send(hello_frame());
        return;
    case hostile::undecodable_result: {
        std::string out;
        append_frame(out, frame_kind::result, id, "xyz");
        send(out);
        return;
    }
    case hostile::partial_hang: {
        std::string out = int_result(id, mode);
        send(out.substr(0, 10));
        hang();
    }
    case hostile::undecodable_failure: {
        std::string out;
        append_frame(out, frame_kind::failure, id, std::string("\x05\x01\x02 not an exception", 20));
        send(out);
        return;
    }
    case hostile::huge_string: {
        std::string payload;
        std::uint64_t length = 0x7FFFFFFF;
        payload.append(reinterpret_cast<const char*>(&length), sizeof length);
        payload += "abc";
        std::string out;
        append_frame(out, frame_kind::result, id, payload);
        send(out);
        return;
    }
    case hostile::unknown_kind: {
        std::string out = int_result(id, mode);
        out[3] = 0x42;
        send(out);
        return;
    }
    case hostile::unheld_shared: {
        std::string out;
        append_shared_frame(out, id, std::uint64_t{1} << 40);
        send(out);
        return;
    }
    default:
        send(int_result(id, mode));  // not a misbehaviour: the right answer
        return;
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 4 || std::string_view(argv[1]) != worker_flag) {
        std::fprintf(stderr, "hostile_worker: started by test_hostile_worker's process pools only\n");
        return worker_exit_bad_start;
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != std::strtol(argv[2], nullptr, 10))
        return worker_exit_bad_start;
    std::signal(SIGPIPE, SIG_IGN);
    std::size_t max_payload = std::strtoull(argv[3], nullptr, 10);
    if (max_payload == 0)
        max_payload = default_max_payload;

    send(hello_frame());
    std::string input;
    char chunk[1 << 16];
    for (;;) {
        ssize_t n = ::read(worker_call_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        input.append(chunk, static_cast<std::size_t>(n));
        for (;;) {
            auto frame = decode_frame(std::as_bytes(std::span(input.data(), input.size())), max_payload);
            if (frame.status == decode_status::incomplete)
                break;
            if (frame.status == decode_status::malformed)
                return worker_exit_protocol_error;
            call_payload call;
            switch (frame.header.kind) {
            case frame_kind::goodbye:
                return 0;
            case frame_kind::call:
            case frame_kind::map_call:
            case frame_kind::initialize:
                if (!split_call_payload(frame.payload, call))
                    return worker_exit_protocol_error;
                // As the library's worker loop does: the parent learns that the call runs
                // (and so that a death from here on is this call's fault).
                if (frame.header.kind != frame_kind::initialize) {
                    std::string started;
                    append_frame(started, frame_kind::started, frame.header.task_id, {});
                    send(started);
                }
                if (frame.header.kind == frame_kind::call &&
                    (call.task_name == "process_tasks::misbehave" || call.task_name == "process_tasks::misbehave_text")) {
                    int mode = 0;
                    decode_values(call.arguments, mode);
                    misbehave(mode, frame.header.task_id);
                } else {
                    answer(frame, max_payload);
                }
                break;
            default:
                // Large frames through a shared region, or anything else: not for this worker.
                std::fprintf(stderr, "hostile_worker: unexpected %s frame\n", frame_kind_name(frame.header.kind));
                return worker_exit_protocol_error;
            }
            input.erase(0, frame.consumed);
        }
    }
}
