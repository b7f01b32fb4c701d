// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The command line the benchmarks in apps/bench share: the options every bench has
// (rounds, scale, figure groups, outputs, the Python peer, --check, --quiet), parsed with
// Boost.Program_options, their usage text, and main()'s exit statuses. A bench adds its
// own options (its pool size, ...) to the description it parses with. Header-only, no
// asyncjobs types.
#ifndef ASYNCJOBS_BENCH_OPTIONS_HPP
#define ASYNCJOBS_BENCH_OPTIONS_HPP

#include <boost/program_options.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace asyncjobs_bench {

namespace po = boost::program_options;

/// The options every bench has; a bench's config derives from it and adds its own.
struct bench_options {
    bench_options(int default_rounds, std::string default_peer_script)
        : rounds(default_rounds), peer_script(std::move(default_peer_script))
    {
    }

    int rounds;
    double scale = 1.0;
    std::vector<std::string> only;  // figure groups to run; empty = all
    std::optional<std::string> json_path;
    std::optional<std::string> markdown_path;
    bool markdown_stdout = false;
    enum class python_mode { automatic, required, off } python = python_mode::automatic;
    std::string python_exe = "python3";
    std::string peer_script;
    bool check_targets = false;
    bool quiet = false;

    std::size_t scaled(std::size_t n) const
    {
        return std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(static_cast<double>(n) * scale)));
    }
    bool wants(const std::string& group) const
    {
        return only.empty() || std::find(only.begin(), only.end(), group) != only.end();
    }
};

/// The notifier of a count that must be at least 1 (a pool size): `option` names it.
inline std::function<void(std::size_t)> at_least_one(std::string option)
{
    return [option = std::move(option)](std::size_t n) {
        if (n == 0)
            throw std::invalid_argument(option + " must be at least 1");
    };
}

/// --rounds, --scale, --only (comma-separated, each one of `groups`), --json, --markdown,
/// --markdown-out, bound to `c`. `scale_note` follows "default 1" in --scale's help.
inline po::options_description figure_options(bench_options& c, std::vector<std::string> groups,
                                               const std::string& scale_note = "")
{
    std::string group_list;
    for (auto& g : groups)
        group_list += (group_list.empty() ? "" : ",") + g;
    po::options_description options;
    options.add_options()
        ("rounds", po::value(&c.rounds)->value_name("N")->notifier([&c](int n) { c.rounds = std::max(1, n); }),
         ("measured rounds; figures are medians over them (default " + std::to_string(c.rounds) + ")").c_str())
        ("scale", po::value(&c.scale)->value_name("X")->notifier([](double x) {
             if (!(x > 0))
                 throw std::invalid_argument("--scale must be positive");
         }),
         ("multiply every task count by X (default 1" + scale_note + ")").c_str())
        ("only",
         po::value<std::vector<std::string>>()->value_name("LIST")->composing()->notifier(
             [&c, groups](const std::vector<std::string>& lists) {
                 for (auto& list : lists) {
                     std::stringstream items(list);
                     for (std::string item; std::getline(items, item, ',');) {
                         if (std::find(groups.begin(), groups.end(), item) == groups.end())
                             throw std::invalid_argument("--only: unknown group '" + item + "'");
                         c.only.push_back(item);
                     }
                 }
             }),
         ("comma-separated groups: " + group_list).c_str())
        ("json", po::value<std::string>()->value_name("FILE")->notifier([&c](const std::string& p) { c.json_path = p; }),
         "write every figure, sample and ratio as JSON")
        ("markdown", po::bool_switch(&c.markdown_stdout), "print the table as Markdown (for the README) instead of text")
        ("markdown-out",
         po::value<std::string>()->value_name("FILE")->notifier([&c](const std::string& p) { c.markdown_path = p; }),
         "also write the Markdown table to FILE");
    return options;
}

/// --python, --no-python, --python-exe, --peer-script, bound to `c`.
inline po::options_description python_options(bench_options& c)
{
    using mode = bench_options::python_mode;
    // Each flag's notifier refuses the other's mode, so that the two conflict whichever
    // Boost.Program_options notifies first.
    auto set_mode = [&c](mode m, mode other) {
        return [&c, m, other](bool given) {
            if (!given)
                return;
            if (c.python == other)
                throw std::invalid_argument("--python and --no-python exclude each other");
            c.python = m;
        };
    };
    const std::string script = std::filesystem::path(c.peer_script).filename().string();
    po::options_description options;
    options.add_options()
        ("python", po::bool_switch()->notifier(set_mode(mode::required, mode::off)),
         "require the Python peer (fail if python3 is missing)")
        ("no-python", po::bool_switch()->notifier(set_mode(mode::off, mode::required)),
         "skip the Python peer (default: run it when python3 is on PATH)")
        ("python-exe", po::value(&c.python_exe)->value_name("PATH"), "interpreter for the peer (default python3)")
        ("peer-script", po::value(&c.peer_script)->value_name("PATH"),
         (script + " to run (default: the one in the source tree)").c_str());
    return options;
}

/// --check, --quiet, bound to `c`.
inline po::options_description run_options(bench_options& c)
{
    po::options_description options;
    options.add_options()
        ("check", po::bool_switch(&c.check_targets), "exit with status 1 if a figure misses its target")
        ("quiet", po::bool_switch(&c.quiet), "no progress on stderr");
    return options;
}

/// "usage: PROGRAM [options]" and a line per option: "  --name ARG", its help from column
/// 21 (two spaces after a longer "--name ARG"). Laid out here rather than by
/// options_description's printer, which pads every option to the longest one and wraps at
/// 80 columns, so that the usage text stays as it was.
inline std::string usage_text(const std::string& program, const po::options_description& options)
{
    std::string out = "usage: " + program + " [options]\n";
    for (const auto& option : options.options()) {
        std::string head = "--" + option->long_name();
        if (std::string arg = option->format_parameter(); !arg.empty())
            head += " " + arg;
        out += "  " + head + std::string(head.size() < 19 ? 19 - head.size() : 2, ' ') + option->description() + "\n";
    }
    return out;
}

/// main() of a bench, after any child mode of its own: parses the command line against
/// `options` (bound to the bench's config) and returns what `run` returns. --help / -h
/// prints the usage and returns 0; a bad command line (or a std::invalid_argument from
/// `run`) prints the error and the usage and returns 2; any other failure prints it and
/// returns 1.
inline int bench_main(int argc, char** argv, const std::string& program, const po::options_description& options,
                      const std::function<int()>& run)
{
    const std::string usage = usage_text(program, options);
    auto bad_usage = [&](const char* what) {
        std::fprintf(stderr, "%s: %s\n%s", program.c_str(), what, usage.c_str());
        return 2;
    };
    try {
        po::options_description all;
        all.add(options).add_options()("help,h", "print the usage and exit");
        // No abbreviated option names (one that is unambiguous today could stop being so
        // when an option is added) and no positional arguments (an empty positional
        // description refuses them).
        const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
        const po::positional_options_description none;
        po::parsed_options parsed = po::command_line_parser(argc, argv).options(all).positional(none).style(style).run();
        // A later occurrence of an option overrides an earlier one, so that a script's
        // options can be overridden by those it passes on (update_readme_table.sh); the
        // lists of a composing option (--only) add up.
        auto& given = parsed.options;
        for (auto it = given.begin(); it != given.end();) {
            bool overridden = std::any_of(std::next(it), given.end(),
                                          [&](const po::option& o) { return o.string_key == it->string_key; });
            if (overridden && !all.find(it->string_key, false).semantic()->is_composing())
                it = given.erase(it);
            else
                ++it;
        }
        po::variables_map vm;
        po::store(parsed, vm);
        if (vm.count("help")) {
            std::fputs(usage.c_str(), stdout);
            return 0;
        }
        po::notify(vm);
        return run();
    } catch (const po::error& e) {
        return bad_usage(e.what());
    } catch (const std::invalid_argument& e) {
        return bad_usage(e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
        return 1;
    }
}

} // namespace asyncjobs_bench

#endif
