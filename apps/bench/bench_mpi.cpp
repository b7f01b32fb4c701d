// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// bench_mpi: what a no-op task costs on asyncjobs::mpi_executor (rank 0 submitting, the
// other ranks running the tasks in their local process pools), next to a
// process_pool_executor with as many workers in the same program (rank 0), and to
// mpi4py.futures' MPIPoolExecutor (mpi_peer.py, started by a second mpirun once per round),
// all in the same run:
//
//     mpirun -n 3 --oversubscribe bench_mpi          # 2 worker ranks of 1 worker each
//
// Every round runs every variant once, in an order that rotates from round to round, and
// the Python peer once, so that drift on a noisy machine hits all sides alike. A figure is
// the median over rounds; a ratio is the median of the per-round ones.
//
// --model measures instead what rank 0 spends per task (CPU of its progress thread, its
// completion thread and the submitting thread, read from /proc/self/task/*/schedstat) at
// the number of ranks mpirun gave it: the input of the scale model in HACKING ("The MPI
// executor at scale"; apps/bench/mpi_scale_model.sh runs it at several sizes).

#include "bench_options.hpp"
#include "harness.hpp"
#include "report.hpp"

#include <asyncjobs/asyncjobs.hpp>
#include <asyncjobs/mpi_executor.hpp>

#include <dirent.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#ifndef ASYNCJOBS_BENCH_MPI_PEER_SCRIPT
#define ASYNCJOBS_BENCH_MPI_PEER_SCRIPT "mpi_peer.py"
#endif

extern char** environ;

namespace bench_tasks {

int noop_int(int x) noexcept
{
    return x;
}

} // namespace bench_tasks

ASYNCJOBS_TASK(bench_tasks::noop_int);

namespace {

using namespace asyncjobs_bench;

// ---------------------------------------------------------------------------------------
// Configuration

struct config : bench_options {
    config() : bench_options(7, ASYNCJOBS_BENCH_MPI_PEER_SCRIPT) {}
    std::size_t workers_per_rank = 1;
    std::string mpirun = "mpirun";
    bool python_exe_given = false;
    bool model = false;
};

po::options_description options(config& c)
{
    po::options_description own;
    own.add_options()
        ("workers-per-rank", po::value(&c.workers_per_rank)->value_name("N")->notifier(at_least_one("--workers-per-rank")),
         "local workers of each worker rank; the process pool gets as many in all (default 1)")
        ("mpirun", po::value(&c.mpirun)->value_name("PATH"), "mpirun that starts the mpi4py peer (default mpirun)")
        ("model", po::bool_switch(&c.model),
         "print rank 0's CPU per task at this number of ranks (the scale model's input) instead of the table")
        ("quiet", po::bool_switch(&c.quiet), "no progress on stderr");
    po::options_description all;
    all.add(own).add(figure_options(c, {"bulk", "roundtrip"})).add(python_options(c));
    return all;
}

// ---------------------------------------------------------------------------------------
// The workloads, generic over the executor (mpi_executor and process_pool_executor).

// -- 1. submit N no-op tasks, then get all: us per task --------------------------------

template <class Executor>
double bulk(Executor& ex, std::size_t n)
{
    std::vector<asyncjobs::future<int>> futures;
    futures.reserve(n);
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < n; ++i)
        futures.push_back(ex.submit(bench_tasks::noop_int, static_cast<int>(i)));
    long long sum = 0;
    for (auto& fut : futures)
        sum += fut.get();
    double ns = ns_since(start);
    check(sum == static_cast<long long>(n) * static_cast<long long>(n - 1) / 2, "bulk sum");
    return ns / 1000.0 / static_cast<double>(n);
}

// -- 2. one at a time: submit, get: median us per trip ---------------------------------
// The MPI executor and the process pool alternate in batches of 100 trips; every trip is timed.

template <class Executor>
void trips(Executor& ex, std::size_t k, std::vector<double>& out)
{
    for (std::size_t i = 0; i < k; ++i) {
        auto start = bench_clock::now();
        int r = ex.submit(bench_tasks::noop_int, static_cast<int>(i)).get();
        out.push_back(ns_since(start) / 1000.0);
        check(r == static_cast<int>(i), "round trip value");
    }
}

void round_trips(asyncjobs::mpi_executor& mpi, asyncjobs::process_pool_executor& pool, std::size_t n, int round,
                 sink& out)
{
    constexpr std::size_t batch = 100;
    std::vector<double> ours, base;
    for (std::size_t done = 0, b = 0; done < n; ++b) {
        std::size_t k = std::min(batch, n - done);
        if ((b + static_cast<std::size_t>(round)) % 2) {
            trips(mpi, k, ours);
            trips(pool, k, base);
        } else {
            trips(pool, k, base);
            trips(mpi, k, ours);
        }
        done += k;
    }
    out["roundtrip.mpi"] = median(ours);
    out["roundtrip.pool"] = median(base);
    out["roundtrip.mpi.mean"] = mean(ours);
    out["roundtrip.pool.mean"] = mean(base);
}

// ---------------------------------------------------------------------------------------
// The mpi4py.futures peer: mpi_peer.py under a second mpirun, once per round.

/// The names of the variables mpirun gave this process (OMPI_*, PMIX_*, ...): a second
/// mpirun started with them believes it is a rank of this job and fails. The two that let
/// root run are kept. (A user's OMPI_MCA_* settings go with them: the peer runs with Open
/// MPI's defaults.)
std::vector<std::string> mpi_job_variables()
{
    std::vector<std::string> names;
    for (char** e = environ; *e; ++e) {
        std::string entry = *e;
        std::string name = entry.substr(0, entry.find('='));
        bool job = name.rfind("OMPI_", 0) == 0 || name.rfind("PMIX_", 0) == 0 || name.rfind("OPAL_", 0) == 0 ||
                   name.rfind("ORTE_", 0) == 0;
        if (job && name.rfind("OMPI_ALLOW_RUN_AS_ROOT", 0) != 0)
            names.push_back(name);
    }
    return names;
}

class mpi4py_peer : public peer_process {
public:
    mpi4py_peer(const config& c, int ranks, std::size_t bulk_n, std::size_t trips_n) : peer_process(c, "mpi4py")
    {
        if (skipped())
            return;
        // PATH's python3 may lack mpi4py (a pyenv one): Debian's python3-mpi4py is for /usr/bin/python3.
        std::vector<std::string> candidates = {c.python_exe};
        if (!c.python_exe_given)
            candidates.push_back("/usr/bin/python3");
        std::string tried;
        for (auto& candidate : candidates) {
            auto exe = asyncjobs_apps::find_on_path(candidate);
            tried += (tried.empty() ? "" : ", ") + candidate;
            if (!exe)
                continue;
            int status = 0;
            // find_spec imports the package mpi4py only: importing mpi4py.futures would start MPI
            // (a singleton) inside this job's environment.
            run_capture(asyncjobs_apps::shell_quote(*exe) +
                            " -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec(\"mpi4py.futures\") "
                            "is None)' 2>/dev/null",
                        status);
            if (status == 0) {
                python_ = *exe;
                break;
            }
        }
        if (python_.empty()) {
            disable("no Python that imports mpi4py.futures (tried " + tried +
                    "; Debian's python3-mpi4py installs it for /usr/bin/python3)");
            return;
        }
        auto mpirun = asyncjobs_apps::find_on_path(c.mpirun);
        if (!mpirun) {
            disable(c.mpirun + " not found on PATH");
            return;
        }
        if (access(c.peer_script.c_str(), R_OK) != 0) {
            disable("peer script " + c.peer_script + " not readable");
            return;
        }
        using asyncjobs_apps::shell_quote;
        const std::string dir = std::filesystem::path(c.peer_script).parent_path().string();
        std::ostringstream cmd;
        cmd << "env";
        for (auto& name : mpi_job_variables())
            cmd << " -u " << name;
        // peer_common.py must be importable by the worker ranks too (they unpickle its noop).
        cmd << ' ' << shell_quote(*mpirun) << " -n " << ranks << " --oversubscribe -x "
            << shell_quote("PYTHONPATH=" + dir) << ' ' << shell_quote(python_) << " -m mpi4py.futures "
            << shell_quote(c.peer_script) << " --rounds 1 --bulk " << bulk_n << " --round-trips " << trips_n;
        start(cmd.str());
    }

    /// One run; its version() reads "Python 3.11.2, mpi4py 3.1.4" after the first.
    std::optional<sink> run()
    {
        static constexpr const char* keys[] = {"submit_bulk_us_per_task", "round_trip_us"};
        auto parsed = run_once(keys, true);
        if (!parsed)
            return std::nullopt;
        auto text = [&](const char* key) -> std::string {
            const auto* v = parsed->doc.if_contains(key);
            return v && v->is_string() ? std::string(v->as_string()) : "?";
        };
        version_ = "Python " + text("python") + ", mpi4py " + text("mpi4py");
        mpi_ = text("mpi");
        return std::move(parsed->figures);
    }

    /// The MPI library as mpi4py reports it ("Open MPI v4.1.4, ..."), empty before a run.
    const std::string& mpi_library() const noexcept { return mpi_; }

private:
    std::string python_, mpi_;
};

// ---------------------------------------------------------------------------------------
// Rows

struct row_def {
    std::string group;
    std::string key;
    std::string figure;
    std::string unit;
    std::string ours;    // sample key of mpi_executor
    std::string pool;    // sample key of the process pool
    std::string python;  // sample key of mpi4py.futures
};

struct row {
    row_def def;
    double ours = 0, pool = std::nan(""), python = std::nan("");
    paired_ratios vs_pool;   // mpi_executor's time / the process pool's, lower is better
    paired_ratios speedup;   // how many times faster than mpi4py.futures
    std::vector<double> ours_samples, pool_samples, python_samples;
};

struct setup_facts {
    std::size_t ranks = 0, workers_per_rank = 0, workers = 0;
    std::string load;
};

std::string describe_setup(const config& c, const setup_facts& s, const mpi4py_peer& py)
{
    std::ostringstream out;
    out << s.ranks << " worker ranks x " << s.workers_per_rank << " local worker" << (s.workers_per_rank == 1 ? "" : "s")
        << ", a process pool of " << s.workers << " workers on rank 0; " << setup_text(c, s.workers, "worker");
    if (!py.mpi_library().empty())
        out << "; " << py.mpi_library().substr(0, py.mpi_library().find(','));
    if (!py.version().empty())
        out << "; " << py.version();
    if (!s.load.empty())
        out << "; " << s.load;
    return out.str();
}

const std::vector<column> table_columns = {
    {"figure", -44},
    {"mpi_executor", 12, true, true},
    {"process pool (same run)", 12, true, true, "proc. pool"},
    {"vs pool", 8, true, true},
    {"mpi4py.futures", 12, true, true, "mpi4py"},
    {"speedup vs mpi4py", 8, true, true, "speedup"},
    {"[min-max]", -15, false},
};

table_row cells(const row& r)
{
    std::string spread =
        std::isnan(r.speedup.min) ? "" : "[" + speedup_cell(r.speedup.min) + "-" + speedup_cell(r.speedup.max) + "]";
    return {r.def.figure,
            format_value(r.ours, r.def.unit),
            format_value(r.pool, r.def.unit),
            format_ratio(r.vs_pool.median),
            format_value(r.python, r.def.unit),
            speedup_cell(r.speedup.median),
            spread};
}

// ---------------------------------------------------------------------------------------

int run(const config& c)
{
    const std::size_t bulk_n = c.scaled(10000);
    const std::size_t trips_n = c.scaled(1000);

    asyncjobs::mpi_executor_options mo;
    mo.workers_per_rank = c.workers_per_rank;
    asyncjobs::mpi_executor mpi(mo);
    setup_facts facts;
    facts.ranks = static_cast<std::size_t>(asyncjobs::mpi::size() - 1);
    facts.workers_per_rank = c.workers_per_rank;
    facts.workers = mpi.max_workers();
    asyncjobs::process_pool_executor pool(facts.workers);

    mpi4py_peer py(c, asyncjobs::mpi::size(), bulk_n, trips_n);
    if (py.enabled() && !c.quiet)
        std::fprintf(stderr, "the mpi4py peer runs once per round: %s\n", py.command().c_str());

    std::vector<group> groups = {
        {"bulk", {{"bulk.mpi", [&] { return bulk(mpi, bulk_n); }}, {"bulk.pool", [&] { return bulk(pool, bulk_n); }}}},
        {"roundtrip", {variant([&](int round, sink& out) { round_trips(mpi, pool, trips_n, round, out); })}},
    };
    std::vector<row_def> defs = {
        {"bulk", "submit_bulk", "submit " + with_commas(bulk_n) + " no-op tasks, then get all", "us/task", "bulk.mpi",
         "bulk.pool", "python.submit_bulk_us_per_task"},
        {"roundtrip", "round_trip", "one at a time: submit, get (median trip)", "us", "roundtrip.mpi", "roundtrip.pool",
         "python.round_trip_us"},
    };

    const double load_at_start = load_average();
    auto start = bench_clock::now();
    // The peer runs in measured rounds only: before our figures in odd rounds, after them in even ones.
    auto run_python = [&](int round, bool before, sample_map& samples) {
        if (round == 0 || before != (round % 2 == 1) || !py.enabled())
            return;
        if (auto figures = py.run())
            for (auto& [key, value] : *figures)
                samples["python." + key].push_back(value);
        if (!c.quiet)
            std::fputs(" mpi4py", stderr);
    };
    sample_map samples = run_rounds(groups, c, start, run_python);
    if (double load_at_end = load_average(); !std::isnan(load_at_start) && !std::isnan(load_at_end)) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "load average %.1f at the start, %.1f at the end", load_at_start, load_at_end);
        facts.load = buf;
    }

    auto rows = make_rows<row>(defs, c, samples, [&](row& r) {
        r.pool_samples = samples[r.def.pool];
        if (samples.count(r.def.python))
            r.python_samples = samples[r.def.python];
        r.ours = median(r.ours_samples);
        r.pool = median(r.pool_samples);
        r.python = median(r.python_samples);
        r.vs_pool = pair_up(r.ours_samples, r.pool_samples, [](double ours, double pool) { return ours / pool; });
        // The peer's run i pairs with our round i: the same stretch of the run.
        r.speedup = pair_up(r.ours_samples, r.python_samples, [](double ours, double python) { return python / ours; });
    });

    const std::string setup = describe_setup(c, facts, py);
    auto print_text = [&] {
        std::printf("\nasyncjobs mpi_executor vs process_pool_executor and mpi4py.futures (%d ranks; %s)\n",
                    asyncjobs::mpi::size(), setup.c_str());
        std::printf("vs pool = mpi_executor's time / the process pool's (same run), lower is better;\n"
                    "speedup = how many times faster than mpi4py.futures.MPIPoolExecutor (median of per-round "
                    "ratios; min-max in brackets)\n\n");
        print_table(table_columns, rows, cells, 117);
    };
    const std::string markdown =
        "Measured by `apps/bench/update_readme_table.sh mpi` (`mpirun -n " + std::to_string(asyncjobs::mpi::size()) +
        " --oversubscribe bench_mpi`: " + setup +
        "). mpi4py.futures' `MPIPoolExecutor` (`apps/bench/mpi_peer.py`, under a second `mpirun` of as many "
        "ranks) runs once per round; vs pool = mpi_executor's time / the process pool's in the same run, lower "
        "is better; speedup = how many times faster mpi_executor is than mpi4py.futures.\n\n" +
        markdown_rows(table_columns, rows, cells);
    auto json = [&] {
        auto figures = json_figures(rows, [](const row& r, boost::json::object& f) {
            f["mpi_executor"] = json_number(r.ours);
            f["process_pool"] = json_number(r.pool);
            f["vs_pool"] = json_number(r.vs_pool.median);
            f["mpi4py"] = json_number(r.python);
            f["speedup_vs_mpi4py"] = json_number(r.speedup.median);
            f["mpi_executor_samples"] = json_array(r.ours_samples);
            f["process_pool_samples"] = json_array(r.pool_samples);
            f["mpi4py_samples"] = json_array(r.python_samples);
        });
        boost::json::array runs;
        for (auto& out : py.outputs())
            runs.push_back(peer_json(out));
        return json_report("bench_mpi", setup, "workers", facts.workers, c, std::move(figures), samples, py.note(),
                           "mpi4py_runs", std::move(runs));
    };
    write_outputs(c, markdown, print_text, json, py.note(), start);
    return 0;
}

// ---------------------------------------------------------------------------------------
// --model: rank 0's CPU per task at this number of ranks.

/// CPU time (ns) of this process's threads so far, by role: the thread that submits (main),
/// the completion thread of the mpi_executor ("asyncjobs-mpi-0"), and the rest (the
/// progress thread, which is the one that calls MPI, and Open MPI's own threads, idle).
struct thread_cpu {
    double main = 0, completion = 0, progress = 0;
};

thread_cpu read_thread_cpu()
{
    thread_cpu out;
    const std::string self = std::to_string(::getpid());
    DIR* dir = ::opendir("/proc/self/task");
    if (!dir)
        throw std::runtime_error("--model needs /proc/self/task");
    while (dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.')
            continue;
        const std::string base = std::string("/proc/self/task/") + e->d_name;
        std::ifstream stat(base + "/schedstat");
        double ns = 0;
        if (!(stat >> ns))
            continue;  // the thread ended meanwhile
        std::string name;
        std::ifstream comm(base + "/comm");
        std::getline(comm, name);
        if (self == e->d_name)
            out.main += ns;
        else if (name.rfind("asyncjobs-mpi", 0) == 0)
            out.completion += ns;
        else
            out.progress += ns;
    }
    ::closedir(dir);
    return out;
}

/// One measured run: rank 0's CPU (us) per task or item of each role, and wall time.
struct model_sample {
    double main = 0, completion = 0, progress = 0, wall = 0;
};

template <class Work>
model_sample measure(std::size_t items, Work work)
{
    thread_cpu before = read_thread_cpu();
    auto start = bench_clock::now();
    work();
    double wall = ns_since(start);
    thread_cpu after = read_thread_cpu();
    auto per = [&](double ns) { return ns / 1000.0 / static_cast<double>(items); };
    return {per(after.main - before.main), per(after.completion - before.completion),
            per(after.progress - before.progress), per(wall)};
}

int run_model(const config& c)
{
    const std::size_t n = c.scaled(20000);
    const std::size_t map_n = c.scaled(200000);
    asyncjobs::mpi_executor_options mo;
    mo.workers_per_rank = c.workers_per_rank;
    asyncjobs::mpi_executor mpi(mo);
    std::vector<int> input(map_n);
    for (std::size_t i = 0; i < map_n; ++i)
        input[i] = static_cast<int>(i);
    const std::size_t chunks[] = {1, 10, 100};
    std::vector<std::vector<model_sample>> samples(1 + std::size(chunks));
    const double load_at_start = load_average();
    for (int round = 0; round <= c.rounds; ++round) {
        model_sample s = measure(n, [&] { bulk(mpi, n); });
        if (round > 0)
            samples[0].push_back(s);
        for (std::size_t k = 0; k < std::size(chunks); ++k) {
            // chunksize 1 sends as many calls as the bulk run: fewer items keep it as short.
            std::size_t items = chunks[k] == 1 ? n : map_n;
            std::span<const int> part(input.data(), items);
            model_sample m = measure(items, [&] {
                asyncjobs::map_options o;
                o.chunksize = chunks[k];
                long long sum = 0;
                for (int r : mpi.map(bench_tasks::noop_int, part, o))
                    sum += r;
                check(sum == static_cast<long long>(items) * static_cast<long long>(items - 1) / 2, "map sum");
            });
            if (round > 0)
                samples[k + 1].push_back(m);
        }
        if (!c.quiet)
            std::fprintf(stderr, "model round %d/%d\n", round, c.rounds);
    }
    auto med = [](const std::vector<model_sample>& v, double model_sample::*field) {
        std::vector<double> x;
        for (auto& s : v)
            x.push_back(s.*field);
        return median(x);
    };
    std::printf("# bench_mpi --model: rank 0's CPU per task (us), median of %d rounds; load average %.1f at the "
                "start, %.1f at the end\n",
                c.rounds, load_at_start, load_average());
    std::printf("# ranks workers_per_rank what chunksize progress_us completion_us submitting_us wall_us\n");
    const int ranks = asyncjobs::mpi::size() - 1;
    auto line = [&](const char* what, std::size_t chunk, const std::vector<model_sample>& v) {
        std::printf("model %d %zu %s %zu %.3f %.3f %.3f %.3f\n", ranks, c.workers_per_rank, what, chunk,
                    med(v, &model_sample::progress), med(v, &model_sample::completion), med(v, &model_sample::main),
                    med(v, &model_sample::wall));
    };
    line("submit", 1, samples[0]);
    for (std::size_t k = 0; k < std::size(chunks); ++k)
        line("map", chunks[k], samples[k + 1]);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    // Ranks 1..N-1 serve from here until rank 0 is done; the process pools' workers too.
    if (auto code = asyncjobs::mpi::run_worker_if_requested(argc, argv))
        return *code;
    config c;
    auto all = options(c);
    // A --python-exe given is the only one tried; otherwise /usr/bin/python3 after PATH's.
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--python-exe", 12) == 0)
            c.python_exe_given = true;
    return bench_main(argc, argv, "bench_mpi", all, [&] {
        if (asyncjobs::mpi::size() < 2)
            throw std::runtime_error("run it under mpirun with at least one worker rank: "
                                     "mpirun -n 3 --oversubscribe bench_mpi (as root, with --allow-run-as-root)");
        return c.model ? run_model(c) : run(c);
    });
}
