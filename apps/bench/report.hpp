// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// What the benchmarks in apps/bench do alike between their options and their exit: the
// rounds (figure groups whose variants rotate from round to round), per-round paired
// ratios, the Python peer, and the parts of the outputs that are the same (the setup line,
// the JSON around the figures, the files). Each bench keeps its rows and its tables, which
// differ. Header-only, no asyncjobs types.
#ifndef ASYNCJOBS_BENCH_REPORT_HPP
#define ASYNCJOBS_BENCH_REPORT_HPP

#include "bench_options.hpp"
#include "harness.hpp"

#include <boost/version.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asyncjobs_bench {

// ---------------------------------------------------------------------------------------
// Rounds

using sink = std::map<std::string, double>;                     // one run's samples, by key
using sample_map = std::map<std::string, std::vector<double>>;  // the rounds' samples, by key

struct variant {
    /// One sample under `key`: the figure `run` returns.
    variant(std::string k, std::function<double()> r) : key(std::move(k)), run(std::move(r)) {}
    /// Several samples at once; gets the round number.
    explicit variant(std::function<void(int, sink&)> r) : run_many(std::move(r)) {}

    std::string key;
    std::function<double()> run;
    std::function<void(int, sink&)> run_many;
};

struct group {
    std::string name;
    std::vector<variant> variants;
};

/// Work of a round outside its groups (the process bench's Python peer): called before the
/// groups (`before`) and after them, in every round, the warm-up included.
using round_hook = std::function<void(int round, bool before, sample_map& samples)>;

/// Runs a warm-up round (threads or workers started, allocator pools grown, code paged in;
/// its samples are dropped), then c.rounds measured ones, of the groups that c.wants: every
/// round runs every variant of a group once, in an order that rotates from round to round,
/// so that drift on a noisy machine hits all variants alike. Progress goes to stderr,
/// timed from `start`. Sample i of a key is round i's.
inline sample_map run_rounds(std::vector<group>& groups, const bench_options& c, bench_clock::time_point start,
                             const round_hook& around = {})
{
    std::vector<group*> active;
    for (auto& g : groups)
        if (c.wants(g.name))
            active.push_back(&g);
    if (active.empty())
        throw std::invalid_argument("--only selects no figure group");

    sample_map samples;
    for (int round = 0; round <= c.rounds; ++round) {
        if (!c.quiet) {
            if (round == 0)
                std::fputs("warm-up round", stderr);
            else
                std::fprintf(stderr, "round %d/%d", round, c.rounds);
        }
        if (around)
            around(round, true, samples);
        for (auto* g : active) {
            auto n = g->variants.size();
            for (std::size_t k = 0; k < n; ++k) {
                auto& v = g->variants[(k + static_cast<std::size_t>(round)) % n];
                sink out;
                if (v.run_many)
                    v.run_many(round, out);
                else
                    out[v.key] = v.run();
                if (round > 0)
                    for (auto& [key, value] : out)
                        samples[key].push_back(value);
            }
            if (!c.quiet)
                std::fprintf(stderr, " %s", g->name.c_str());
        }
        if (around)
            around(round, false, samples);
        if (!c.quiet)
            std::fprintf(stderr, " (%.1f s)\n", ns_since(start) / 1e9);
    }
    return samples;
}

// ---------------------------------------------------------------------------------------
// Paired ratios

/// Per-round ratios of two figures measured in the same rounds, their median and range.
struct paired_ratios {
    std::vector<double> samples;
    double median = std::nan(""), min = std::nan(""), max = std::nan("");
};

/// ratio(ours[i], other[i]) for every round i both have, leaving out pairs with a NaN side.
template <class Ratio>
paired_ratios pair_up(const std::vector<double>& ours, const std::vector<double>& other, Ratio ratio)
{
    paired_ratios r;
    for (std::size_t i = 0; i < ours.size() && i < other.size(); ++i)
        if (!std::isnan(ours[i]) && !std::isnan(other[i]))
            r.samples.push_back(ratio(ours[i], other[i]));
    if (!r.samples.empty()) {
        r.median = median(r.samples);
        r.min = *std::min_element(r.samples.begin(), r.samples.end());
        r.max = *std::max_element(r.samples.begin(), r.samples.end());
    }
    return r;
}

// ---------------------------------------------------------------------------------------
// The Python peer, run as a child process that prints JSON

class python_peer {
public:
    /// c.peer_script run by c.python_exe with `--workers W --rounds R --scale X`. Disabled,
    /// with a note, by --no-python or when either is missing, which --python makes an error.
    python_peer(const bench_options& c, std::size_t workers, int rounds) : c_(c)
    {
        if (c.python == bench_options::python_mode::off) {
            note_ = "Python peer skipped (--no-python)";
            return;
        }
        auto exe = find_on_path(c.python_exe);
        if (!exe) {
            disable(c.python_exe + " not found on PATH");
            return;
        }
        if (access(c.peer_script.c_str(), R_OK) != 0) {
            disable("peer script " + c.peer_script + " not readable");
            return;
        }
        std::ostringstream cmd;
        cmd << shell_quote(*exe) << ' ' << shell_quote(c.peer_script) << " --workers " << workers << " --rounds "
            << rounds << " --scale " << c.scale;
        command_ = cmd.str();
        enabled_ = true;
    }

    bool enabled() const noexcept { return enabled_; }
    /// Why there is no Python figure; empty while the peer works.
    const std::string& note() const noexcept { return note_; }
    const std::string& command() const noexcept { return command_; }
    const std::string& version() const noexcept { return version_; }
    /// The JSON of every successful run.
    const std::vector<std::string>& outputs() const noexcept { return outputs_; }

    /// One run of the peer: those of `keys` that its "figures" have. nullopt when it fails
    /// or has none of them, which disables the peer (an error under --python).
    std::optional<sink> run(std::span<const char* const> keys)
    {
        if (!enabled_)
            return std::nullopt;
        int status = 0;
        std::string json = run_capture(command_, status);
        if (status != 0) {
            disable("the Python peer failed (status " + std::to_string(status) + ")");
            return std::nullopt;
        }
        auto figures_at = json.find("\"figures\"");
        std::string figures = figures_at == std::string::npos ? std::string() : json.substr(figures_at);
        sink out;
        for (const char* key : keys)
            if (auto v = json_number(figures, key))
                out[key] = *v;
        if (out.empty()) {
            disable("the Python peer printed no figures");
            return std::nullopt;
        }
        if (auto v = json_string(json, "python"))
            version_ = *v;
        outputs_.push_back(std::move(json));
        return out;
    }

private:
    void disable(const std::string& why)
    {
        enabled_ = false;
        if (c_.python == bench_options::python_mode::required)
            throw std::runtime_error(why);
        note_ = why + "; Python column left empty";
    }

    const bench_options& c_;
    bool enabled_ = false;
    std::string command_, note_, version_;
    std::vector<std::string> outputs_;
};

// ---------------------------------------------------------------------------------------
// Outputs

/// "2 threads per pool, median of 11 rounds; g++ 12.2, Boost 1.81, 2 hardware threads" for
/// pools of `pool_size` `unit`s (a bench adds what its Python peer was).
inline std::string setup_text(const bench_options& c, std::size_t pool_size, const std::string& unit)
{
    std::ostringstream s;
    s << pool_size << ' ' << unit << (pool_size == 1 ? "" : "s") << " per pool, median of " << c.rounds
      << (c.rounds == 1 ? " round" : " rounds");
    if (c.scale != 1.0)
        s << ", scale " << c.scale;
    s << "; " << compiler_text() << ", Boost " << BOOST_VERSION / 100000 << "." << BOOST_VERSION / 100 % 1000 << ", "
      << std::thread::hardware_concurrency() << " hardware threads";
    return s.str();
}

/// A bench's JSON up to its "figures" array: what ran, when, where, and how (the pool
/// size under `pool_key`).
inline std::string json_preamble(const std::string& benchmark, const std::string& setup, const std::string& pool_key,
                                 std::size_t pool_size, const bench_options& c)
{
    std::ostringstream j;
    std::time_t now = std::time(nullptr);
    char when[64];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    j << "{\n  \"benchmark\": \"" << benchmark << "\",\n  \"date\": \"" << when << "\",\n";
    j << "  \"setup\": \"" << json_escape(setup) << "\",\n";
    j << "  \"" << pool_key << "\": " << pool_size << ",\n  \"rounds\": " << c.rounds << ",\n  \"scale\": " << c.scale
      << ",\n";
    j << "  \"hardware_concurrency\": " << std::thread::hardware_concurrency() << ",\n";
    j << "  \"compiler\": \"" << json_escape(__VERSION__) << "\",\n  \"boost\": \"" << BOOST_LIB_VERSION << "\",\n";
    j << "  \"figures\": [\n";
    return j.str();
}

/// What follows a bench's "figures" array in its JSON: every sample by key, and the
/// Python note; the bench adds the peer's own output and closes the object.
inline std::string json_samples(const sample_map& samples, const std::string& python_note)
{
    std::ostringstream j;
    j << "  ],\n  \"samples\": {";
    bool first = true;
    for (auto& [key, values] : samples) {
        j << (first ? "\n" : ",\n") << "    \"" << json_escape(key) << "\": " << json_array(values);
        first = false;
    }
    j << "\n  },\n  \"python_note\": \"" << json_escape(python_note) << "\",\n";
    return j.str();
}

/// A peer's JSON output without its trailing newline, to nest in ours.
inline std::string nested_json(std::string raw)
{
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == ' '))
        raw.pop_back();
    return raw;
}

inline void write_file(const std::string& path, const std::string& text)
{
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f)
        throw std::runtime_error("cannot write " + path);
    std::fputs(text.c_str(), f);
    std::fclose(f);
}

/// The table on stdout (`markdown` under --markdown, else what `print_text` prints) and
/// the Python note under it, the Markdown table and note to --markdown-out, `json()` to
/// --json, and the run's time on stderr.
inline void write_outputs(const bench_options& c, const std::string& markdown, const std::function<void()>& print_text,
                          const std::function<std::string()>& json, const std::string& python_note,
                          bench_clock::time_point start)
{
    const std::string noted_markdown = markdown + (python_note.empty() ? "" : "\n" + python_note + ".\n");
    if (c.markdown_stdout) {
        std::fputs(noted_markdown.c_str(), stdout);
    } else {
        print_text();
        if (!python_note.empty())
            std::printf("\nnote: %s\n", python_note.c_str());
        std::printf("\n");
    }
    if (c.markdown_path)
        write_file(*c.markdown_path, noted_markdown);
    if (c.json_path)
        write_file(*c.json_path, json());
    if (!c.quiet)
        std::fprintf(stderr, "total %.1f s\n", ns_since(start) / 1e9);
}

} // namespace asyncjobs_bench

#endif
