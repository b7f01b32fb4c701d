// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "drivers.hpp"

#include "mpi_run.hpp"
#include "tasks.hpp"

#include <asyncjobs/as_completed.hpp>
#include <asyncjobs/errors.hpp>
#include <asyncjobs/process_pool_executor.hpp>
#include <asyncjobs/thread_pool_executor.hpp>
#include <asyncjobs/when_all.hpp>

#include <algorithm>
#include <thread>

namespace factorize {

namespace {

std::vector<work_item> make_items(const std::vector<u64>& numbers, const run_options& options)
{
    std::vector<work_item> items(numbers.size());
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        items[i].index = i;
        items[i].n = numbers[i];
        items[i].flags = options.algo == algorithm::rho ? work_item::use_rho : 0;
        if (options.crash_on && *options.crash_on == numbers[i])
            items[i].flags |= work_item::crash_me;
    }
    return items;
}

/// Stores one number's factors, checking them first when asked to.
void store(number_result& slot, u64 n, std::vector<u64> factors, const run_options& options)
{
    if (options.verify) {
        if (auto wrong = verify(n, factors)) {
            slot.error = "verification failed: " + *wrong;
            return;
        }
    }
    slot.factors = std::move(factors);
}

void progress(const run_options& options, std::size_t done)
{
    if (options.on_progress && done)
        options.on_progress(done);
}

/// Numbers whose chunk failed as a whole (its worker crashed or timed out) are run again,
/// one number a task, so that only the number that fails on its own is reported and the
/// others that shared its chunk still get their factors.
void retry_singly(asyncjobs::executor& ex, const std::vector<u64>& numbers, const std::vector<work_item>& items,
                  const std::vector<std::size_t>& indices, const run_options& options, std::vector<number_result>& out)
{
    if (indices.empty())
        return;
    std::vector<asyncjobs::future<item_result>> futures;
    std::vector<std::size_t> submitted;
    futures.reserve(indices.size());
    for (std::size_t index : indices) {
        try {
            futures.push_back(ex.submit(factor_item, items[index]));
            submitted.push_back(index);
        } catch (...) {
            out[index].error = describe_failure(std::current_exception(), options);
            progress(options, 1);
        }
    }
    for (auto& f : asyncjobs::as_completed(futures)) {
        std::size_t index = submitted[static_cast<std::size_t>(&f - futures.data())];
        try {
            store(out[index], numbers[index], f.get().factors, options);
        } catch (...) {
            out[index].error = describe_failure(std::current_exception(), options);
        }
        progress(options, 1);
    }
}

void run_map(asyncjobs::executor& ex, const std::vector<u64>& numbers, const run_options& options,
             std::vector<number_result>& out)
{
    auto items = make_items(numbers, options);
    asyncjobs::map_options mo;
    mo.chunksize = options.chunksize;
    auto results = ex.map(factor_item, items, mo);

    // Results carry their input index: when a whole chunk is lost (its worker crashed),
    // asyncjobs' map throws once, from begin() or ++, and moves on to the next chunk without
    // saying how many elements it dropped. The gap in the indices says which numbers they were.
    std::vector<std::size_t> lost;
    std::size_t next = 0;  // every index below this one has its result or is in `lost`
    asyncjobs::map_result<item_result>::iterator it;
    bool started = false;
    for (;;) {
        try {
            if (!started) {
                started = true;
                it = results.begin();
            } else {
                ++it;
            }
        } catch (...) {
            it = results.begin();  // after the first call, begin() only hands the iterator back
            continue;              // the failed chunk is behind us; ++ reads the next one
        }
        if (it == results.end())
            break;
        item_result r;
        try {
            r = *it;
        } catch (...) {
            continue;  // an element that threw leaves a gap: it is retried on its own below
        }
        auto index = static_cast<std::size_t>(r.index);
        for (; next < index; ++next)
            lost.push_back(next);
        store(out[index], numbers[index], std::move(r.factors), options);
        next = index + 1;
        progress(options, 1);
    }
    for (; next < numbers.size(); ++next)
        lost.push_back(next);
    retry_singly(ex, numbers, items, lost, options, out);
}

void run_chunked(asyncjobs::executor& ex, const std::vector<u64>& numbers, const run_options& options,
                 std::vector<number_result>& out)
{
    auto items = make_items(numbers, options);
    std::size_t workers = std::max<std::size_t>(1, ex.max_workers());
    std::size_t chunk = options.chunksize ? options.chunksize : (items.size() + workers - 1) / workers;
    chunk = std::max<std::size_t>(1, chunk);

    struct span {
        std::size_t first, last;
    };
    std::vector<span> spans;
    std::vector<std::size_t> lost;
    std::vector<asyncjobs::future<std::vector<item_result>>> futures;
    for (std::size_t first = 0; first < items.size(); first += chunk) {
        std::size_t last = std::min(items.size(), first + chunk);
        try {
            futures.push_back(ex.submit(factor_chunk, std::vector<work_item>(items.begin() + static_cast<std::ptrdiff_t>(first),
                                                                             items.begin() + static_cast<std::ptrdiff_t>(last))));
        } catch (...) {
            break;  // the pool refuses work: what is not submitted is tried singly below (and reported)
        }
        spans.push_back({first, last});
    }
    for (std::size_t i = spans.empty() ? 0 : spans.back().last; i < items.size(); ++i)
        lost.push_back(i);
    // The study merges per-chunk {n: factors} dicts as they complete; here each chunk's
    // results go straight to their input positions.
    for (auto& f : asyncjobs::as_completed(futures)) {
        const span& s = spans[static_cast<std::size_t>(&f - futures.data())];
        try {
            for (auto& r : f.get()) {
                auto index = static_cast<std::size_t>(r.index);
                store(out[index], numbers[index], std::move(r.factors), options);
            }
            progress(options, s.last - s.first);
        } catch (...) {
            // The chunk was one task: its numbers are tried again one by one, below.
            for (std::size_t i = s.first; i < s.last; ++i)
                lost.push_back(i);
        }
    }
    std::sort(lost.begin(), lost.end());
    retry_singly(ex, numbers, items, lost, options, out);
}

void run_as_completed(asyncjobs::executor& ex, const std::vector<u64>& numbers, const run_options& options,
                      std::vector<number_result>& out)
{
    auto items = make_items(numbers, options);
    std::vector<asyncjobs::future<item_result>> futures;
    futures.reserve(items.size());
    std::exception_ptr refused;  // submit() threw (the pool broke or shut down)
    for (const auto& item : items) {
        try {
            futures.push_back(ex.submit(factor_item, item));
        } catch (...) {
            refused = std::current_exception();
            break;
        }
    }
    for (auto& f : asyncjobs::as_completed(futures)) {
        auto index = static_cast<std::size_t>(&f - futures.data());
        try {
            item_result r = f.get();
            store(out[index], numbers[index], std::move(r.factors), options);
        } catch (...) {
            out[index].error = describe_failure(std::current_exception(), options);
        }
        progress(options, 1);
    }
    for (std::size_t i = futures.size(); i < items.size(); ++i)
        out[i].error = describe_failure(refused, options);
    progress(options, items.size() - futures.size());
}

void run_then(asyncjobs::executor& ex, const std::vector<u64>& numbers, const run_options& options,
              std::vector<number_result>& out)
{
    auto items = make_items(numbers, options);
    std::vector<asyncjobs::future<void>> finals;
    finals.reserve(items.size());
    std::exception_ptr refused;  // submit() threw (the pool broke or shut down)
    for (const auto& item : items) {
        auto index = static_cast<std::size_t>(item.index);
        u64 n = item.n;
        // factor -> verify -> aggregate: each step a continuation on the executor's threads
        // (a process pool's completion threads); no thread ever waits for one number.
        asyncjobs::future<item_result> factored;
        try {
            factored = ex.submit(factor_item, item);
        } catch (...) {
            refused = std::current_exception();
            break;
        }
        auto checked = std::move(factored).then([n, &options](asyncjobs::future<item_result> f) {
            number_result r;
            try {
                store(r, n, f.get().factors, options);
            } catch (...) {
                r.error = describe_failure(std::current_exception(), options);
            }
            return r;
        });
        finals.push_back(checked.then([index, &out, &options](asyncjobs::future<number_result> f) {
            out[index] = f.get();  // distinct slots: no two continuations write the same one
            progress(options, 1);
        }));
    }
    // One future for the lot; its readiness orders every write to `out` before the reads,
    // and the continuations that hold references to `out` and `options` are all done.
    auto all = asyncjobs::when_all(std::move(finals)).get();
    for (std::size_t i = all.size(); i < items.size(); ++i)
        out[i].error = describe_failure(refused, options);
    progress(options, items.size() - all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        try {
            all[i].get();
        } catch (...) {
            // Only a continuation that could not run gets here (the pool shut down under it).
            out[i].error = describe_failure(std::current_exception(), options);
        }
    }
}

} // namespace

std::optional<executor_kind> parse_executor(std::string_view name) noexcept
{
    if (name == "serial")
        return executor_kind::serial;
    if (name == "threads")
        return executor_kind::threads;
    if (name == "processes")
        return executor_kind::processes;
    if (name == "mpi")
        return executor_kind::mpi;
    return std::nullopt;
}

std::optional<mode> parse_mode(std::string_view name) noexcept
{
    if (name == "map")
        return mode::map;
    if (name == "chunked")
        return mode::chunked;
    if (name == "as-completed")
        return mode::as_completed;
    if (name == "then")
        return mode::then;
    return std::nullopt;
}

const char* to_string(executor_kind e) noexcept
{
    switch (e) {
    case executor_kind::serial:
        return "serial";
    case executor_kind::threads:
        return "threads";
    case executor_kind::mpi:
        return "mpi";
    default:
        return "processes";
    }
}

const char* to_string(mode m) noexcept
{
    switch (m) {
    case mode::map:
        return "map";
    case mode::chunked:
        return "chunked";
    case mode::as_completed:
        return "as-completed";
    default:
        return "then";
    }
}

std::string describe_failure(std::exception_ptr e, const run_options& options)
{
    try {
        std::rethrow_exception(e);
    } catch (const asyncjobs::worker_crashed& crash) {
        if (crash.signal())
            return "worker crashed (signal " + std::to_string(crash.signal()) + ")";
        return "worker crashed (exit code " + std::to_string(crash.exit_code()) + ")";
    } catch (const asyncjobs::task_timeout&) {
        if (options.task_timeout)
            return "timed out after " + std::to_string(options.task_timeout->count()) + " ms";
        return "timed out";
    } catch (const std::exception& other) {
        return other.what();
    } catch (...) {
        return "unknown error";
    }
}

std::vector<number_result> run_serial(const std::vector<u64>& numbers, const run_options& options)
{
    std::vector<number_result> out(numbers.size());
    constexpr std::size_t report_every = 256;
    std::size_t unreported = 0;
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        store(out[i], numbers[i], factorize(numbers[i], options.algo), options);
        if (++unreported == report_every) {
            progress(options, unreported);
            unreported = 0;
        }
    }
    progress(options, unreported);
    return out;
}

std::vector<number_result> run_on(asyncjobs::executor& ex, const std::vector<u64>& numbers, const run_options& options)
{
    std::vector<number_result> out(numbers.size());
    switch (options.driver) {
    case mode::map:
        run_map(ex, numbers, options, out);
        break;
    case mode::chunked:
        run_chunked(ex, numbers, options, out);
        break;
    case mode::as_completed:
        run_as_completed(ex, numbers, options, out);
        break;
    case mode::then:
        run_then(ex, numbers, options, out);
        break;
    }
    return out;
}

std::unique_ptr<asyncjobs::executor> make_executor(const pool_config& config)
{
    std::size_t workers = config.workers ? config.workers : std::max(1u, std::thread::hardware_concurrency());
    switch (config.kind) {
    case executor_kind::serial:
        return nullptr;
    case executor_kind::threads: {
        asyncjobs::thread_pool_options o;
        o.max_workers = workers;
        o.thread_name_prefix = "factorize";
        return std::make_unique<asyncjobs::thread_pool_executor>(std::move(o));
    }
    case executor_kind::mpi:
        return make_mpi_executor(config);
    default: {
        asyncjobs::process_pool_options o;
        o.max_workers = workers;
        o.task_timeout = config.task_timeout;
        o.worker_executable = config.worker_executable;
        o.worker_nice = config.worker_nice;
        return std::make_unique<asyncjobs::process_pool_executor>(std::move(o));
    }
    }
}

std::vector<number_result> run(const pool_config& config, const std::vector<u64>& numbers, const run_options& options)
{
    auto ex = make_executor(config);
    if (!ex)
        return run_serial(numbers, options);
    auto out = run_on(*ex, numbers, options);
    ex->shutdown();
    return out;
}

u64 checksum(const std::vector<number_result>& results) noexcept
{
    u64 sum = 0;
    for (const auto& r : results)
        sum += factor_sum(r.factors);
    return sum;
}

} // namespace factorize
