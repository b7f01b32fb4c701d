// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "stream_run.hpp"

#include "tasks.hpp"

#include <asyncjobs/thread_pool_executor.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <thread>

namespace factorize {

namespace {

using clock_type = std::chrono::steady_clock;

/// Where every result goes: checked when --verify asks, counted, written.
struct result_sink {
    const run_options& options;
    result_writer& out;

    void add(u64 n, const u64* factors, std::size_t count)
    {
        if (options.verify) {
            if (auto wrong = verify(n, std::vector<u64>(factors, factors + count))) {
                add_error(n, "verification failed: " + *wrong);
                return;
            }
        }
        out.add(n, factors, count);
        done(1);
    }
    void add_error(u64 n, const std::string& why)
    {
        out.add_error(n, why);
        done(1);
    }
    void done(std::size_t k) const
    {
        if (options.on_progress)
            options.on_progress(k);
    }
};

void run_serial_stream(number_stream& in, const run_options& options, result_sink& sink)
{
    u64 factors[max_factors];
    u64 n = 0;
    for (;;) {
        auto got = in.next(n);
        if (got == number_stream::status::number) {
            sink.add(n, factors, factor_into(n, options.algo, factors));
        } else if (got == number_stream::status::end) {
            return;
        } else {
            sink.out.flush();  // everything so far is out before this waits for input
            in.wait();
        }
    }
}

/// The map driver, streamed: blocks of numbers (--chunksize, or about 3 ms of work) go to
/// the pool as tasks, at most 8 per worker in flight; results are printed by the block in
/// input order. A block is sent early, not full, when the input would have to wait: a
/// number typed at a terminal is factorized at once.
class block_pipeline {
public:
    block_pipeline(asyncjobs::executor& ex, bool processes, bool text, const run_options& options, result_sink& sink)
        : ex_(ex), processes_(processes), text_(text && !options.verify), options_(options), sink_(sink),
          window_(8 * std::max<std::size_t>(1, ex.max_workers())), workers_(std::max<std::size_t>(1, ex.max_workers()))
    {
        batch_.flags = options.algo == algorithm::rho ? work_item::use_rho : 0;
        if (options.crash_on) {
            batch_.crash = true;
            batch_.crash_on = *options.crash_on;
        }
    }

    block_pipeline(const block_pipeline&) = delete;
    block_pipeline& operator=(const block_pipeline&) = delete;

    // Thread tasks read their block's numbers in place: none may outlive them, even when
    // an error (a failed write) leaves blocks unprinted.
    ~block_pipeline()
    {
        for (auto& b : pending_) {
            try {
                if (b->filled.valid())
                    b->filled.wait();
                if (b->text.valid())
                    b->text.wait();
                if (b->flat.valid())
                    b->flat.wait();
            } catch (...) {
            }
        }
    }

    void run(number_stream& in)
    {
        in_ = &in;
        budget_ = next_budget();
        u64 n = 0;
        for (;;) {
            number_stream::status got;
            try {
                got = in.next(n);
            } catch (...) {
                // A bad token: everything before it is printed, then the error goes up.
                send();
                while (!pending_.empty())
                    print_front();
                throw;
            }
            if (got == number_stream::status::number) {
                batch_.numbers.push_back(n);
                std::size_t cost = estimated_cost(n);
                cost_ += cost;
                cost_seen_ += cost;
                if (options_.chunksize ? batch_.numbers.size() == options_.chunksize
                                       : cost_ >= budget_ || batch_.numbers.size() == max_block)
                    send();
                continue;
            }
            if (got == number_stream::status::would_block && in.ready_now()) {
                in.wait();  // more input is there (a file's next block): no need to send early
                continue;
            }
            send();
            if (got == number_stream::status::end)
                break;
            // No input buffered: print what is ready while waiting for more.
            for (;;) {
                while (!pending_.empty() && pending_.front()->done())
                    print_front();
                if (pending_.empty() || in.ready_now())
                    break;
                sink_.out.flush();
                pending_.front()->wait_for(std::chrono::microseconds(500));
            }
            sink_.out.flush();
            in.wait();
        }
        while (!pending_.empty())
            print_front();
    }

private:
    // A block's result: text lines made by the task (text output: into `lines` on a thread
    // pool, returned on a process pool), or the factors flattened (JSON, --verify),
    // formatted here.
    struct block {
        std::vector<u64> numbers;
        asyncjobs::future<std::vector<u64>> flat;
        asyncjobs::future<std::string> text;
        asyncjobs::future<void> filled;  // `lines` is written
        text_buffer lines;
        bool done() const { return filled.valid() ? filled.done() : text.valid() ? text.done() : flat.done(); }
        void wait_for(std::chrono::microseconds t) const
        {
            if (filled.valid())
                filled.wait_for(t);
            else if (text.valid())
                text.wait_for(t);
            else
                flat.wait_for(t);
        }
    };

    /// What a number costs to factorize, in units of about 0.7 us (a number below 2^32):
    /// Pollard's rho takes about n^(1/4) steps on a semiprime, so the cost doubles every
    /// few bits above 32 (~50 units for a random 64-bit number). With --chunksize auto a
    /// block closes at about 3 ms of work: 4096 small numbers, a few dozen 64-bit ones, so
    /// that a task's fixed cost (~25 us on a process pool) stays near 1% and the last
    /// blocks do not leave a worker idle for long.
    static std::size_t estimated_cost(u64 n) noexcept
    {
        int bits = 64 - __builtin_clzll(n | 1);
        return std::size_t(1) << (bits > 32 ? (bits - 32) / 5 : 0);
    }
    static constexpr std::size_t block_budget = 4096;
    static constexpr std::size_t max_block = 4096;
    // The first blocks are smaller (1/16, 1/8, ... of the budget), so that every worker
    // has work after a few hundred numbers are parsed, not after thousands.
    static constexpr std::size_t ramp_blocks = 4;
    // The smallest budget near the end of the input (~0.2 ms of work).
    static constexpr std::size_t min_budget = block_budget / 16;

    /// The budget of the next block. Where the input's size is known (a file, --random),
    /// the last blocks shrink: each gets at most 1/(2 x workers) of the work estimated to
    /// be left, so the workers run out of work within a fraction of a millisecond of each
    /// other instead of one idling through the other's last full block.
    std::size_t next_budget() const
    {
        std::size_t b = sent_ < ramp_blocks ? block_budget >> (ramp_blocks - sent_) : block_budget;
        auto left = in_->fraction_left();
        if (left && *left < 1.0 && cost_seen_ > 0) {
            double rest = static_cast<double>(cost_seen_) * *left / (1.0 - *left);
            double share = rest / static_cast<double>(2 * workers_);
            b = std::min(b, std::max(min_budget, static_cast<std::size_t>(share)));
        }
        return b;
    }

    void send()
    {
        cost_ = 0;
        if (batch_.numbers.empty())
            return;
        ++sent_;
        budget_ = next_budget();
        while (pending_.size() >= window_)
            print_front();
        auto b = std::make_unique<block>();
        if (processes_) {
            b->numbers = batch_.numbers;
            if (text_)
                b->text = ex_.submit(format_batch, batch_);
            else
                b->flat = ex_.submit(factor_batch, batch_);
            batch_.numbers.clear();
        } else {
            // A thread task reads the numbers in place: they stay in the block until printed.
            b->numbers = std::move(batch_.numbers);
            batch_.numbers = {};
            if (text_) {
                if (!spare_.empty()) {  // a printed block's buffer: its pages are already there
                    b->lines = std::move(spare_.back());
                    spare_.pop_back();
                }
                b->filled = ex_.submit([numbers = &b->numbers, lines = &b->lines, algo = options_.algo] {
                    format_numbers_into(*numbers, algo, *lines);
                });
            }
            else
                b->flat = ex_.submit([numbers = &b->numbers, algo = options_.algo] { return factor_numbers(*numbers, algo); });
        }
        batch_.numbers.reserve(options_.chunksize ? options_.chunksize : max_block);
        pending_.push_back(std::move(b));
    }

    /// factor_batch over numbers in place (the thread pool's version: nothing to copy).
    static std::vector<u64> factor_numbers(const std::vector<u64>& numbers, algorithm algo)
    {
        std::vector<u64> flat;
        flat.reserve(numbers.size() * 4);
        u64 factors[max_factors];
        for (u64 n : numbers) {
            std::size_t k = factor_into(n, algo, factors);
            flat.push_back(k);
            flat.insert(flat.end(), factors, factors + k);
        }
        return flat;
    }

    void print_front()
    {
        block& b = *pending_.front();
        if (!b.done())
            sink_.out.flush();  // about to wait: what is ready is out first
        std::vector<u64> flat;
        std::string text;
        bool ok = true;
        try {
            if (b.filled.valid())
                b.filled.get();
            else if (b.text.valid())
                text = b.text.get();
            else
                flat = b.flat.get();
        } catch (...) {
            ok = false;
        }
        if (ok && b.filled.valid()) {
            sink_.out.add_lines({b.lines.data.get(), b.lines.size}, b.numbers.size());
            sink_.done(b.numbers.size());
            spare_.push_back(std::move(b.lines));
        } else if (ok && b.text.valid()) {
            sink_.out.add_lines(text, b.numbers.size());
            sink_.done(b.numbers.size());
        } else if (ok) {
            std::size_t at = 0;
            for (u64 n : b.numbers) {
                auto k = static_cast<std::size_t>(flat[at]);
                sink_.add(n, flat.data() + at + 1, k);
                at += k + 1;
            }
        } else {
            retry_singly(b.numbers);
        }
        pending_.pop_front();
    }

    /// A block whose task failed (its worker crashed or timed out) is run again one number
    /// a task, so that only the number that fails on its own is reported.
    void retry_singly(const std::vector<u64>& numbers)
    {
        std::vector<asyncjobs::future<item_result>> futures;
        std::vector<std::string> refused(numbers.size());
        for (std::size_t i = 0; i < numbers.size(); ++i) {
            work_item item;
            item.index = i;
            item.n = numbers[i];
            item.flags = batch_.flags;
            if (batch_.crash && numbers[i] == batch_.crash_on)
                item.flags |= work_item::crash_me;
            try {
                futures.push_back(ex_.submit(factor_item, item));
            } catch (...) {
                futures.emplace_back();
                refused[i] = describe_failure(std::current_exception(), options_);
            }
        }
        for (std::size_t i = 0; i < numbers.size(); ++i) {
            if (!futures[i].valid()) {
                sink_.add_error(numbers[i], refused[i]);
                continue;
            }
            try {
                auto r = futures[i].get();
                sink_.add(numbers[i], r.factors.data(), r.factors.size());
            } catch (...) {
                sink_.add_error(numbers[i], describe_failure(std::current_exception(), options_));
            }
        }
    }

    asyncjobs::executor& ex_;
    bool processes_;
    bool text_;  // the tasks format the lines (text output without --verify)
    const run_options& options_;
    result_sink& sink_;
    std::size_t window_;
    std::size_t workers_;
    number_stream* in_ = nullptr;
    std::size_t cost_ = 0;       // estimated_cost of the numbers in batch_
    std::size_t cost_seen_ = 0;  // ... of every number read so far
    std::size_t budget_ = block_budget;  // batch_ is sent when cost_ reaches it
    std::size_t sent_ = 0;       // blocks sent
    number_batch batch_;
    std::deque<std::unique_ptr<block>> pending_;
    std::vector<text_buffer> spare_;  // buffers of printed blocks, for the next ones
};

/// The other drivers (chunked, as-completed, then) take a whole list: they get the input a
/// segment at a time (up to `segment` numbers, or what is there when the input would wait),
/// each segment run and printed before the next is read.
void run_segments(asyncjobs::executor& ex, number_stream& in, const run_options& options, result_sink& sink)
{
    const std::size_t segment = 64 * 1024;
    std::vector<u64> numbers;
    bool more = true;
    std::exception_ptr bad_token;
    while (more) {
        numbers.clear();
        u64 n = 0;
        while (numbers.size() < segment) {
            number_stream::status got;
            try {
                got = in.next(n);
            } catch (...) {
                bad_token = std::current_exception();
                more = false;
                break;
            }
            if (got == number_stream::status::number) {
                numbers.push_back(n);
            } else if (got == number_stream::status::end) {
                more = false;
                break;
            } else if (numbers.empty()) {
                sink.out.flush();
                in.wait();
            } else {
                break;  // run what is there; the rest is read after
            }
        }
        if (numbers.empty())
            continue;
        run_options quiet = options;
        quiet.on_progress = nullptr;  // the sink counts them as they are printed
        auto results = run_on(ex, numbers, quiet);
        for (std::size_t i = 0; i < numbers.size(); ++i) {
            if (results[i].ok())
                sink.add(numbers[i], results[i].factors.data(), results[i].factors.size());
            else
                sink.add_error(numbers[i], results[i].error);
        }
    }
    if (bad_token)
        std::rethrow_exception(bad_token);
}

} // namespace

int run_streaming(number_stream& in, const stream_config& config)
{
    auto start = clock_type::now();
    auto seconds = [&] { return std::chrono::duration<double>(clock_type::now() - start).count(); };
    // Made before the output starts: JSON names the pool's size first, and an mpi_executor
    // knows its size (the ranks' workers added up) only once the ranks have answered.
    auto ex = make_executor(config.pool);
    std::size_t pool_size = ex ? ex->max_workers() : 1;
    run_description described{to_string(config.pool.kind), to_string(config.options.driver),
                              to_string(config.options.algo), pool_size, 0};
    progress_bar bar(in.known_count().value_or(0), config.progress);
    run_options options = config.options;
    if (config.progress)
        options.on_progress = [&bar](std::size_t done) { bar.add(done); };
    result_writer out(config.output_fd, config.json, described);
    result_sink sink{options, out};

    try {
        if (!ex) {
            run_serial_stream(in, options, sink);
        } else {
            if (options.driver == mode::map) {
                block_pipeline pipeline(*ex, runs_elsewhere(config.pool.kind), !config.json, options, sink);
                pipeline.run(in);
            } else {
                run_segments(*ex, in, options, sink);
            }
            ex->shutdown();
        }
    } catch (const input_error& e) {
        bar.finish();
        out.finish(seconds(), e.what());
        throw;
    }
    described.seconds = seconds();
    bar.finish();
    out.finish(described.seconds);
    if (config.summary)
        std::fputs(format_summary(out.count(), out.failed(), described).c_str(), stderr);
    return out.failed() ? 1 : 0;
}

} // namespace factorize
