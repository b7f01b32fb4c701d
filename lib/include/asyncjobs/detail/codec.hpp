// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_CODEC_HPP
#define ASYNCJOBS_DETAIL_CODEC_HPP

// Arguments and results cross the process boundary as Boost.Serialization binary
// archives without a header, written straight into a std::string and read in place
// through a Boost.Iostreams array device: std::stringstream would cost 10x on large payloads.

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/stream_buffer.hpp>
#include <boost/serialization/array.hpp>
#include <boost/serialization/deque.hpp>
#include <boost/serialization/list.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/optional.hpp>
#include <boost/serialization/set.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <span>
#include <streambuf>
#include <string>

namespace asyncjobs::detail {

inline constexpr unsigned archive_flags = boost::archive::no_header | boost::archive::no_codecvt;

/// A stream buffer that appends straight to a std::string: a large array written by the
/// archive is one append, not a series of 4 KiB copies through an intermediate buffer
/// (Boost.Iostreams' back_insert_device ran at 0.6 GB/s on a 10 MB string, this at memcpy speed).
class string_appender final : public std::streambuf {
public:
    explicit string_appender(std::string& out) noexcept : out_(out) {}

protected:
    int_type overflow(int_type c) override
    {
        if (!traits_type::eq_int_type(c, traits_type::eof()))
            out_.push_back(traits_type::to_char_type(c));
        return traits_type::not_eof(c);
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override
    {
        out_.append(s, static_cast<std::size_t>(n));
        return n;
    }

private:
    std::string& out_;
};

/// Arithmetic values and enums travel as raw bytes: building a Boost archive costs about
/// half a microsecond, more than a small task's whole call.
template <class... T>
inline constexpr bool raw_encodable = ((std::is_arithmetic_v<T> || std::is_enum_v<T>) && ...);

/// Appends the binary encoding of `values` to `out`.
template <class... T>
void encode_values(std::string& out, const T&... values)
{
    if constexpr (raw_encodable<T...>) {
        (out.append(reinterpret_cast<const char*>(&values), sizeof(T)), ...);
    } else {
        string_appender buffer(out);
        boost::archive::binary_oarchive archive(buffer, archive_flags);
        ((archive << values), ...);
    }
}

/// Appends to `out` whatever `write(archive)` writes into one binary archive.
template <class Write>
void encode_with(std::string& out, Write&& write)
{
    string_appender buffer(out);
    boost::archive::binary_oarchive archive(buffer, archive_flags);
    write(archive);
}

/// Reads `in` through one binary archive handed to `read(archive)`.
template <class Read>
decltype(auto) decode_with(std::span<const std::byte> in, Read&& read)
{
    boost::iostreams::stream_buffer<boost::iostreams::array_source> buffer(reinterpret_cast<const char*>(in.data()),
                                                                           in.size());
    boost::archive::binary_iarchive archive(buffer, archive_flags);
    return read(archive);
}

/// Decodes `values` from `in`; throws (a Boost archive_exception, std::bad_alloc, ...) on
/// input that is not a valid encoding: callers turn that into a protocol error.
template <class... T>
void decode_values(std::span<const std::byte> in, T&... values)
{
    if constexpr (raw_encodable<T...>) {
        if (in.size() != (sizeof(T) + ... + 0))
            throw std::length_error("asyncjobs: encoded values have the wrong size");
        std::size_t offset = 0;
        ((std::memcpy(&values, in.data() + offset, sizeof(T)), offset += sizeof(T)), ...);
        return;
    }
    boost::iostreams::stream_buffer<boost::iostreams::array_source> buffer(reinterpret_cast<const char*>(in.data()),
                                                                           in.size());
    boost::archive::binary_iarchive archive(buffer, archive_flags);
    ((archive >> values), ...);
}

} // namespace asyncjobs::detail

#endif
