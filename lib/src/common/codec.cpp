// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The parts of bounded_iarchive (codec.hpp) that Boost.Serialization defines out of line,
// instantiated once here as Boost's own binary_iarchive.cpp does for binary_iarchive.
#include <asyncjobs/detail/codec.hpp>

#include <boost/archive/detail/archive_serializer_map.hpp>
#include <boost/archive/impl/archive_serializer_map.ipp>
#include <boost/archive/impl/basic_binary_iarchive.ipp>
#include <boost/archive/impl/basic_binary_iprimitive.ipp>

namespace boost::archive {
template class detail::archive_serializer_map<asyncjobs::detail::bounded_iarchive>;
template class basic_binary_iprimitive<asyncjobs::detail::bounded_iarchive, char, std::char_traits<char>>;
template class basic_binary_iarchive<asyncjobs::detail::bounded_iarchive>;
template class binary_iarchive_impl<asyncjobs::detail::bounded_iarchive, char, std::char_traits<char>>;
} // namespace boost::archive
