// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "payload_tasks.hpp"
#include "policy_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <csignal>
#include <numeric>

namespace payload_tasks {

std::vector<std::uint8_t> echo_bytes(std::vector<std::uint8_t> bytes) { return bytes; }

exploding_block make_exploding(std::uint64_t size, bool explode)
{
    exploding_block block;
    block.bytes.resize(size);
    for (std::size_t i = 0; i < block.bytes.size(); ++i)
        block.bytes[i] = static_cast<std::uint8_t>(i % 251);
    block.explode = explode;
    return block;
}

std::vector<std::uint64_t> concat(std::string text, std::vector<std::uint64_t> values, std::vector<std::uint8_t> bytes)
{
    values.push_back(std::accumulate(bytes.begin(), bytes.end(), std::uint64_t{0}));
    values.push_back(text.size());
    values.push_back(std::accumulate(text.begin(), text.end(), std::uint64_t{0},
                                     [](std::uint64_t sum, char c) { return sum + static_cast<unsigned char>(c); }));
    return values;
}

std::uint64_t sum_bytes_dying_first(std::string counter, int deaths, std::vector<std::uint8_t> bytes)
{
    if (policy_tasks::count_try(counter) <= deaths)
        ::raise(SIGKILL);
    return std::accumulate(bytes.begin(), bytes.end(), std::uint64_t{0});
}

} // namespace payload_tasks

ASYNCJOBS_TASK(payload_tasks::echo_bytes);
ASYNCJOBS_TASK(payload_tasks::make_exploding);
ASYNCJOBS_TASK(payload_tasks::concat);
ASYNCJOBS_TASK(payload_tasks::sum_bytes_dying_first);
