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
#include "shell.hpp"

#include <boost/json.hpp>
#include <boost/version.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

/// The 1-minute load average, NaN where /proc/loadavg cannot be read.
inline double load_average()
{
    double load = std::nan("");
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &load) != 1)
            load = std::nan("");
        std::fclose(f);
    }
    return load;
}

/// A speedup as a table cell: "12x", "3.4x", "-" when unknown.
inline std::string speedup_cell(double s)
{
    if (std::isnan(s))
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, s >= 10 ? "%.0fx" : "%.1fx", s);
    return buf;
}

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

/// A peer's JSON output, {"figures": {key: number, ...}, ...}: the document and those of
/// `keys` its figures have. nullopt when it is not a JSON object.
struct peer_output {
    boost::json::object doc;
    sink figures;
};

inline std::optional<peer_output> parse_peer_output(const std::string& json, std::span<const char* const> keys)
{
    boost::system::error_code ec;
    auto value = boost::json::parse(json, ec);
    if (ec || !value.is_object())
        return std::nullopt;
    peer_output out{std::move(value.as_object()), {}};
    const auto* figures = out.doc.contains("figures") ? out.doc.at("figures").if_object() : nullptr;
    for (const char* key : keys)
        if (const auto* v = figures ? figures->if_contains(key) : nullptr; v && v->is_number())
            out.figures[key] = v->to_number<double>();
    return out;
}

/// What every peer run as a child process shares: whether it runs, why not (the note the
/// tables print), its command, what it printed; one run of the command, parsed. `name` is
/// how notes call it ("Python", "mpi4py").
class peer_process {
public:
    bool enabled() const noexcept { return enabled_; }
    /// Why there is no peer figure; empty while the peer works.
    const std::string& note() const noexcept { return note_; }
    const std::string& command() const noexcept { return command_; }
    const std::string& version() const noexcept { return version_; }
    /// The JSON of every successful run.
    const std::vector<std::string>& outputs() const noexcept { return outputs_; }

protected:
    peer_process(const bench_options& c, std::string name) : c_(c), name_(std::move(name))
    {
        if (skipped())
            note_ = name_ + " peer skipped (--no-python)";
    }

    bool skipped() const noexcept { return c_.python == bench_options::python_mode::off; }

    /// The peer runs `command` from now on.
    void start(std::string command)
    {
        command_ = std::move(command);
        enabled_ = true;
    }

    /// No peer figures from now on, for `why`: an error under --python.
    void disable(const std::string& why)
    {
        enabled_ = false;
        if (c_.python == bench_options::python_mode::required)
            throw std::runtime_error(why);
        note_ = why + "; " + name_ + " column left empty";
    }

    /// One run: its output with those of `keys` its figures have. nullopt, and the peer
    /// disabled, when it fails or has none of them (fewer than all with `need_all`).
    std::optional<peer_output> run_once(std::span<const char* const> keys, bool need_all)
    {
        if (!enabled_)
            return std::nullopt;
        int status = 0;
        std::string json = run_capture(command_, status);
        if (status != 0) {
            disable("the " + name_ + " peer failed (status " + std::to_string(status) + ")");
            return std::nullopt;
        }
        auto parsed = parse_peer_output(json, keys);
        if (!parsed || parsed->figures.empty() || (need_all && parsed->figures.size() != keys.size())) {
            disable("the " + name_ + " peer printed no figures");
            return std::nullopt;
        }
        outputs_.push_back(std::move(json));
        return parsed;
    }

    const bench_options& c_;
    std::string version_;

private:
    std::string name_;
    bool enabled_ = false;
    std::string command_, note_;
    std::vector<std::string> outputs_;
};

class python_peer : public peer_process {
public:
    /// c.peer_script run by c.python_exe with `--workers W --rounds R --scale X`. Disabled,
    /// with a note, by --no-python or when either is missing, which --python makes an error.
    python_peer(const bench_options& c, std::size_t workers, int rounds) : peer_process(c, "Python")
    {
        if (skipped())
            return;
        auto exe = asyncjobs_apps::find_on_path(c.python_exe);
        if (!exe) {
            disable(c.python_exe + " not found on PATH");
            return;
        }
        if (access(c.peer_script.c_str(), R_OK) != 0) {
            disable("peer script " + c.peer_script + " not readable");
            return;
        }
        std::ostringstream cmd;
        cmd << asyncjobs_apps::shell_quote(*exe) << ' ' << asyncjobs_apps::shell_quote(c.peer_script) << " --workers " << workers << " --rounds "
            << rounds << " --scale " << c.scale;
        start(cmd.str());
    }

    /// One run of the peer: those of `keys` that its "figures" have. nullopt when it fails
    /// or has none of them, which disables the peer (an error under --python).
    std::optional<sink> run(std::span<const char* const> keys)
    {
        auto parsed = run_once(keys, false);
        if (!parsed)
            return std::nullopt;
        if (const auto* v = parsed->doc.if_contains("python"); v && v->is_string())
            version_ = std::string(v->as_string());
        return std::move(parsed->figures);
    }
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

/// A figure for the JSON report: null where it could not be measured (NaN).
inline boost::json::value json_number(double v)
{
    if (!std::isfinite(v))
        return nullptr;
    return v;
}

inline boost::json::array json_array(const std::vector<double>& values)
{
    boost::json::array out;
    for (double v : values)
        out.push_back(json_number(v));
    return out;
}

/// A row per definition of `defs` whose group ran (with its def and asyncjobs' samples);
/// `fill(row)` computes the rest from `samples`.
template <class Row, class Def, class Fill>
std::vector<Row> make_rows(const std::vector<Def>& defs, const bench_options& c, sample_map& samples, Fill fill)
{
    std::vector<Row> rows;
    for (auto& d : defs) {
        if (!c.wants(d.group))
            continue;
        Row r;
        r.def = d;
        r.ours_samples = samples[d.ours];
        fill(r);
        rows.push_back(std::move(r));
    }
    return rows;
}

/// The "figures" array of a JSON report: a row's key, figure and unit, then what
/// `fields(row, object)` adds.
template <class Row, class Fields>
boost::json::array json_figures(const std::vector<Row>& rows, Fields fields)
{
    boost::json::array out;
    for (auto& r : rows) {
        boost::json::object f;
        f["key"] = r.def.key;
        f["figure"] = r.def.figure;
        f["unit"] = r.def.unit;
        fields(r, f);
        out.push_back(std::move(f));
    }
    return out;
}

/// A bench's JSON report: what ran, when, where and how (the pool size under `pool_key`),
/// its `figures` (one object a row), every sample by key, the Python note, and the peer's
/// own output under `peer_key`.
inline std::string json_report(const std::string& benchmark, const std::string& setup, const std::string& pool_key,
                               std::size_t pool_size, const bench_options& c, boost::json::array figures,
                               const sample_map& samples, const std::string& python_note, const std::string& peer_key,
                               boost::json::value peer)
{
    std::time_t now = std::time(nullptr);
    char when[64];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    boost::json::object j;
    j["benchmark"] = benchmark;
    j["date"] = when;
    j["setup"] = setup;
    j[pool_key] = pool_size;
    j["rounds"] = c.rounds;
    j["scale"] = c.scale;
    j["hardware_concurrency"] = std::thread::hardware_concurrency();
    j["compiler"] = __VERSION__;
    j["boost"] = BOOST_LIB_VERSION;
    j["figures"] = std::move(figures);
    boost::json::object by_key;
    for (auto& [key, values] : samples)
        by_key[key] = json_array(values);
    j["samples"] = std::move(by_key);
    j["python_note"] = python_note;
    j[peer_key] = std::move(peer);
    return boost::json::serialize(j) + "\n";
}

/// A peer's JSON output, to nest in ours (null if it is not JSON).
inline boost::json::value peer_json(const std::string& raw)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(raw, ec);
    return ec ? boost::json::value(nullptr) : v;
}

/// A table that a bench prints as text and as Markdown, with the same cells.
struct column {
    column(std::string header_, int width_, bool markdown_ = true, bool right_ = false,
           const char* text_header_ = nullptr, int gap_ = 1)
        : header(std::move(header_)), width(width_), markdown(markdown_), right(right_), text_header(text_header_), gap(gap_)
    {
    }
    std::string header;       // the Markdown header (and the text one unless text_header is set)
    int width;                // the text column's printf width; negative: left-aligned
    bool markdown;            // false: only in the text table
    bool right;               // right-aligned in Markdown
    const char* text_header;  // the text table's header, when it differs
    int gap;                  // spaces before the text column
};
using table_row = std::vector<std::string>;  // one cell per column

/// The text table: the header line, a rule of `rule` dashes, a line per row (`cells(row)`).
template <class Row, class Cells>
void print_table(const std::vector<column>& columns, const std::vector<Row>& rows, Cells cells, std::size_t rule)
{
    auto line = [&](auto cell_of) {
        std::string out;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            std::string cell = cell_of(i);
            std::size_t width = static_cast<std::size_t>(std::abs(columns[i].width));
            std::string pad(cell.size() < width ? width - cell.size() : 0, ' ');
            out += (i ? std::string(static_cast<std::size_t>(columns[i].gap), ' ') : std::string());
            out += columns[i].width < 0 ? cell + pad : pad + cell;
        }
        std::printf("%s\n", out.c_str());
    };
    line([&](std::size_t i) { return std::string(columns[i].text_header ? columns[i].text_header : columns[i].header); });
    std::printf("%s\n", std::string(rule, '-').c_str());
    for (auto& r : rows) {
        table_row row_cells = cells(r);
        line([&](std::size_t i) { return row_cells[i]; });
    }
}

/// The Markdown table (the columns marked `markdown`), a line per row (`cells(row)`).
template <class Row, class Cells>
std::string markdown_rows(const std::vector<column>& columns, const std::vector<Row>& rows, Cells cells)
{
    std::string head = "|", align = "|";
    for (auto& col : columns)
        if (col.markdown) {
            head += " " + col.header + " |";
            align += col.right ? "---:|" : "---|";
        }
    std::string out = head + "\n" + align + "\n";
    for (auto& r : rows) {
        table_row row_cells = cells(r);
        out += "|";
        for (std::size_t i = 0; i < columns.size(); ++i)
            if (columns[i].markdown)
                out += " " + row_cells[i] + " |";
        out += "\n";
    }
    return out;
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
