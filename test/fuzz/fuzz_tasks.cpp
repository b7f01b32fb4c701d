// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "fuzz_tasks.hpp"

#include <asyncjobs/task.hpp>

namespace fuzz_tasks {

// The fuzzer calls it with any two ints: wrap around instead of overflowing (UB).
int add(int a, int b) { return static_cast<int>(static_cast<unsigned>(a) + static_cast<unsigned>(b)); }
std::string greet(std::string name) { return "hello, " + name; }
std::vector<std::uint64_t> echo_block(std::vector<std::uint64_t> block) { return block; }
std::string tag(int id, std::string name) { return std::to_string(id) + ":" + name; }
record touch(record r)
{
    r.id = static_cast<int>(static_cast<unsigned>(r.id) + 1u);  // any id: wraps, no overflow
    return r;
}
std::vector<record> records(std::vector<record> rs) { return rs; }
std::map<std::string, int> count_words(std::list<std::string> words)
{
    std::map<std::string, int> counts;
    for (auto& w : words)
        ++counts[w];
    return counts;
}
std::unordered_map<std::string, std::uint64_t> index(std::vector<std::vector<std::string>> rows)
{
    std::unordered_map<std::string, std::uint64_t> out;
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (auto& cell : rows[i])
            out[cell] = i;
    return out;
}
bool is_even(int x) { return x % 2 == 0; }
void ignore(int) {}

} // namespace fuzz_tasks

ASYNCJOBS_TASK(fuzz_tasks::add);
ASYNCJOBS_TASK(fuzz_tasks::greet);
ASYNCJOBS_TASK(fuzz_tasks::echo_block);
ASYNCJOBS_TASK(fuzz_tasks::tag);
ASYNCJOBS_TASK(fuzz_tasks::touch);
ASYNCJOBS_TASK(fuzz_tasks::records);
ASYNCJOBS_TASK(fuzz_tasks::count_words);
ASYNCJOBS_TASK(fuzz_tasks::index);
ASYNCJOBS_TASK(fuzz_tasks::is_even);
ASYNCJOBS_TASK(fuzz_tasks::ignore);
