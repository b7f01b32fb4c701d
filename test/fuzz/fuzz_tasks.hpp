// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The tasks the codec fuzz target decodes results, arguments and map() chunks of: one per
// kind of type the library carries (raw arithmetic, string, vector, tuple of arguments,
// a user struct with serialize(), nested and associative containers, void).
#ifndef ASYNCJOBS_TEST_FUZZ_TASKS_HPP
#define ASYNCJOBS_TEST_FUZZ_TASKS_HPP

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <boost/optional.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace fuzz_tasks {

struct record {
    int id = 0;
    std::string name;
    std::vector<double> values;
    boost::optional<std::string> note;
    template <class Archive>
    void serialize(Archive& archive, unsigned)
    {
        archive & id & name & values & note;
    }
    friend bool operator==(const record&, const record&) = default;
};

int add(int a, int b);
std::string greet(std::string name);
std::vector<std::uint64_t> echo_block(std::vector<std::uint64_t> block);
std::string tag(int id, std::string name);
record touch(record r);
std::vector<record> records(std::vector<record> rs);
std::map<std::string, int> count_words(std::list<std::string> words);
std::unordered_map<std::string, std::uint64_t> index(std::vector<std::vector<std::string>> rows);
bool is_even(int x);
void ignore(int);

/// The registered name of each task above, in order: a selector byte picks one.
inline constexpr const char* names[] = {
    "fuzz_tasks::add",   "fuzz_tasks::greet",       "fuzz_tasks::echo_block", "fuzz_tasks::tag",
    "fuzz_tasks::touch", "fuzz_tasks::records",     "fuzz_tasks::count_words", "fuzz_tasks::index",
    "fuzz_tasks::is_even", "fuzz_tasks::ignore",
};
inline constexpr std::size_t task_count = sizeof(names) / sizeof(names[0]);

} // namespace fuzz_tasks

#endif
