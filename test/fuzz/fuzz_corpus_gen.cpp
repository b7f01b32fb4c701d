// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Writes the seed corpus of the fuzz targets from real encodings: the frames and payloads a
// parent and a worker really exchange (hello with this program's registry fingerprint,
// calls, results, failures, map() chunks, goodbye), plus a few hostile variants.
//   fuzz_corpus_gen <corpus dir>     (writes <dir>/frame/* and <dir>/codec/*)
// The checked-in test/fuzz/corpus was made this way; rerun it after changing the format.
#include "fuzz_tasks.hpp"

#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/detail/reply_buffer.hpp>
#include <asyncjobs/detail/task_registry.hpp>
#include <asyncjobs/detail/worker_protocol.hpp>
#include <asyncjobs/errors.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <list>
#include <stdexcept>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

using namespace asyncjobs::detail;
namespace ft = fuzz_tasks;

namespace {

std::filesystem::path root;

void write(const std::string& dir, const std::string& name, const std::string& content)
{
    std::filesystem::create_directories(root / dir);
    std::ofstream(root / dir / name, std::ios::binary) << content;
}

std::size_t index_of(const char* name)
{
    for (std::size_t i = 0; i < ft::task_count; ++i)
        if (std::string_view(ft::names[i]) == name)
            return i;
    throw std::logic_error(name);
}

std::string text(const reply_buffer& out)
{
    return std::string(reinterpret_cast<const char*>(out.bytes().data()), out.bytes().size());
}

const task_entry& entry(const char* name) { return *task_registry::instance().find(name); }

template <class... Args>
std::string arguments(const char* name, Args... args)
{
    std::tuple<Args...> tuple(std::move(args)...);
    std::string out;
    byte_sink sink(out);
    entry(name).encode_arguments(&tuple, sink);
    return out;
}

/// The worker's real result payload for a call with these arguments.
std::string result_of(const char* name, const std::string& args)
{
    reply_buffer out;
    out.start(nullptr);
    entry(name).invoke(std::as_bytes(std::span(args.data(), args.size())), out);
    return text(out);
}

template <class Input>
std::string chunk_inputs(const char* name, std::vector<Input> inputs)
{
    std::string out;
    byte_sink sink(out);
    entry(name).encode_chunk(&inputs, sink);
    return out;
}

std::string chunk_outcomes(const char* name, const std::string& inputs)
{
    reply_buffer out;
    out.start(nullptr);
    entry(name).invoke_chunk(std::as_bytes(std::span(inputs.data(), inputs.size())), out);
    return text(out);
}

std::string call_payload_of(const char* name, const std::string& args)
{
    std::string out;
    append_call_payload_name(out, name);
    return out + args;
}

std::string frame(frame_kind kind, std::uint64_t id, const std::string& payload)
{
    std::string out;
    append_frame(out, kind, id, payload);
    return out;
}

std::string codec_input(int op, const char* task, const std::string& payload)
{
    std::string out;
    out.push_back(static_cast<char>(op));
    out.push_back(static_cast<char>(task ? index_of(task) : 0));
    return out + payload;
}

std::string hello_payload()
{
    auto& registry = task_registry::instance();
    worker_hello hello;
    hello.protocol = protocol_version;
    hello.registry_fingerprint = registry.fingerprint();
    hello.pid = 4242;
    hello.duplicate_tasks = {"dup::a", "dup::b"};
    hello.shared_regions = true;
    std::string out;
    encode_hello(out, hello);
    return out;
}

struct derived_logic_error : std::logic_error {
    using std::logic_error::logic_error;
};

std::string exception_payload(std::exception_ptr e)
{
    std::string out;
    encode_exception(out, std::move(e));
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
        return 2;
    }
    root = argv[1];

    ft::record rec{7, "seven", {1.5, 2.5}, boost::optional<std::string>("note")};
    struct sample {
        const char* file;
        const char* task;
        std::string args;
    };
    std::vector<sample> samples = {
        {"add", "fuzz_tasks::add", arguments("fuzz_tasks::add", 2, 40)},
        {"greet", "fuzz_tasks::greet", arguments("fuzz_tasks::greet", std::string("asyncjobs"))},
        {"echo_block", "fuzz_tasks::echo_block",
         arguments("fuzz_tasks::echo_block", std::vector<std::uint64_t>{1, 2, 3, 1ull << 60})},
        {"tag", "fuzz_tasks::tag", arguments("fuzz_tasks::tag", 3, std::string("x"))},
        {"touch", "fuzz_tasks::touch", arguments("fuzz_tasks::touch", rec)},
        {"records", "fuzz_tasks::records", arguments("fuzz_tasks::records", std::vector<ft::record>{rec, {}})},
        {"count_words", "fuzz_tasks::count_words",
         arguments("fuzz_tasks::count_words", std::list<std::string>{"a", "b", "a"})},
        {"index", "fuzz_tasks::index",
         arguments("fuzz_tasks::index", std::vector<std::vector<std::string>>{{"a", "b"}, {"c"}})},
        {"is_even", "fuzz_tasks::is_even", arguments("fuzz_tasks::is_even", 4)},
        {"ignore", "fuzz_tasks::ignore", arguments("fuzz_tasks::ignore", 1)},
    };

    // --- codec: each decoder fed what it really reads ------------------------------------
    for (auto& s : samples) {
        std::string result = result_of(s.task, s.args);
        write("codec", std::string("result-") + s.file, codec_input(0, s.task, result));
        write("codec", std::string("args-") + s.file, codec_input(2, s.task, s.args));
    }
    {
        std::string in = chunk_inputs("fuzz_tasks::is_even", std::vector<int>{1, 2, 3});
        write("codec", "chunk-inputs-is_even", codec_input(3, "fuzz_tasks::is_even", in));
        write("codec", "chunk-outcomes-is_even", codec_input(1, "fuzz_tasks::is_even", chunk_outcomes("fuzz_tasks::is_even", in)));
        std::string g = chunk_inputs("fuzz_tasks::greet", std::vector<std::string>{"a", "bb"});
        write("codec", "chunk-inputs-greet", codec_input(3, "fuzz_tasks::greet", g));
        write("codec", "chunk-outcomes-greet", codec_input(1, "fuzz_tasks::greet", chunk_outcomes("fuzz_tasks::greet", g)));
        std::string t = chunk_inputs("fuzz_tasks::touch", std::vector<ft::record>{rec});
        write("codec", "chunk-outcomes-touch", codec_input(1, "fuzz_tasks::touch", chunk_outcomes("fuzz_tasks::touch", t)));
        std::string v = chunk_inputs("fuzz_tasks::ignore", std::vector<int>{1, 2});
        write("codec", "chunk-outcomes-ignore", codec_input(1, "fuzz_tasks::ignore", chunk_outcomes("fuzz_tasks::ignore", v)));
    }
    write("codec", "exception-runtime_error",
          codec_input(4, nullptr, exception_payload(std::make_exception_ptr(std::runtime_error("boom")))));
    write("codec", "exception-bad_alloc", codec_input(4, nullptr, exception_payload(std::make_exception_ptr(std::bad_alloc()))));
    write("codec", "exception-remote_error",
          codec_input(4, nullptr,
                      exception_payload(std::make_exception_ptr(asyncjobs::remote_error("my::error", "mine")))));
    write("codec", "exception-not-std", codec_input(4, nullptr, exception_payload(std::make_exception_ptr(42))));
    // The fields beyond kind and message: a code and category, a nearest base, worker_crashed's.
    write("codec", "exception-system_error",
          codec_input(4, nullptr,
                      exception_payload(std::make_exception_ptr(std::system_error(2, std::generic_category(), "open")))));
    write("codec", "exception-derived-logic_error",
          codec_input(4, nullptr, exception_payload(std::make_exception_ptr(derived_logic_error("derived")))));
    write("codec", "exception-worker_crashed",
          codec_input(4, nullptr,
                      exception_payload(std::make_exception_ptr(asyncjobs::worker_crashed(-1, 9, "killed")))));
    write("codec", "hello", codec_input(5, nullptr, hello_payload()));
    write("codec", "call-greet", codec_input(6, nullptr, call_payload_of("fuzz_tasks::greet", samples[1].args)));
    write("codec", "call-records", codec_input(6, nullptr, call_payload_of("fuzz_tasks::records", samples[5].args)));
    {
        std::string v0;
        encode_values(v0, 5, std::string("five"));
        write("codec", "values-int-string", codec_input(7, nullptr, v0) /* selector 0 */);
        std::string v1;
        encode_values(v1, 5, 2.5);
        std::string in1 = codec_input(7, nullptr, v1);
        in1[1] = 1;
        write("codec", "values-int-double", in1);
        std::string v2;
        encode_values(v2, true);
        std::string in2 = codec_input(7, nullptr, v2);
        in2[1] = 2;
        write("codec", "values-bool", in2);
        std::string v3;
        encode_values(v3, rec, std::vector<std::uint64_t>{9, 8});
        std::string in3 = codec_input(7, nullptr, v3);
        in3[1] = 3;
        write("codec", "values-record-vector", in3);
    }
    // Hostile: a vector that announces 2^40 elements, a string that announces 2^32 bytes.
    {
        std::string huge_vector = result_of("fuzz_tasks::echo_block", samples[2].args);
        std::uint64_t n = 1ull << 40;
        huge_vector.replace(0, 8, reinterpret_cast<const char*>(&n), 8);
        write("codec", "hostile-vector-count", codec_input(0, "fuzz_tasks::echo_block", huge_vector));
        std::string huge_string = result_of("fuzz_tasks::greet", samples[1].args);
        n = 1ull << 32;
        huge_string.replace(0, 8, reinterpret_cast<const char*>(&n), 8);
        write("codec", "hostile-string-length", codec_input(0, "fuzz_tasks::greet", huge_string));
    }

    // --- frames: what crosses the pipes, alone and as streams ---------------------------
    std::string stream;
    std::uint64_t id = 1;
    write("frame", "hello", frame(frame_kind::hello, 0, hello_payload()));
    stream += frame(frame_kind::hello, 0, hello_payload());
    for (auto& s : samples) {
        std::string c = frame(frame_kind::call, id, call_payload_of(s.task, s.args));
        std::string r = frame(frame_kind::result, id, result_of(s.task, s.args));
        write("frame", std::string("call-") + s.file, c);
        write("frame", std::string("result-") + s.file, r);
        stream += r;
        ++id;
    }
    std::string failure = frame(frame_kind::failure, id++,
                                exception_payload(std::make_exception_ptr(std::invalid_argument("bad argument"))));
    write("frame", "failure-invalid_argument", failure);
    stream += failure;
    {
        std::string in = chunk_inputs("fuzz_tasks::is_even", std::vector<int>{1, 2, 3});
        write("frame", "map_call-is_even", frame(frame_kind::map_call, id, call_payload_of("fuzz_tasks::is_even", in)));
        write("frame", "map_result-is_even", frame(frame_kind::result, id++, chunk_outcomes("fuzz_tasks::is_even", in)));
    }
    write("frame", "initialize", frame(frame_kind::initialize, 0, call_payload_of("fuzz_tasks::ignore", samples[9].args)));
    write("frame", "goodbye", frame(frame_kind::goodbye, 0, ""));
    write("frame", "stream-worker-replies", stream);
    write("frame", "stream-truncated", stream.substr(0, stream.size() - 3));
    std::string huge;
    append_frame_header(huge, frame_header{frame_kind::result, 1, 0xFFFFFFFFu});
    write("frame", "hostile-4GiB-length", huge);
    write("frame", "hostile-garbage", "this is not a frame\n");
    std::string bad_version = frame(frame_kind::result, 1, "x");
    bad_version[2] = 9;
    write("frame", "hostile-version", bad_version);
    std::string bad_kind = frame(frame_kind::result, 1, "x");
    bad_kind[3] = 0x42;
    write("frame", "hostile-kind", bad_kind);
    std::string bad_name = frame(frame_kind::call, 1, call_payload_of("fuzz_tasks::add", ""));
    bad_name[frame_header_size] = '\xff';  // a name longer than the payload
    write("frame", "hostile-call-name-length", bad_name);
    std::printf("wrote the corpus under %s\n", root.c_str());
    return 0;
}
