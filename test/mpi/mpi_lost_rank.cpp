// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
//
// A worker rank killed from outside while it runs a task (a machine lost). Open MPI 4.1
// ends the whole job: mpirun notices the rank's death and kills every rank, rank 0
// included, and exits non-zero. check_lost_rank.cmake runs this under mpirun and checks
// that outcome, bounded in time. If rank 0 ever got past the wait below, the job did not
// end: that is the failure it reports ("rank 0 went on").
#include "process_tasks.hpp"

#include <asyncjobs/mpi.hpp>
#include <asyncjobs/mpi_executor.hpp>

#include <chrono>
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::mpi::run_worker_if_requested(argc, argv))
        return *code;
    asyncjobs::mpi_executor_options options;
    options.workers_per_rank = 1;
    asyncjobs::mpi_executor ex(options);
    auto running = ex.submit(process_tasks::sleep_ms, 120000);
    auto ranks = ex.ranks();
    std::printf("killing rank %d (pid %ld on %s)\n", ranks.at(0).rank, ranks.at(0).pid, ranks.at(0).host.c_str());
    std::fflush(stdout);
    // The system call itself: under ThreadSanitizer (clang 14) ::kill() from this process
    // left the rank alive (seen in the tsan build; a kill -9 from a shell ended the job).
    if (::syscall(SYS_kill, static_cast<pid_t>(ranks.at(0).pid), SIGKILL) != 0) {
        std::printf("kill failed: %s\n", std::strerror(errno));
        return 2;
    }
    auto status = running.wait_for(std::chrono::seconds(60));
    std::printf("rank 0 went on after the lost rank (the task %s)\n",
                status == std::future_status::ready ? "completed" : "is still pending");
    std::fflush(stdout);
    return 0;
}
