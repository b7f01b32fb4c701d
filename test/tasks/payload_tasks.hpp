// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Tasks of the large-payload suite (test/process/test_large_payloads.cpp): byte blocks whose
// encoded frames can be sized to the byte, and workers that die around a large frame.
#ifndef ASYNCJOBS_TEST_PAYLOAD_TASKS_HPP
#define ASYNCJOBS_TEST_PAYLOAD_TASKS_HPP

#include <boost/serialization/vector.hpp>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace payload_tasks {

/// The registered name of echo_bytes: a call frame's size depends on it.
inline constexpr const char* echo_bytes_name = "payload_tasks::echo_bytes";

/// Returns `bytes` unchanged.
std::vector<std::uint8_t> echo_bytes(std::vector<std::uint8_t> bytes);

/// A block whose encoding kills the worker (SIGKILL) after writing half of it, when asked:
/// the result dies while it is being encoded into the worker's shared region.
struct exploding_block {
    std::vector<std::uint8_t> bytes;
    bool explode = false;

    template <class Archive>
    void serialize(Archive& archive, unsigned)
    {
        archive & explode;
        if constexpr (Archive::is_saving::value) {
            if (explode) {
                // Half the block written (into the region, for a block this large), then death.
                std::vector<std::uint8_t> half(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
                archive & half;
                ::raise(SIGKILL);
            }
        }
        archive & bytes;
    }
};

/// A block of `size` bytes (value i % 251 at i) that kills the worker while it is encoded
/// if `explode` is set.
exploding_block make_exploding(std::uint64_t size, bool explode);

/// `values`, then the sum of `bytes`, then the length of `text` and the sum of its chars: several
/// large arguments in one call, the string first so that its length moves the others'
/// alignment in the frame.
std::vector<std::uint64_t> concat(std::string text, std::vector<std::uint64_t> values, std::vector<std::uint8_t> bytes);

/// Counts this try in `counter` (a file, one byte a try); on the first `deaths` tries the
/// worker SIGKILLs itself, after that it returns the sum of `bytes` (the argument must
/// reach every try intact).
std::uint64_t sum_bytes_dying_first(std::string counter, int deaths, std::vector<std::uint8_t> bytes);

} // namespace payload_tasks

#endif
