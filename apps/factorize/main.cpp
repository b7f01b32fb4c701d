// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// factorize: prime factorization of 64-bit numbers on a serial loop, a thread pool, a
// process pool or MPI ranks, driven the study's two ways (map, chunked) or two more
// (as-completed, then). `factorize --help` says everything; `factorize --bench` compares them all.
#include "bench.hpp"
#include "drivers.hpp"
#include "mpi_run.hpp"
#include "output.hpp"
#include "serve.hpp"
#include "stream_run.hpp"
#include "workload.hpp"

#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace po = boost::program_options;
using namespace factorize;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;  // some numbers failed (crash, timeout, verification) or the bench disagreed
constexpr int exit_usage = 2;   // bad options or bad input: nothing was factorized

const char* const usage_text = R"TXT(Usage: factorize [options] [NUMBER...]

Prints the prime factors of 64-bit unsigned numbers (0 to 18446744073709551615), in
input order, one line a number: "n: p1 p2 ..." in ascending order with multiplicity.
0 and 1 have no prime factors and print as "0:" and "1:". A number whose task failed
prints "n: error: <why>" (e.g. "worker crashed (signal 6)") and the others still print.

Input (exactly one source; with none, numbers are read from stdin, as GNU factor does):
  NUMBER...                 numbers as arguments; "-" reads numbers from stdin there
  -i FILE, --input FILE     or from a file ("-" for stdin)
  --random N                or N pseudo-random numbers in [--min, --max] from --seed
                            (splitmix64: the same numbers on every platform)
Numbers are decimal, 0 to 18446744073709551615, a leading "+" allowed; in a file or on
stdin they are separated by any whitespace, several a line, and "#" starts a comment
that runs to the end of the line. Input is read as it comes and each result printed,
in input order, as soon as it and all before it are ready, so memory stays small on any
input length and a pipe gets its answers while it is still writing. A bad token stops
the run: the results before it are printed, then the error, naming the token and its
line, and the exit status is 2.
)TXT";

const char* const exit_text = R"TXT(
Exit status: 0 all numbers factorized; 1 some numbers failed (crash, timeout,
verification) or, with --bench, a checksum disagreed; 2 bad options, or bad input (the
results before the bad token are printed).

Examples:
  factorize 12 18446744073709551615 4294967291
  factorize --random 100000 --executor processes --mode map --format json > out.json
  seq 1 1000000 | factorize --executor serial > factors.txt
  seq 1 1000 | factorize --executor threads --mode then --verify
  mpirun -n 3 factorize --executor mpi --workers-per-rank 4 --input big.txt
                                    # rank 0 reads and prints; ranks 1 and 2 factorize
  factorize --bench                 # every executor and driver on one workload
  factorize --serve 127.0.0.1:8080 &
  curl -s -d '{"numbers": [12, 18446744073709551615]}' http://127.0.0.1:8080/factorize
)TXT";

std::vector<u64> read_all(number_stream& in)
{
    std::vector<u64> numbers;
    u64 n = 0;
    for (;;) {
        auto got = in.next(n);
        if (got == number_stream::status::number)
            numbers.push_back(n);
        else if (got == number_stream::status::end)
            return numbers;
        else
            in.wait();
    }
}

std::size_t parse_count(const std::string& option, const std::string& text, std::size_t min_value)
{
    u64 value = parse_number(text, "--" + option);
    if (value < min_value)
        throw input_error("--" + option + ": must be at least " + std::to_string(min_value));
    return static_cast<std::size_t>(value);
}

template <class T>
std::optional<T> given(const po::variables_map& vm, const char* name)
{
    if (vm.count(name) && !vm[name].defaulted())
        return vm[name].as<T>();
    return std::nullopt;
}

} // namespace

int main(int argc, char** argv)
{
    // A process pool re-runs this program as its workers; this line makes them workers. Under
    // mpirun it also starts MPI: ranks 1..N-1 serve --executor mpi's tasks here (mpi_run.hpp).
    if (auto code = run_worker_line(argc, argv))
        return *code;

    const random_spec study_defaults;  // --random: the study's range, [1e9, 1e10], seed 1
    const random_spec bench_defaults = default_bench_workload();
    const random_spec python_defaults = default_python_workload();
    po::options_description input_options("Input", 100, 50);
    input_options.add_options()
        ("input,i", po::value<std::string>()->value_name("FILE"), "read numbers from FILE (\"-\": stdin), whitespace-separated")
        ("random", po::value<std::string>()->value_name("N"), "factorize N pseudo-random numbers (splitmix64)")
        ("min", po::value<std::string>()->value_name("A"),
         "smallest random number (default 1000000000, i.e. 1e9; with --bench 5e12); digits, or digits e power of ten")
        ("max", po::value<std::string>()->value_name("B"),
         "largest random number (default 1e10; with --bench 5e13)")
        ("seed", po::value<std::string>()->value_name("S"), "seed of the random numbers (default 1)");
    po::options_description run_options_desc("Execution", 100, 50);
    run_options_desc.add_options()
        ("executor,e", po::value<std::string>()->value_name("KIND")->default_value("threads"),
         "serial (a loop on the main thread), threads (thread_pool_executor), processes "
         "(process_pool_executor: this program re-executed as workers) or mpi (mpi_executor: started as "
         "`mpirun -n N factorize --executor mpi ...` or srun, rank 0 reads and prints, ranks 1..N-1 each run "
         "a local process pool; the same output as processes)")
        ("workers,w", po::value<std::string>()->value_name("N"), "pool size (default: the number of hardware threads); "
         "not with mpi, whose workers are the worker ranks times --workers-per-rank")
        ("workers-per-rank", po::value<std::string>()->value_name("K"),
         "mpi only: worker processes of each worker rank (default: that rank's hardware threads; one rank per "
         "machine uses its cores). With --bench: the mpi rows' (default: --workers split over the worker ranks)")
        ("mode,m", po::value<std::string>()->value_name("MODE")->default_value("map"),
         "map: executor.map over the numbers; chunked: one equal chunk per worker, submitted, merged with "
         "as_completed (the study's two drivers); as-completed: one task per number, consumed in completion "
         "order; then: one task per number with .then continuations (factor, verify, aggregate), no thread "
         "blocked per number. Ignored by --executor serial")
        ("chunksize,c", po::value<std::string>()->value_name("K|auto")->default_value("auto"),
         "numbers per task: for map, auto sends blocks of about 3 ms of work estimated from the numbers' "
         "sizes (in --bench, asyncjobs' map sizes its chunks from measured call times); for chunked, auto is one "
         "equal chunk per worker. as-completed and then always send one number a task")
        ("algorithm,a", po::value<std::string>()->value_name("ALG"),
         "trial (the study's trial division; slow for large primes: ~2^31 divisions near 2^64) or rho "
         "(Pollard's rho, Brent, with deterministic Miller-Rabin: fast for any 64-bit number). "
         "Default: rho, and trial for --bench")
        ("verify", "check every result: ascending primes whose product is n; a failed check is an error")
        ("task-timeout", po::value<std::string>()->value_name("MS"),
         "processes and mpi: a task running longer than MS milliseconds has its worker killed and fails; "
         "the numbers of a failed chunk (map, chunked) are retried one a task, and a number that times out "
         "on its own is reported");
    po::options_description output_options("Output", 100, 50);
    output_options.add_options()
        ("format,f", po::value<std::string>()->value_name("FMT")->default_value("text"),
         "text (\"n: p1 p2 ...\") or json (one document: run details and a results array of {\"n\", "
         "\"factors\"} or {\"n\", \"error\"})")
        ("progress", "show a progress bar on stderr even when stderr is not a terminal")
        ("no-progress", "never show a progress bar (default: shown on a terminal for runs over 0.5 s)")
        ("quiet,q", "no summary on stderr (count, wall time, numbers per second)");
    po::options_description bench_options("Benchmark", 100, 50);
    bench_options.add_options()
        ("bench", "run one workload serially and on every executor and mode and print a table: wall time, "
         "speedup over serial, efficiency (speedup / workers), checksum (sum of all factors mod 2^64; every run "
         "must agree); then the study's Python peer next to the same C++ drivers on the peer's own workload. "
         "Default workload: --random 4000 --min 5000000000000 --max 50000000000000 --seed 1 (about 2.6 s "
         "serially); input options replace it")
        ("bench-repeat", po::value<std::string>()->value_name("K")->default_value("1"), "best of K runs per row")
        ("python-count", po::value<std::string>()->value_name("M")->default_value(std::to_string(python_defaults.count)),
         "numbers in the Python peer's workload (Python is tens of times slower than C++, so it gets a workload of "
         "its own, with the same --seed); 0 skips it")
        ("python-min", po::value<std::string>()->value_name("A")->default_value(std::to_string(python_defaults.min)),
         "smallest number of the Python peer's workload")
        ("python-max", po::value<std::string>()->value_name("B")->default_value(std::to_string(python_defaults.max)),
         "largest number of the Python peer's workload")
        ("no-python", "skip the Python peer")
        ("peer-script", po::value<std::string>()->value_name("PATH"),
         "the Python peer (default: factorize_peer.py next to this program, in ../share/asyncjobs/ from it, "
         "or in the source tree it was built from)")
        ("no-gnu-factor", "skip the rows that compare with GNU coreutils' factor")
        ("gnu-range", po::value<std::string>()->value_name("N")->default_value("1000000"),
         "this program (serial) against GNU factor on 1..N, both reading stdin (0 skips)")
        ("gnu-random", po::value<std::string>()->value_name("N")->default_value("200000"),
         "and on N random 64-bit numbers, serial and on --workers threads (0 skips)")
        ("stream-count", po::value<std::string>()->value_name("N")->default_value("300000"),
         "--input FILE of N numbers in [1e9, 1e10]: serial, threads and processes (0 skips)")
        ("mpi-peer-python", po::value<std::string>()->value_name("PATH")->default_value("/usr/bin/python3"),
         "under mpirun: the Python with mpi4py (Debian's python3-mpi4py) that runs the peer on "
         "mpi4py.futures' MPIPoolExecutor, in an MPI job of its own (\"\" skips it)");
    po::options_description serve_options("Service", 100, 50);
    serve_options.add_options()
        ("serve", po::value<std::string>()->value_name("ADDR:PORT"),
         "serve HTTP/1.1 on ADDR:PORT (port 0: any free one; printed on stdout) instead of reading numbers: "
         "POST /factorize with {\"numbers\": [12, \"35\"], \"algorithm\": \"rho\"} answers the JSON of "
         "--format json; GET /healthz; GET /metrics (Prometheus). --executor defaults to processes here. "
         "SIGINT or SIGTERM stops it after answering the requests in flight")
        ("max-body", po::value<std::string>()->value_name("BYTES")->default_value("1048576"),
         "largest request body; a larger one is answered 413")
        ("max-numbers", po::value<std::string>()->value_name("N")->default_value("10000"),
         "most numbers in one request; more is answered 413")
        ("max-in-flight", po::value<std::string>()->value_name("N")->default_value("64"),
         "most POST /factorize requests at once; more are answered 503 with Retry-After")
        ("request-timeout", po::value<std::string>()->value_name("MS")->default_value("30000"),
         "a request not answered within MS milliseconds is answered 504 and its pending numbers cancelled "
         "(with processes, also the default --task-timeout: its running numbers' workers are killed)")
        ("worker-nice", po::value<std::string>()->value_name("N")->default_value("0"),
         "processes only: run the workers N nice levels lower (0-19), so that the server's own threads get "
         "a core at once while every worker is busy");
    po::options_description testing_options("Testing aids", 100, 50);
    testing_options.add_options()
        ("crash-on", po::value<std::string>()->value_name("N"),
         "processes and mpi: the task for the number N calls abort() in its worker, to see the crash reported "
         "for N while the rest completes (numbers that shared N's chunk are retried one a task)")
        ("serve-blocking", "with --serve: wait for each request's numbers with get() on the I/O thread (the "
         "baseline of the service benchmark: every connection waits with it)")
        ("lag-probe", "with --serve: measure how late a 1 ms timer fires on the I/O thread; GET /lag answers "
         "{\"samples\", \"p50_ms\", \"p99_ms\", \"max_ms\"} since the last GET /lag");
    po::options_description general("General", 100, 50);
    general.add_options()("help,h", "print this help and exit");

    po::options_description visible(100, 50);
    visible.add(input_options).add(run_options_desc).add(output_options).add(bench_options).add(serve_options).add(testing_options).add(general);
    po::options_description all = visible;
    all.add_options()("numbers", po::value<std::vector<std::string>>(), "numbers");
    po::positional_options_description positional;
    positional.add("numbers", -1);

    // "-5" is a negative number to report, not an unknown option: such tokens go to the
    // positional list before Boost.Program_options sees them.
    auto negative_numbers = [](std::vector<std::string>& args) {
        std::vector<po::option> result;
        const std::string& token = args.front();
        if (token.size() > 1 && token[0] == '-' && token[1] >= '0' && token[1] <= '9') {
            po::option opt;
            opt.string_key = "numbers";
            opt.value.push_back(token);
            opt.original_tokens.push_back(token);
            opt.position_key = 0;
            result.push_back(std::move(opt));
            args.erase(args.begin());
        }
        return result;
    };

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv)
                      .options(all)
                      .positional(positional)
                      .extra_style_parser(negative_numbers)
                      .run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "factorize: %s\nTry 'factorize --help'.\n", e.what());
        return exit_usage;
    }

    if (vm.count("help")) {
        std::cout << usage_text << visible << exit_text;
        return exit_ok;
    }

    try {
        // Options first, so a typo is reported before any input is read.
        bool bench = vm.count("bench") > 0;
        bool serving = vm.count("serve") > 0;
        // The service defaults to processes: a crash takes one number, not the server.
        auto kind = parse_executor(serving && !given<std::string>(vm, "executor") ? "processes"
                                                                                  : vm["executor"].as<std::string>());
        if (!kind)
            throw input_error("--executor: \"" + vm["executor"].as<std::string>() +
                              "\" is not one of serial, threads, processes, mpi");
        auto driver = parse_mode(vm["mode"].as<std::string>());
        if (!driver)
            throw input_error("--mode: \"" + vm["mode"].as<std::string>() + "\" is not one of map, chunked, as-completed, then");
        algorithm algo = bench ? algorithm::trial : algorithm::rho;
        if (auto name = given<std::string>(vm, "algorithm")) {
            auto a = parse_algorithm(*name);
            if (!a)
                throw input_error("--algorithm: \"" + *name + "\" is not one of trial, rho");
            algo = *a;
        }
        std::string format = vm["format"].as<std::string>();
        if (format != "text" && format != "json")
            throw input_error("--format: \"" + format + "\" is not one of text, json");
        std::size_t chunksize = 0;
        if (auto text = vm["chunksize"].as<std::string>(); text != "auto")
            chunksize = parse_count("chunksize", text, 1);
        std::size_t workers = 0;
        if (vm.count("workers"))
            workers = parse_count("workers", vm["workers"].as<std::string>(), 1);
        bool mpi = *kind == executor_kind::mpi && !bench;  // --bench adds its mpi rows under mpirun
        if (mpi && workers)
            throw input_error("--workers: with --executor mpi the workers are the worker ranks (mpirun -n N: N - 1) "
                              "times --workers-per-rank; give --workers-per-rank K");
        std::size_t workers_per_rank = 0;
        if (vm.count("workers-per-rank")) {
            workers_per_rank = parse_count("workers-per-rank", vm["workers-per-rank"].as<std::string>(), 1);
            if (!mpi && !bench)
                throw input_error("--workers-per-rank goes with --executor mpi (or --bench under mpirun)");
        }
        std::optional<u64> crash_on;
        if (vm.count("crash-on")) {
            crash_on = parse_number(vm["crash-on"].as<std::string>(), "--crash-on");
            if (!runs_elsewhere(*kind))
                throw input_error("--crash-on needs --executor processes or mpi: a crash would take this program down "
                                  "with it");
        }
        std::optional<std::chrono::milliseconds> task_timeout;
        if (vm.count("task-timeout")) {
            task_timeout = std::chrono::milliseconds(parse_count("task-timeout", vm["task-timeout"].as<std::string>(), 1));
            if (!runs_elsewhere(*kind))
                throw input_error("--task-timeout needs --executor processes or mpi: only a worker process can be "
                                  "killed");
        }
        int worker_nice = static_cast<int>(parse_count("worker-nice", vm["worker-nice"].as<std::string>(), 0));
        if (worker_nice > 19)
            throw input_error("--worker-nice: " + std::to_string(worker_nice) + " is above 19, the lowest priority");
        if (worker_nice && *kind != executor_kind::processes)
            throw input_error("--worker-nice needs --executor processes: threads share this program's priority");
        for (const char* name : {"serve-blocking", "lag-probe"})
            if (vm.count(name) && !serving)
                throw input_error(std::string("--") + name + " goes with --serve");
        if (serving) {
            if (bench)
                throw input_error("--serve and --bench contradict each other");
            if (vm.count("numbers") || vm.count("input") || vm.count("random"))
                throw input_error("--serve takes its numbers from requests: give none on the command line");
            if (*kind == executor_kind::serial)
                throw input_error("--serve needs --executor threads or processes: serial would factorize on the "
                                  "thread that answers every connection");
            if (*kind == executor_kind::mpi)
                throw input_error("--serve needs --executor threads or processes: the service stops with "
                                  "process_pool_executor::terminate, which mpi_executor has no counterpart of");
            serve_config config;
            config.listen = parse_listen_address(vm["serve"].as<std::string>());
            config.pool = pool_config{*kind, workers, task_timeout, {}, worker_nice};
            config.crash_on = crash_on;
            config.max_body = parse_count("max-body", vm["max-body"].as<std::string>(), 1);
            config.max_numbers = parse_count("max-numbers", vm["max-numbers"].as<std::string>(), 1);
            config.max_in_flight = parse_count("max-in-flight", vm["max-in-flight"].as<std::string>(), 1);
            config.request_timeout =
                std::chrono::milliseconds(parse_count("request-timeout", vm["request-timeout"].as<std::string>(), 1));
            config.blocking_get = vm.count("serve-blocking") > 0;
            config.lag_probe = vm.count("lag-probe") > 0;
            return serve(config);
        }
        if (mpi)
            check_mpi_available();  // before any input is read: say what to do, never wait
        if (vm.count("progress") && vm.count("no-progress"))
            throw input_error("--progress and --no-progress contradict each other");

        // Exactly one input source.
        std::vector<std::string> tokens;
        if (vm.count("numbers"))
            tokens = vm["numbers"].as<std::vector<std::string>>();
        int sources = (tokens.empty() ? 0 : 1) + (vm.count("input") ? 1 : 0) + (vm.count("random") ? 1 : 0);
        if (sources > 1)
            throw input_error("give numbers one way only: as arguments, with --input, or with --random");
        bool random_range_given = vm.count("min") || vm.count("max") || vm.count("seed");
        if (random_range_given && !vm.count("random") && !(bench && sources == 0))
            throw input_error("--min, --max and --seed go with --random");

        u64 seed = study_defaults.seed;
        std::string workload_text;
        std::optional<number_stream> input;
        if (vm.count("random") || (bench && sources == 0)) {
            random_spec s = bench ? bench_defaults : study_defaults;
            if (vm.count("random"))
                s.count = parse_count("random", vm["random"].as<std::string>(), 1);
            if (vm.count("min"))
                s.min = parse_scaled_number(vm["min"].as<std::string>(), "--min");
            if (vm.count("max"))
                s.max = parse_scaled_number(vm["max"].as<std::string>(), "--max");
            if (vm.count("seed"))
                s.seed = parse_number(vm["seed"].as<std::string>(), "--seed");
            input = number_stream::from_random(s);
            seed = s.seed;
            workload_text = "--random " + std::to_string(s.count) + " --min " + std::to_string(s.min) + " --max " +
                            std::to_string(s.max) + " --seed " + std::to_string(s.seed);
        } else if (vm.count("input")) {
            std::string path = vm["input"].as<std::string>();
            input = number_stream::from_file(path);
            workload_text = "--input " + path;
        } else if (!tokens.empty()) {
            input = number_stream::from_arguments(tokens);
            workload_text = "numbers from the command line";
        } else {
            input = number_stream::from_file("-");  // as GNU factor does
            workload_text = "numbers from stdin";
        }

        if (bench) {
            bench_config config;
            config.numbers = read_all(*input);
            if (config.numbers.empty())
                throw input_error("--bench: no numbers to factorize in " + workload_text);
            config.workload = workload_text;
            config.algo = algo;
            config.workers = workers;
            config.repeat = parse_count("bench-repeat", vm["bench-repeat"].as<std::string>(), 1);
            config.python = !vm.count("no-python");
            config.python_workload.count = parse_count("python-count", vm["python-count"].as<std::string>(), 0);
            config.python_workload.min = parse_scaled_number(vm["python-min"].as<std::string>(), "--python-min");
            config.python_workload.max = parse_scaled_number(vm["python-max"].as<std::string>(), "--python-max");
            config.python_workload.seed = seed;
            if (config.python_workload.min > config.python_workload.max)
                throw input_error("--python-min is larger than --python-max");
            config.peer_script = vm.count("peer-script") ? vm["peer-script"].as<std::string>() : std::string();
            config.program = argv[0];
            config.gnu_factor = !vm.count("no-gnu-factor");
            config.gnu_range = parse_count("gnu-range", vm["gnu-range"].as<std::string>(), 0);
            config.gnu_random = parse_count("gnu-random", vm["gnu-random"].as<std::string>(), 0);
            config.stream_count = parse_count("stream-count", vm["stream-count"].as<std::string>(), 0);
            config.workers_per_rank = workers_per_rank;
            config.mpi_peer_python = vm["mpi-peer-python"].as<std::string>();
            return run_bench(config);
        }

        stream_config config;
        config.pool = pool_config{*kind, workers, task_timeout, {}, 0, workers_per_rank};
        config.options.algo = algo;
        config.options.driver = *driver;
        config.options.chunksize = chunksize;
        config.options.verify = vm.count("verify") > 0;
        config.options.crash_on = crash_on;
        config.options.task_timeout = task_timeout;
        config.json = format == "json";
        config.summary = !vm.count("quiet");
        config.progress = vm.count("progress") || (!vm.count("no-progress") && ::isatty(STDERR_FILENO));
        return run_streaming(*input, config);
    } catch (const input_error& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "factorize: %s\n", e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "factorize: %s\n", e.what());
        return exit_failed;
    }
}
