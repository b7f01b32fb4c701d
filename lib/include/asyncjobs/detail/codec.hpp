// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_CODEC_HPP
#define ASYNCJOBS_DETAIL_CODEC_HPP

// Arguments and results cross the process boundary as Boost.Serialization binary
// archives without a header, written straight into a std::string and read in place
// through a stream buffer over the frame's bytes: std::stringstream would cost 10x on large
// payloads. They are read with bounded_iarchive, binary_iarchive's format with checks
// against sizes the input cannot back: the bytes come from another process.
//
// Both archives are Boost's binary archives (basic_binary_[io]archive: class information,
// versions, tracking) over a primitive layer of their own, which writes and reads the
// same bytes as Boost's basic_binary_[io]primitive. Boost's builds a std::locale with a
// codecvt facet in its constructor even under no_codecvt, which binary data never uses:
// a new locale implementation copied facet by facet, about 1.5 us an archive, and a call
// that crosses the process boundary built four of them (arguments and result, each
// written once and read once), more than a small task's own work.

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/basic_binary_iarchive.hpp>
#include <boost/archive/basic_binary_oarchive.hpp>
#include <boost/archive/detail/register_archive.hpp>
#include <boost/serialization/array.hpp>
#include <boost/serialization/array_optimization.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <boost/serialization/deque.hpp>
#include <boost/serialization/list.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/optional.hpp>
#include <boost/serialization/set.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/wrapper.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <span>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace asyncjobs::detail {

inline constexpr unsigned archive_flags = boost::archive::no_header | boost::archive::no_codecvt;

/// A stream buffer that appends straight to its output (a std::string, or a worker's
/// reply_buffer): a large array written by the archive is one append, not a series of
/// 4 KiB copies through an intermediate buffer (Boost.Iostreams' back_insert_device ran at
/// 0.6 GB/s on a 10 MB string, this at memcpy speed).
template <class Out>
class appender final : public std::streambuf {
public:
    explicit appender(Out& out) noexcept : out_(out) {}

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
    Out& out_;
};

/// binary_oarchive's primitives (Boost's basic_binary_oprimitive, byte for byte) written to
/// a stream buffer, with no locale.
template <class Archive>
class binary_oprimitive {
    friend class boost::archive::save_access;

protected:
    explicit binary_oprimitive(std::streambuf& out) noexcept : out_(out) {}
    Archive* This() noexcept { return static_cast<Archive*>(this); }

    template <class T>
    void save(const T& t)
    {
        save_binary(&t, sizeof(T));
    }
    void save(const bool t) { save_binary(&t, sizeof(t)); }
    void save(const std::string& s)
    {
        std::size_t length = s.size();
        This()->save(length);
        save_binary(s.data(), length);
    }
    void save(const std::wstring& s)
    {
        std::size_t length = s.size();
        This()->save(length);
        save_binary(s.data(), length * sizeof(wchar_t));
    }
    void save(const char* s)
    {
        std::size_t length = std::strlen(s);
        This()->save(length);
        save_binary(s, length);
    }
    void save(const wchar_t* s)
    {
        std::size_t length = std::wcslen(s);
        This()->save(length);
        save_binary(s, length * sizeof(wchar_t));
    }

public:
    struct use_array_optimization {
        template <class T>
        struct apply : public boost::serialization::is_bitwise_serializable<T> {};
    };
    template <class ValueType>
    void save_array(const boost::serialization::array_wrapper<ValueType>& a, unsigned int)
    {
        save_binary(a.address(), a.count() * sizeof(ValueType));
    }
    void save_binary(const void* address, std::size_t count)
    {
        auto n = static_cast<std::streamsize>(count);
        if (out_.sputn(static_cast<const char*>(address), n) != n)
            boost::serialization::throw_exception(
                boost::archive::archive_exception(boost::archive::archive_exception::output_stream_error));
    }

private:
    std::streambuf& out_;
};

/// binary_oarchive's format (no header: the flags must hold no_header) on binary_oprimitive.
class append_oarchive final : public binary_oprimitive<append_oarchive>,
                              public boost::archive::basic_binary_oarchive<append_oarchive> {
    friend class boost::archive::detail::interface_oarchive<append_oarchive>;
    friend class boost::archive::basic_binary_oarchive<append_oarchive>;
    friend class boost::archive::save_access;

public:
    append_oarchive(std::streambuf& out, unsigned flags)
        : binary_oprimitive<append_oarchive>(out), boost::archive::basic_binary_oarchive<append_oarchive>(flags)
    {
    }

protected:
    template <class T>
    void save_override(T& t)
    {
        this->boost::archive::basic_binary_oarchive<append_oarchive>::save_override(t);
    }
};

/// Arithmetic values and enums travel as raw bytes: building a Boost archive costs about
/// half a microsecond, more than a small task's whole call.
template <class... T>
inline constexpr bool raw_encodable = ((std::is_arithmetic_v<T> || std::is_enum_v<T>) && ...);

/// Appends the binary encoding of `values` to `out` (anything with append(const char*,
/// size_t) and push_back(char), such as std::string).
template <class Out, class... T>
void encode_values(Out& out, const T&... values)
{
    if constexpr (raw_encodable<T...>) {
        (out.append(reinterpret_cast<const char*>(&values), sizeof(T)), ...);
    } else {
        appender<Out> buffer(out);
        append_oarchive archive(buffer, archive_flags);
        ((archive << values), ...);
    }
}

/// Appends to `out` whatever `write(archive)` writes into one binary archive.
template <class Out, class Write>
void encode_with(Out& out, Write&& write)
{
    appender<Out> buffer(out);
    append_oarchive archive(buffer, archive_flags);
    write(archive);
}

/// A read-only stream buffer over the bytes of a frame, read in place; it knows how many
/// bytes are left, which is what bounded_iarchive checks announced sizes against.
class span_source final : public std::streambuf {
public:
    explicit span_source(std::span<const std::byte> in) noexcept
    {
        // std::streambuf wants char*; nothing here writes through it.
        char* begin = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
        setg(begin, begin, begin + in.size());
    }
    std::size_t remaining() const noexcept { return static_cast<std::size_t>(egptr() - gptr()); }
    /// The next `n` bytes, read in place (the caller checked that they are there).
    const char* take(std::size_t n) noexcept
    {
        const char* at = gptr();
        setg(eback(), gptr() + n, egptr());
        return at;
    }

protected:
    std::streamsize xsgetn(char* s, std::streamsize n) override
    {
        std::size_t count = std::min(static_cast<std::size_t>(n), remaining());
        if (count)
            std::memcpy(s, gptr(), count);
        gbump(static_cast<int>(count));
        return static_cast<std::streamsize>(count);
    }
    std::streamsize showmanyc() override { return static_cast<std::streamsize>(remaining()); }
};

/// binary_iarchive's primitives (Boost's basic_binary_iprimitive, byte for byte) read in
/// place from a span_source, with no locale; a read past the end is an input_stream_error.
template <class Archive>
class binary_iprimitive {
    friend class boost::archive::load_access;

protected:
    explicit binary_iprimitive(span_source& in) noexcept : m_sb(in), in_(in) {}
    Archive* This() noexcept { return static_cast<Archive*>(this); }

    // Boost's name for the input, which basic_binary_iarchive's header reading uses
    // (instantiated with the class; an archive here has no header).
    std::streambuf& m_sb;

    template <class T>
    void load(T& t)
    {
        load_binary(&t, sizeof(T));
    }
    void load(std::wstring& s)
    {
        std::size_t length = 0;
        This()->load(length);
        if (length > in_.remaining() / sizeof(wchar_t))
            throw_short();
        s.resize(length);
        load_binary(s.data(), length * sizeof(wchar_t));
    }
    // C strings: Boost writes into the caller's buffer whatever length the input says;
    // kept for the format, as Boost has it.
    void load(char* s)
    {
        std::size_t length = 0;
        This()->load(length);
        load_binary(s, length);
        s[length] = '\0';
    }
    void load(wchar_t* s)
    {
        std::size_t length = 0;
        This()->load(length);
        if (length > in_.remaining() / sizeof(wchar_t))
            throw_short();
        load_binary(s, length * sizeof(wchar_t));
        s[length] = L'\0';
    }

public:
    struct use_array_optimization {
        template <class T>
        struct apply : public boost::serialization::is_bitwise_serializable<T> {};
    };
    template <class ValueType>
    void load_array(boost::serialization::array_wrapper<ValueType>& a, unsigned int)
    {
        load_binary(a.address(), a.count() * sizeof(ValueType));
    }
    void load_binary(void* address, std::size_t count)
    {
        if (count > in_.remaining())
            throw_short();
        if (count)
            std::memcpy(address, in_.take(count), count);
    }

private:
    [[noreturn]] static void throw_short()
    {
        boost::serialization::throw_exception(
            boost::archive::archive_exception(boost::archive::archive_exception::input_stream_error));
    }
    span_source& in_;
};

/// binary_iarchive's format, read with checks against sizes the input cannot back: a
/// collection, string or array may not announce more elements than bytes are left, so a
/// corrupt or hostile length prefix fails at once instead of allocating gigabytes.
/// No header: the flags must hold no_header.
class bounded_iarchive final : public binary_iprimitive<bounded_iarchive>,
                               public boost::archive::basic_binary_iarchive<bounded_iarchive> {
    using primitive = binary_iprimitive<bounded_iarchive>;
    using base = boost::archive::basic_binary_iarchive<bounded_iarchive>;
    friend class boost::archive::detail::interface_iarchive<bounded_iarchive>;
    friend class boost::archive::basic_binary_iarchive<bounded_iarchive>;
    friend class boost::archive::load_access;
    friend class binary_iprimitive<bounded_iarchive>;

public:
    bounded_iarchive(span_source& source, unsigned flags) : primitive(source), base(flags), source_(source) {}
    /// Bytes left in the input: what a length read from it may announce at most.
    std::size_t remaining() const noexcept { return source_.remaining(); }

    // Primitive values: the base's, and strings with their length checked first.
    using primitive::load;
    void load(std::string& s)
    {
        std::size_t length = 0;
        this->load_binary(&length, sizeof(length));
        require_bytes(length, 1);
        // Copied once, out of the frame in place: resize() would zero-fill it first.
        s.assign(source_.take(length), length);
    }
    // A bool byte other than 0 or 1 (a map() chunk's outcome flags, an optional's) is
    // undefined behaviour to read as a bool, and Boost's own load asserts on it.
    void load(bool& b)
    {
        static_assert(sizeof(bool) == 1);
        unsigned char byte = 0;
        this->load_binary(&byte, 1);
        if (byte > 1)
            throw std::invalid_argument("asyncjobs: corrupt encoding: a bool is " + std::to_string(byte));
        b = byte == 1;
    }

    template <class T>
    void load_override(T& t)
    {
        base::load_override(t);
    }
    // A vector of numbers, the common large payload: Boost's load resizes it (writing zeros
    // over every element) and then copies the bytes over them; this copies them once, out of
    // the frame in place. The format is Boost's: the count, then the elements' bytes (for
    // the element types Boost writes with no class information: see collection_traits.hpp).
    template <class T>
        requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool> &&
                 boost::serialization::implementation_level<std::vector<T>>::value ==
                     boost::serialization::object_serializable)
    void load_override(std::vector<T>& v)
    {
        boost::serialization::collection_size_type count;
        load_override(count);
        if (BOOST_SERIALIZATION_VECTOR_VERSIONED(this->get_library_version())) {
            unsigned int item_version = 0;
            *this >> item_version;
        }
        require_bytes(count, sizeof(T));
        const char* at = source_.take(count * sizeof(T));
        if (reinterpret_cast<std::uintptr_t>(at) % alignof(T) == 0) {
            const T* first = reinterpret_cast<const T*>(at);
            v.assign(first, first + static_cast<std::size_t>(count));
        } else {
            // Elements that are not aligned in the frame cannot be read as T in place.
            v.resize(count);
            if (count)
                std::memcpy(v.data(), at, count * sizeof(T));
        }
    }
    void load_override(boost::serialization::collection_size_type& t)
    {
        base::load_override(t);
        require(static_cast<std::size_t>(t));
    }

private:
    // Elements may take no bytes at all (empty structs), and an unordered container
    // announces its bucket count, which may exceed its elements: a fixed allowance keeps
    // those valid while a hostile count still cannot reach a large allocation.
    static constexpr std::size_t allowance = std::size_t{1} << 16;

    void require(std::size_t count) const
    {
        if (count > source_.remaining() + allowance)
            throw std::length_error("asyncjobs: corrupt encoding: " + std::to_string(count) +
                                    " elements announced, " + std::to_string(source_.remaining()) + " bytes left");
    }

    /// `count` elements of `size` bytes each must all be in what is left of the input.
    void require_bytes(std::size_t count, std::size_t size) const
    {
        if (count > source_.remaining() / size)
            throw std::length_error("asyncjobs: corrupt encoding: " + std::to_string(count) + " elements of " +
                                    std::to_string(size) + " bytes announced, " +
                                    std::to_string(source_.remaining()) + " bytes left");
    }

    span_source& source_;
};

/// Reads `in` through one binary archive handed to `read(archive)`.
template <class Read>
decltype(auto) decode_with(std::span<const std::byte> in, Read&& read)
{
    span_source buffer(in);
    bounded_iarchive archive(buffer, archive_flags);
    return read(archive);
}

/// One raw value; a bool must be 0 or 1 (any other byte read as a bool is undefined behaviour).
template <class T>
void read_raw(T& value, const std::byte* at)
{
    if constexpr (std::is_same_v<T, bool>)
        if (std::to_integer<unsigned>(*at) > 1)
            throw std::invalid_argument("asyncjobs: corrupt encoding: a bool is " + std::to_string(std::to_integer<unsigned>(*at)));
    std::memcpy(&value, at, sizeof(T));
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
        ((read_raw(values, in.data() + offset), offset += sizeof(T)), ...);
    } else {
        span_source buffer(in);
        bounded_iarchive archive(buffer, archive_flags);
        ((archive >> values), ...);
    }
}

} // namespace asyncjobs::detail

// What binary_[io]archive.hpp declare for Boost's binary archives: exported classes can be
// written and read, and arrays of bitwise-serializable values go in one piece (the format
// depends on it).
BOOST_SERIALIZATION_REGISTER_ARCHIVE(asyncjobs::detail::bounded_iarchive)
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(asyncjobs::detail::bounded_iarchive)
BOOST_SERIALIZATION_REGISTER_ARCHIVE(asyncjobs::detail::append_oarchive)
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(asyncjobs::detail::append_oarchive)

#endif
