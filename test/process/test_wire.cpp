// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The wire format and codec on their own: frames, hostile length prefixes, round trips.
#define BOOST_TEST_MODULE wire
#include <boost/test/unit_test.hpp>

#include <asyncjobs/detail/codec.hpp>
#include <asyncjobs/detail/frame.hpp>
#include <asyncjobs/detail/remote_exception.hpp>
#include <asyncjobs/errors.hpp>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/version.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace asyncjobs::detail;

namespace {
std::span<const std::byte> bytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

struct inner {
    std::int16_t small = 0;
    std::array<std::uint32_t, 3> triple{};
    bool operator==(const inner&) const = default;
    template <class Archive>
    void serialize(Archive& a, unsigned)
    {
        a & small & triple;
    }
};

/// Everything the codec's own primitives write: numbers, bools, strings (narrow and wide),
/// arrays, collections, optionals, a class with a version and class information.
struct everything {
    std::uint64_t id = 0;
    bool flag = false;
    std::string text;
    std::wstring wide;
    std::vector<double> values;
    std::vector<inner> parts;
    std::map<std::string, int> table;
    boost::optional<int> maybe;
    bool operator==(const everything&) const = default;
    template <class Archive>
    void serialize(Archive& a, unsigned version)
    {
        a & id & flag & text & wide & values & parts & table & maybe;
        if (version >= 2)
            a & id;
    }
};
} // namespace
BOOST_CLASS_VERSION(everything, 2)

BOOST_AUTO_TEST_CASE(a_frame_decodes_to_what_was_encoded)
{
    std::string wire;
    append_frame(wire, frame_kind::result, 0x1122334455667788ull, "payload");
    append_frame(wire, frame_kind::goodbye, 9, "");
    auto first = decode_frame(bytes(wire), 1024);
    BOOST_TEST_REQUIRE((first.status == decode_status::complete));
    BOOST_TEST((first.header.kind == frame_kind::result));
    BOOST_TEST(first.header.task_id == 0x1122334455667788ull);
    BOOST_TEST(std::string(reinterpret_cast<const char*>(first.payload.data()), first.payload.size()) == "payload");
    auto second = decode_frame(bytes(wire).subspan(first.consumed), 1024);
    BOOST_TEST_REQUIRE((second.status == decode_status::complete));
    BOOST_TEST((second.header.kind == frame_kind::goodbye));
    BOOST_TEST(second.consumed == frame_header_size);
}

BOOST_AUTO_TEST_CASE(every_truncation_is_incomplete_never_malformed)
{
    std::string wire;
    append_frame(wire, frame_kind::call, 5, "0123456789");
    for (std::size_t n = 0; n < wire.size(); ++n)
        BOOST_TEST((decode_frame(bytes(wire).first(n), 1024).status == decode_status::incomplete), "prefix " << n);
}

BOOST_AUTO_TEST_CASE(garbage_and_hostile_headers_are_malformed_at_once)
{
    BOOST_TEST((decode_frame(bytes("hello world, not a frame"), 1024).status == decode_status::malformed));
    std::string wrong_version;
    append_frame(wrong_version, frame_kind::call, 1, "");
    wrong_version[2] = 99;
    BOOST_TEST((decode_frame(bytes(wrong_version), 1024).status == decode_status::malformed));
    std::string unknown_kind;
    append_frame(unknown_kind, frame_kind::call, 1, "");
    unknown_kind[3] = 42;
    BOOST_TEST((decode_frame(bytes(unknown_kind), 1024).status == decode_status::malformed));
    // A 4 GB length prefix is refused from the header alone, before any payload arrives.
    std::string huge;
    append_frame_header(huge, frame_header{frame_kind::result, 1, 0xFFFFFFFFu});
    auto r = decode_frame(bytes(huge), std::size_t{1} << 30);
    BOOST_TEST((r.status == decode_status::malformed));
    BOOST_TEST(std::string(r.error).find("limit") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(frames_built_in_place_match_append_frame)
{
    std::string a;
    append_frame(a, frame_kind::call, 77, "abc");
    std::string b;
    auto start = begin_frame(b);
    b += "abc";
    finish_frame(b, start, frame_kind::call, 77);
    BOOST_TEST(a == b);
}

BOOST_AUTO_TEST_CASE(call_payloads_split_into_name_and_arguments)
{
    std::string payload;
    append_call_payload_name(payload, "ns::task");
    payload += "ARGS";
    call_payload call;
    BOOST_TEST_REQUIRE(split_call_payload(bytes(payload), call));
    BOOST_TEST(call.task_name == "ns::task");
    BOOST_TEST(call.arguments.size() == 4u);
    BOOST_TEST(!split_call_payload(bytes(payload).first(5), call));
}

BOOST_AUTO_TEST_CASE(values_round_trip_through_the_codec)
{
    std::string out;
    std::vector<std::uint64_t> numbers{1, 2, 3, 1ull << 60};
    std::map<std::string, int> table{{"a", 1}, {"b", 2}};
    encode_values(out, numbers, std::string("text"), table, 2.5);
    std::vector<std::uint64_t> n2;
    std::string s2;
    std::map<std::string, int> t2;
    double d2 = 0;
    decode_values(bytes(out), n2, s2, t2, d2);
    BOOST_TEST((n2 == numbers));
    BOOST_TEST(s2 == "text");
    BOOST_TEST((t2 == table));
    BOOST_TEST(d2 == 2.5);

    std::string raw;
    encode_values(raw, 7, 8.5);
    BOOST_TEST(raw.size() == sizeof(int) + sizeof(double));
    int i = 0;
    double d = 0;
    decode_values(bytes(raw), i, d);
    BOOST_TEST(i == 7);
    BOOST_TEST(d == 8.5);
    BOOST_CHECK_THROW(decode_values(bytes(raw).first(3), i, d), std::exception);
}

// The codec's archives have primitives of their own (no std::locale per archive); their
// bytes must stay Boost's binary_[io]archive's, in both directions.
BOOST_AUTO_TEST_CASE(the_codec_writes_and_reads_boost_binary_archive_bytes)
{
    everything value{0x0102030405060708ull, true, std::string("text\0with a zero", 16), L"wide \u00e9",
                     {1.5, -2.25, 1e300}, {{-3, {1, 2, 3}}, {7, {4, 5, 6}}}, {{"a", 1}, {"bc", -2}}, 42};
    std::string ours;
    encode_values(ours, value, std::string("second"));

    std::ostringstream boost_out;
    {
        boost::archive::binary_oarchive archive(boost_out, archive_flags);
        archive << value << std::string("second");
    }
    BOOST_TEST((ours == boost_out.str()));

    everything back;
    std::string second;
    decode_values(bytes(boost_out.str()), back, second);
    BOOST_TEST((back == value));
    BOOST_TEST(second == "second");

    std::istringstream boost_in(ours);
    boost::archive::binary_iarchive archive(boost_in, archive_flags);
    everything boost_back;
    std::string boost_second;
    archive >> boost_back >> boost_second;
    BOOST_TEST((boost_back == value));
    BOOST_TEST(boost_second == "second");
}

BOOST_AUTO_TEST_CASE(truncated_archives_throw_instead_of_reading_past_the_end)
{
    std::string out;
    encode_values(out, std::string(1000, 'x'));
    std::string back;
    for (std::size_t n : {std::size_t{0}, std::size_t{4}, std::size_t{9}, out.size() - 1})
        BOOST_CHECK_THROW(decode_values(bytes(out).first(n), back), std::exception);
    // A wide string whose announced length the input cannot back fails before allocating.
    std::string wide;
    encode_values(wide, std::wstring(8, L'w'));
    std::wstring wide_back;
    for (std::size_t n : {std::size_t{8}, wide.size() - 1})
        BOOST_CHECK_THROW(decode_values(bytes(wide).first(n), wide_back), std::exception);
    std::string hostile(8, '\xff');
    BOOST_CHECK_THROW(decode_values(bytes(hostile), wide_back), std::exception);
}

BOOST_AUTO_TEST_CASE(exceptions_cross_with_their_type)
{
    auto round_trip = [](std::exception_ptr e) {
        std::string out;
        encode_exception(out, e);
        return decode_exception(bytes(out));
    };
    BOOST_CHECK_THROW(std::rethrow_exception(round_trip(std::make_exception_ptr(std::invalid_argument("x")))),
                      std::invalid_argument);
    BOOST_CHECK_THROW(std::rethrow_exception(round_trip(std::make_exception_ptr(std::out_of_range("x")))), std::out_of_range);
    BOOST_CHECK_THROW(std::rethrow_exception(round_trip(std::make_exception_ptr(std::bad_alloc()))), std::bad_alloc);
    struct mine : std::logic_error {
        using std::logic_error::logic_error;
    };
    try {
        std::rethrow_exception(round_trip(std::make_exception_ptr(mine("own"))));
        BOOST_FAIL("no exception");
    } catch (const std::logic_error& e) {  // its standard base, with its own name kept
        auto origin = dynamic_cast<const asyncjobs::remote_origin*>(&e);
        BOOST_TEST_REQUIRE(origin != nullptr);
        BOOST_TEST(origin->type_name().find("mine") != std::string::npos);
        BOOST_TEST(origin->message() == "own");
        BOOST_TEST(std::string(e.what()) == "own");
    }
    try {
        std::rethrow_exception(round_trip(std::make_exception_ptr(42)));
        BOOST_FAIL("no exception");
    } catch (const asyncjobs::remote_error& e) {
        BOOST_TEST(e.type_name() == "int");
        BOOST_TEST(e.message().find("not derived from std::exception") != std::string::npos);
    }
}
