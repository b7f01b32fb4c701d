// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_SERIALIZABLE_HPP
#define ASYNCJOBS_SERIALIZABLE_HPP

#include <boost/archive/binary_oarchive.hpp>

#include <array>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asyncjobs {

/// Specialize to std::true_type for a type that Boost.Serialization can write but that the
/// detection below cannot see (a free serialize() declared in namespace boost::serialization).
template <class T>
struct is_serializable : std::false_type {
};

namespace detail {

template <class T>
struct is_std_serializable : std::false_type {
};

template <class T>
concept member_serializable = requires(T& t, boost::archive::binary_oarchive& archive, unsigned version) {
    t.serialize(archive, version);
};

template <class T>
concept adl_serializable = requires(T& t, boost::archive::binary_oarchive& archive, unsigned version) {
    serialize(archive, t, version);
};

} // namespace detail

/// What can cross a process boundary as a task argument or result. Arithmetic types,
/// enums, std::string and the standard containers of serializable types, and classes with
/// a Boost.Serialization serialize() (member, or free and found by ADL).
template <class T>
concept serializable = std::is_arithmetic_v<T> || std::is_enum_v<T> || detail::is_std_serializable<T>::value ||
                       detail::member_serializable<T> || detail::adl_serializable<T> || is_serializable<T>::value;

namespace detail {

template <class C, class T, class A>
struct is_std_serializable<std::basic_string<C, T, A>> : std::true_type {
};
template <class T, class A>
struct is_std_serializable<std::vector<T, A>> : std::bool_constant<serializable<T>> {
};
template <class T, class A>
struct is_std_serializable<std::deque<T, A>> : std::bool_constant<serializable<T>> {
};
template <class T, class A>
struct is_std_serializable<std::list<T, A>> : std::bool_constant<serializable<T>> {
};
template <class T, std::size_t N>
struct is_std_serializable<std::array<T, N>> : std::bool_constant<serializable<T>> {
};
template <class T, class C, class A>
struct is_std_serializable<std::set<T, C, A>> : std::bool_constant<serializable<T>> {
};
template <class K, class V, class C, class A>
struct is_std_serializable<std::map<K, V, C, A>> : std::bool_constant<serializable<K> && serializable<V>> {
};
template <class K, class V, class H, class E, class A>
struct is_std_serializable<std::unordered_map<K, V, H, E, A>> : std::bool_constant<serializable<K> && serializable<V>> {
};
template <class A, class B>
struct is_std_serializable<std::pair<A, B>> : std::bool_constant<serializable<A> && serializable<B>> {
};
template <class T>
struct is_std_serializable<std::optional<T>> : std::bool_constant<serializable<T>> {
};

} // namespace detail
} // namespace asyncjobs

#endif
