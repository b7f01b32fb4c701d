// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The parts of bounded_iarchive and append_oarchive (codec.hpp) that Boost.Serialization
// defines out of line, instantiated once here as Boost's own binary_[io]archive.cpp do for
// binary_[io]archive.
#include <asyncjobs/detail/codec.hpp>

#include <boost/archive/detail/archive_serializer_map.hpp>
#include <boost/archive/impl/archive_serializer_map.ipp>
#include <boost/archive/impl/basic_binary_iarchive.ipp>

namespace boost::archive {
template class detail::archive_serializer_map<asyncjobs::detail::bounded_iarchive>;
template class detail::archive_serializer_map<asyncjobs::detail::append_oarchive>;
template class basic_binary_iarchive<asyncjobs::detail::bounded_iarchive>;
} // namespace boost::archive
