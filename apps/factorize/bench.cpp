// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "bench.hpp"

#include "bench_gnu.hpp"
#include "drivers.hpp"
#include "mpi_run.hpp"
#include "shell.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace factorize {

namespace {

struct timed {
    double seconds = 0;
    u64 checksum = 0;
    std::size_t failed = 0;
};

/// Best (shortest) of `repeat` runs; the checksum and failures of the last one.
timed measure(const pool_config& pool, const std::vector<u64>& numbers, const run_options& options, std::size_t repeat)
{
    timed best;
    best.seconds = 1e300;
    for (std::size_t i = 0; i < std::max<std::size_t>(1, repeat); ++i) {
        auto start = std::chrono::steady_clock::now();
        // The pool is made and shut down inside the timed region, as Python's `with` does.
        auto results = run(pool, numbers, options);
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best.seconds = std::min(best.seconds, seconds);
        best.checksum = checksum(results);
        best.failed = static_cast<std::size_t>(std::count_if(results.begin(), results.end(), [](auto& r) { return !r.ok(); }));
    }
    return best;
}

std::string fixed(double value, int digits)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

void print_row(const std::string& run, const std::string& executor, std::size_t workers, const std::string& chunksize,
               double seconds, double baseline, const std::string& check)
{
    double speedup = seconds > 0 ? baseline / seconds : 0;
    std::printf("| %-26s | %-9s | %7zu | %-9s | %8s | %7sx | %10s | %s |\n", run.c_str(), executor.c_str(), workers,
                chunksize.c_str(), fixed(seconds, 3).c_str(), fixed(speedup, 2).c_str(),
                fixed(speedup / static_cast<double>(workers), 2).c_str(), check.c_str());
    std::fflush(stdout);
}

struct bench_row {
    std::string run;
    executor_kind kind;
    mode driver;
    std::size_t chunksize;
};

/// The machine's load average (/proc/loadavg): on a shared machine, what the timings next to
/// it competed with.
void print_load_average(const char* when)
{
    double one = 0, five = 0, fifteen = 0;
    std::FILE* f = std::fopen("/proc/loadavg", "r");
    bool read = f && std::fscanf(f, "%lf %lf %lf", &one, &five, &fifteen) == 3;
    if (f)
        std::fclose(f);
    if (read)
        std::printf("%s: load average %.2f %.2f %.2f (1, 5, 15 min)\n\n", when, one, five, fifteen);
}

/// `env -u NAME ...` for every variable by which an MPI launcher tells a process it is a rank
/// (OMPI_*, PMIX_*, PMI_*, but not OMPI_ALLOW_RUN_AS_ROOT*, a user's own setting): the mpirun
/// started from rank 0 must start a job of its own, not join this one.
std::string without_mpi_job_environment()
{
    std::string command = "env";
    for (char** e = environ; *e; ++e) {
        std::string_view entry(*e);
        std::string_view name = entry.substr(0, entry.find('='));
        bool launcher = name.starts_with("OMPI_") || name.starts_with("PMIX_") || name.starts_with("PMI_");
        if (launcher && !name.starts_with("OMPI_ALLOW_RUN_AS_ROOT"))
            command += " -u " + asyncjobs_apps::shell_quote(std::string(name));
    }
    return command;
}

/// The peer on mpi4py.futures' MPIPoolExecutor: `mpirun -n <worker_ranks + 1> python3 -m
/// mpi4py.futures factorize_peer.py --pool mpi4py`, one worker per worker rank as in the mpi
/// rows. Its rows' speedups are over Python's serial run of the same numbers (`python_serial`,
/// from the ProcessPoolExecutor peer of this run). Returns 1 if it failed or disagreed.
int run_mpi4py_peer(const std::string& python, const std::string& script, const random_spec& spec,
                    std::size_t worker_ranks, double python_serial, u64 expected)
{
    if (!asyncjobs_apps::find_on_path("mpirun")) {
        std::printf("Python mpi4py peer: skipped (no mpirun on PATH)\n");
        return 0;
    }
    // Importing mpi4py.futures starts MPI: out of this job too.
    std::string probe = without_mpi_job_environment() + " " + asyncjobs_apps::shell_quote(python) +
                        " -c 'import mpi4py.futures' > /dev/null 2>&1";
    if (std::system(probe.c_str()) != 0) {
        std::printf("Python mpi4py peer: skipped (%s cannot import mpi4py.futures: install Debian's python3-mpi4py, "
                    "or name another Python with --mpi-peer-python)\n", python.c_str());
        return 0;
    }
    std::string command = without_mpi_job_environment() + " mpirun -n " + std::to_string(worker_ranks + 1) +
                          " --oversubscribe " + asyncjobs_apps::shell_quote(python) + " -m mpi4py.futures " +
                          asyncjobs_apps::shell_quote(script) + " --pool mpi4py --drivers chunked,map --chunksizes 1,1024" +
                          " --count " + std::to_string(spec.count) + " --min " + std::to_string(spec.min) + " --max " +
                          std::to_string(spec.max) + " --seed " + std::to_string(spec.seed) + " --workers " +
                          std::to_string(worker_ranks);
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) {
        std::printf("Python mpi4py peer: could not start: %s\n", command.c_str());
        return 1;
    }
    int status = 0;
    int rows_read = 0;
    char line[4096];
    while (std::fgets(line, sizeof line, pipe)) {
        boost::system::error_code ec;
        auto value = boost::json::parse(line, ec);
        if (ec || !value.is_object())
            continue;
        const auto& o = value.as_object();
        try {
            std::string driver(o.at("driver").as_string());
            double seconds = o.at("seconds").to_number<double>();
            u64 sum = o.at("checksum").to_number<u64>();
            auto chunksize = o.at("chunksize").to_number<std::size_t>();
            auto peer_workers = o.at("workers").to_number<std::size_t>();
            std::string check = sum == expected ? "same" : "MISMATCH " + std::to_string(sum);
            if (sum != expected)
                status = 1;
            std::string chunk = driver == "map" ? std::to_string(chunksize)
                                                : std::to_string((spec.count + peer_workers - 1) / peer_workers);
            print_row("Python mpi4py " + driver, "mpi4py", peer_workers, chunk, seconds,
                      python_serial > 0 ? python_serial : seconds, check);
            ++rows_read;
        } catch (const std::exception&) {
            continue;
        }
    }
    int rc = ::pclose(pipe);
    if (rc != 0 || rows_read == 0) {
        std::printf("Python mpi4py peer: failed (exit status %d, %d rows read): %s\n", rc, rows_read, command.c_str());
        status = 1;
    }
    return status;
}

} // namespace

random_spec default_bench_workload() noexcept
{
    return random_spec{.count = 4000, .min = 5'000'000'000'000ULL, .max = 50'000'000'000'000ULL, .seed = 1};
}

random_spec default_python_workload() noexcept
{
    return random_spec{.count = 4000, .min = 1'000'000'000ULL, .max = 10'000'000'000ULL, .seed = 1};
}

std::optional<std::string> find_peer_script(std::vector<std::string>& looked)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    std::vector<fs::path> places;
    if (!ec) {
        places.push_back(self.parent_path() / "factorize_peer.py");
        places.push_back(self.parent_path().parent_path() / "share" / "asyncjobs" / "factorize_peer.py");
    }
    places.push_back(FACTORIZE_PEER_SCRIPT);
    for (const auto& p : places) {
        looked.push_back(p.lexically_normal().string());
        if (fs::is_regular_file(p, ec))
            return looked.back();
    }
    return std::nullopt;
}

int run_bench(const bench_config& config)
{
    const auto& numbers = config.numbers;
    std::size_t workers = config.workers ? config.workers : std::max(1u, std::thread::hardware_concurrency());
    std::size_t repeat = std::max<std::size_t>(1, config.repeat);
    int status = 0;

    std::printf("factorize --bench: %zu numbers (%s), %s, %zu workers, best of %zu run%s per row; %u hardware threads\n\n",
                numbers.size(), config.workload.c_str(), config.algo == algorithm::trial ? "trial division" : "Pollard rho",
                workers, repeat, repeat == 1 ? "" : "s", std::thread::hardware_concurrency());
    print_load_average("at the start");
    std::printf("| %-26s | %-9s | %7s | %-9s | %8s | %8s | %10s | %s |\n", "run", "executor", "workers", "chunksize",
                "wall s", "speedup", "efficiency", "checksum");
    std::printf("|----------------------------|-----------|--------:|-----------|---------:|---------:|-----------:|---|\n");

    run_options options;
    options.algo = config.algo;
    auto serial = measure({executor_kind::serial, 1, {}, {}}, numbers, options, repeat);
    print_row("serial", "serial", 1, "-", serial.seconds, serial.seconds, std::to_string(serial.checksum));

    const bench_row rows[] = {
        {"map, auto chunksize", executor_kind::threads, mode::map, 0},
        {"map, chunksize 1", executor_kind::threads, mode::map, 1},
        {"chunked (one per worker)", executor_kind::threads, mode::chunked, 0},
        {"as-completed", executor_kind::threads, mode::as_completed, 0},
        {"then (factor/verify/agg.)", executor_kind::threads, mode::then, 0},
        {"map, auto chunksize", executor_kind::processes, mode::map, 0},
        {"map, chunksize 1", executor_kind::processes, mode::map, 1},
        {"chunked (one per worker)", executor_kind::processes, mode::chunked, 0},
        {"as-completed", executor_kind::processes, mode::as_completed, 0},
        {"then (factor/verify/agg.)", executor_kind::processes, mode::then, 0},
    };
    // Under mpirun, mpi_executor's rows: rank 0 submits, the worker ranks factorize, with as
    // many workers in all as the pools' rows (unless --workers-per-rank says otherwise).
    const int ranks = mpi_ranks();
    const std::size_t worker_ranks = ranks >= 2 ? static_cast<std::size_t>(ranks - 1) : 0;
    const std::size_t per_rank = config.workers_per_rank ? config.workers_per_rank
                                                          : std::max<std::size_t>(1, workers / std::max<std::size_t>(1, worker_ranks));
    const bench_row mpi_rows[] = {
        {"map, auto chunksize", executor_kind::mpi, mode::map, 0},
        {"map, chunksize 1", executor_kind::mpi, mode::map, 1},
        {"chunked (one per worker)", executor_kind::mpi, mode::chunked, 0},
        {"as-completed", executor_kind::mpi, mode::as_completed, 0},
        {"then (factor/verify/agg.)", executor_kind::mpi, mode::then, 0},
    };
    std::vector<const bench_row*> to_run;
    for (const auto& row : rows)
        to_run.push_back(&row);
    if (worker_ranks)
        for (const auto& row : mpi_rows)
            to_run.push_back(&row);

    double map_seconds[3] = {0, 0, 0};  // threads, processes, mpi
    std::vector<std::pair<const bench_row*, double>> measured;
    for (const bench_row* row : to_run) {
        run_options o = options;
        o.driver = row->driver;
        o.chunksize = row->chunksize;
        bool on_ranks = row->kind == executor_kind::mpi;
        std::size_t row_workers = on_ranks ? per_rank * worker_ranks : workers;
        pool_config pool{row->kind, on_ranks ? 0 : workers, {}, {}};
        pool.workers_per_rank = on_ranks ? per_rank : 0;
        auto t = measure(pool, numbers, o, repeat);
        std::string check = t.checksum == serial.checksum ? "same" : "MISMATCH " + std::to_string(t.checksum);
        if (t.failed)
            check += ", " + std::to_string(t.failed) + " failed";
        if (t.checksum != serial.checksum || t.failed)
            status = 1;
        std::string chunk = row->driver == mode::map     ? (row->chunksize ? std::to_string(row->chunksize) : "auto")
                            : row->driver == mode::chunked ? std::to_string((numbers.size() + row_workers - 1) / row_workers)
                                                           : "1";
        print_row(row->run, to_string(row->kind), row_workers, chunk, t.seconds, serial.seconds, check);
        int k = row->kind == executor_kind::threads ? 0 : on_ranks ? 2 : 1;
        if (row->driver == mode::map && row->chunksize == 0)
            map_seconds[k] = t.seconds;
        measured.emplace_back(row, t.seconds);
    }
    if (worker_ranks) {
        std::printf("(mpi: %d ranks, rank 0 submits and %zu worker rank%s run %zu local worker%s each)\n", ranks,
                    worker_ranks, worker_ranks == 1 ? "" : "s", per_rank, per_rank == 1 ? "" : "s");
    } else {
        try {
            check_mpi_available();
        } catch (const input_error& e) {
            std::printf("(mpi rows skipped: %s)\n", e.what());
        }
    }

    // The Python peer: the study's own drivers on a workload of its own, which the C++
    // side also factorizes, with the same drivers on the process pool, to compare.
    std::vector<std::string> looked;
    std::optional<std::string> peer_script;
    if (config.peer_script.empty()) {
        peer_script = find_peer_script(looked);
    } else {
        looked.push_back(config.peer_script + " (--peer-script)");
        std::error_code ec;
        if (std::filesystem::is_regular_file(config.peer_script, ec))
            peer_script = config.peer_script;
    }
    if (config.python && config.python_workload.count > 0) {
        if (!asyncjobs_apps::find_on_path("python3")) {
            std::printf("\nPython peer: skipped (no python3 on PATH)\n");
        } else if (!peer_script) {
            std::string places;
            for (const auto& p : looked)
                places += (places.empty() ? "" : ", ") + p;
            std::printf("\nPython peer: skipped (factorize_peer.py not found; looked in %s; name it with --peer-script "
                        "PATH)\n", places.c_str());
        } else {
            const random_spec& spec = config.python_workload;
            auto py_numbers = random_workload(spec);
            std::string py_workload = "--random " + std::to_string(spec.count) + " --min " + std::to_string(spec.min) +
                                      " --max " + std::to_string(spec.max) + " --seed " + std::to_string(spec.seed);
            std::printf("\nThe study in Python (%s): ProcessPoolExecutor, trial division, on a workload of its own, %zu "
                        "numbers (%s), which C++ also runs here; speedups over each language's own serial run\n\n",
                        peer_script->c_str(), spec.count, py_workload.c_str());
            std::printf("| %-26s | %-9s | %7s | %-9s | %8s | %8s | %10s | %s |\n", "run", "executor", "workers",
                        "chunksize", "wall s", "speedup", "efficiency", "checksum");
            std::printf("|----------------------------|-----------|--------:|-----------|---------:|---------:|-----------:|---|\n");
            auto cxx = measure({executor_kind::serial, 1, {}, {}}, py_numbers, options, repeat);
            print_row("C++ serial", "serial", 1, "-", cxx.seconds, cxx.seconds, std::to_string(cxx.checksum));
            const bench_row cxx_rows[] = {
                {"C++ chunked", executor_kind::processes, mode::chunked, 0},
                {"C++ map", executor_kind::processes, mode::map, 1},
                {"C++ map", executor_kind::processes, mode::map, 1024},
                {"C++ map", executor_kind::processes, mode::map, 0},
            };
            for (const auto& row : cxx_rows) {
                run_options o = options;
                o.driver = row.driver;
                o.chunksize = row.chunksize;
                auto t = measure({row.kind, workers, {}, {}}, py_numbers, o, repeat);
                std::string check = t.checksum == cxx.checksum && !t.failed ? "same" : "MISMATCH " + std::to_string(t.checksum);
                if (t.checksum != cxx.checksum || t.failed)
                    status = 1;
                std::string chunk = row.driver == mode::chunked ? std::to_string((spec.count + workers - 1) / workers)
                                    : row.chunksize            ? std::to_string(row.chunksize)
                                                               : "auto";
                print_row(row.run, "processes", workers, chunk, t.seconds, cxx.seconds, check);
            }

            std::string command = "python3 " + asyncjobs_apps::shell_quote(*peer_script) + " --count " + std::to_string(spec.count) +
                                  " --min " + std::to_string(spec.min) + " --max " + std::to_string(spec.max) +
                                  " --seed " + std::to_string(spec.seed) + " --workers " + std::to_string(workers) +
                                  " --chunksizes 1,1024";
            std::FILE* pipe = ::popen(command.c_str(), "r");
            if (!pipe) {
                std::printf("Python peer: could not start: %s\n", command.c_str());
                status = 1;
            } else {
                char line[4096];
                double python_serial = 0;
                int rows_read = 0;
                while (std::fgets(line, sizeof line, pipe)) {
                    boost::system::error_code ec;
                    auto value = boost::json::parse(line, ec);
                    if (ec || !value.is_object())
                        continue;
                    const auto& o = value.as_object();
                    try {
                        std::string driver(o.at("driver").as_string());
                        double seconds = o.at("seconds").to_number<double>();
                        u64 sum = o.at("checksum").to_number<u64>();
                        auto chunksize = o.at("chunksize").to_number<std::size_t>();
                        auto peer_workers = o.at("workers").to_number<std::size_t>();
                        if (driver == "serial")
                            python_serial = seconds;
                        std::string check = sum == cxx.checksum ? "same" : "MISMATCH " + std::to_string(sum);
                        if (sum != cxx.checksum)
                            status = 1;
                        std::string chunk = driver == "map"       ? std::to_string(chunksize)
                                            : driver == "chunked" ? std::to_string((spec.count + peer_workers - 1) / peer_workers)
                                                                  : "-";
                        print_row("Python " + driver, driver == "serial" ? "serial" : "processes", peer_workers, chunk,
                                  seconds, python_serial > 0 ? python_serial : seconds, check);
                        ++rows_read;
                    } catch (const std::exception&) {
                        continue;
                    }
                }
                int rc = ::pclose(pipe);
                if (rc != 0 || rows_read == 0) {
                    std::printf("Python peer: failed (exit status %d, %d rows read)\n", rc, rows_read);
                    status = 1;
                }
                if (worker_ranks && !config.mpi_peer_python.empty() && rows_read > 0)
                    status |= run_mpi4py_peer(config.mpi_peer_python, *peer_script, spec, worker_ranks, python_serial,
                                              cxx.checksum);
                else if (!worker_ranks)
                    std::printf("(Python mpi4py rows skipped: only under mpirun, with the mpi rows)\n");
                if (python_serial > 0 && cxx.seconds > 0)
                    std::printf("\nSerial trial division of the same %zu numbers: Python %.3f s, C++ %.3f s (C++ %.0fx "
                                "faster)\n",
                                spec.count, python_serial, cxx.seconds, python_serial / cxx.seconds);
            }
        }
    }

    print_load_average("\nafter the rows above");
    std::printf("\nTargets (2 cores): map with auto chunksize >= 1.9x over serial; chunked and as-completed within 5%% of map\n");
    for (int k = 0; k < (worker_ranks ? 3 : 2); ++k) {
        const char* kind = k == 0 ? "threads" : k == 1 ? "processes" : "mpi";
        double speedup = serial.seconds / map_seconds[k];
        std::printf("  %-9s map auto      %.2fx  %s\n", kind, speedup, speedup >= 1.9 ? "PASS" : "MISS");
        for (auto& [row, seconds] : measured) {
            int row_k = row->kind == executor_kind::threads ? 0 : row->kind == executor_kind::mpi ? 2 : 1;
            if (row_k != k)
                continue;
            if (row->driver != mode::chunked && row->driver != mode::as_completed)
                continue;
            double ratio = seconds / map_seconds[k];
            std::printf("  %-9s %-13s %.3f of map's time  %s\n", kind, to_string(row->driver), ratio,
                        ratio <= 1.05 ? "PASS" : "MISS");
        }
    }
    std::printf("(timings on a shared machine are noisy; a MISS is reported, not an error)\n");

    // The command line itself, as a user runs it: against GNU factor, and --input FILE.
    program_bench_config programs;
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    programs.self = ec ? config.program : self.string();
    programs.workers = workers;
    programs.repeat = repeat;
    programs.range = config.gnu_range;
    programs.random64 = config.gnu_random;
    programs.file_count = config.stream_count;
    programs.gnu_factor = config.gnu_factor && (config.gnu_range || config.gnu_random);
    if (run_program_bench(programs) != 0)
        status = 1;
    std::printf("(timings on a shared machine are noisy; a MISS is reported, not an error)\n");
    return status;
}

} // namespace factorize
