// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// The interface suites (future, then, map, combinators, shutdown) run each case that does
// not need a lambda's captured state on both pools: BOOST_AUTO_TEST_CASE_TEMPLATE(name,
// Kind, test::pool_kinds), with `auto owner = Kind::make(n); auto& pool = *owner;`. The
// tasks are registered functions (test/tasks/interface_tasks.hpp), the process pool runs
// the worker executable the runner is handed after `--` (test_worker), and a task is held
// in its worker by a file_blocker instead of a test::blocker.
#ifndef ASYNCJOBS_TEST_POOL_KINDS_HPP
#define ASYNCJOBS_TEST_POOL_KINDS_HPP

#include <boost/test/unit_test.hpp>

#include "interface_tasks.hpp"
#include "test_support.hpp"

#include <asyncjobs/process_pool_executor.hpp>
#include <asyncjobs/thread_pool_executor.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <tuple>

namespace test {

/// The worker executable after `--`: the runner owns main, so a pool cannot re-run it.
inline std::string worker_executable()
{
    auto& suite = boost::unit_test::framework::master_test_suite();
    BOOST_TEST_REQUIRE(suite.argc > 1, "process-pool cases need the worker: run as <runner> -- <test_worker>");
    return suite.argv[1];
}

struct thread_kind {
    using pool_type = asyncjobs::thread_pool_executor;
    static constexpr bool process = false;
    static std::unique_ptr<pool_type> make(std::size_t workers) { return std::make_unique<pool_type>(workers); }
};

struct process_kind {
    using pool_type = asyncjobs::process_pool_executor;
    static constexpr bool process = true;
    static std::unique_ptr<pool_type> make(std::size_t workers)
    {
        asyncjobs::process_pool_options options;
        options.max_workers = workers;
        options.worker_executable = worker_executable();
        return std::make_unique<pool_type>(options);
    }
};

using pool_kinds = std::tuple<thread_kind, process_kind>;

/// A scratch directory, removed with what is in it when the object goes.
class scratch_dir {
public:
    scratch_dir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "asyncjobs-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed: " + pattern);
        path_ = pattern;
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    ~scratch_dir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    /// How many files it holds (e.g. one per task run, left by interface_tasks::mark_run).
    std::size_t count() const
    {
        std::size_t n = 0;
        for ([[maybe_unused]] auto& entry : std::filesystem::directory_iterator(path_))
            ++n;
        return n;
    }

private:
    std::filesystem::path path_;
};

inline bool file_exists(const std::string& path) { return std::filesystem::exists(path); }
inline void create_file(const std::string& path) { std::ofstream(path).flush(); }

/// test::blocker for both pools: occupies one worker (thread or process) with
/// interface_tasks::hold until release() or the end of the scope. Declare it after the pool.
class file_blocker {
public:
    template <class Pool>
    explicit file_blocker(Pool& pool)
        : dir_()
        , future_(pool.submit(interface_tasks::hold, dir_.file("started"), dir_.file("release")))
    {
    }
    file_blocker(const file_blocker&) = delete;
    file_blocker& operator=(const file_blocker&) = delete;
    ~file_blocker()
    {
        release();
        if (future_.valid())
            (void)future_.wait_for(long_wait);
    }

    /// Waits until the holding task runs in a worker and its future says so (polled: a file
    /// has no event to wait on, and a process pool learns of the start through a pipe).
    [[nodiscard]] bool started() const
    {
        return eventually([&] { return file_exists(dir_.file("started")) && future_.running(); });
    }
    void release() { create_file(dir_.file("release")); }
    asyncjobs::future<bool>& future() noexcept { return future_; }

private:
    scratch_dir dir_;
    asyncjobs::future<bool> future_;
};

} // namespace test

#endif
