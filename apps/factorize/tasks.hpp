// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The registered tasks of the factorize app and the types that cross to worker processes.
// tasks.cpp registers them with ASYNCJOBS_TASK; it is part of factorize_lib, and the drivers
// that submit them pull it into every program that runs a pool.
#ifndef FACTORIZE_TASKS_HPP
#define FACTORIZE_TASKS_HPP

#include "factorize_core.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace factorize {

/// One number to factorize, with its position in the input so that results can be put
/// back in input order (and a lost chunk's numbers named) whatever order they arrive in.
struct work_item {
    enum flag : std::uint8_t {
        use_rho = 1,   ///< Pollard's rho instead of trial division
        crash_me = 2,  ///< abort() the process that runs this item (--crash-on, a testing aid)
    };
    u64 index = 0;
    u64 n = 0;
    std::uint8_t flags = 0;

    template <class Archive>
    void serialize(Archive& archive, unsigned)
    {
        archive & index & n & flags;
    }
};

struct item_result {
    u64 index = 0;
    std::vector<u64> factors;

    template <class Archive>
    void serialize(Archive& archive, unsigned)
    {
        archive & index & factors;
    }
};

/// A block of the input for the streaming driver: the numbers only (their positions are
/// implied), one set of flags for all, and the --crash-on number if any.
struct number_batch {
    std::vector<u64> numbers;
    std::uint8_t flags = 0;  ///< work_item::use_rho
    bool crash = false;      ///< abort() on reaching crash_on
    u64 crash_on = 0;

    template <class Archive>
    void serialize(Archive& archive, unsigned)
    {
        archive & numbers & flags & crash & crash_on;
    }
};

/// The factors of every number of a batch, flattened: for each number in order, how many
/// factors it has, then the factors. One vector of integers, not one per number: a block of
/// thousands crosses to and from a worker process as two flat arrays.
std::vector<u64> factor_batch(number_batch batch);

/// The text lines of a batch ("n: p1 p2 ...\n" each, as GNU factor prints them), made where
/// the numbers are factorized: the streaming driver's task for text output, so that the
/// process that prints only copies bytes, and fewer of them cross from a worker.
std::string format_batch(number_batch batch);

/// format_batch over numbers in place.
std::string format_numbers(const std::vector<u64>& numbers, algorithm algo);

/// Bytes that keep their allocation from one block to the next, and that are never
/// zero-filled: the streaming driver's text buffers on a thread pool, recycled so that a
/// run of thousands of blocks touches the same few pages instead of faulting in new ones.
struct text_buffer {
    std::unique_ptr<char[]> data;
    std::size_t capacity = 0;
    std::size_t size = 0;
};

/// format_numbers into `out` (its old contents dropped, its allocation kept when large enough).
void format_numbers_into(const std::vector<u64>& numbers, algorithm algo, text_buffer& out);

/// Factorizes one number (the task of map, as-completed and then).
item_result factor_item(work_item item);

/// Factorizes a chunk of numbers (the task of the chunked driver): the study's
/// chunked_worker, returning results keyed by input position rather than a {n: factors} map,
/// so that repeated numbers are kept.
std::vector<item_result> factor_chunk(std::vector<work_item> items);

} // namespace factorize

#endif
