// A process pool whose workers are a separate executable (process_pool_options::
// worker_executable): for a program whose main is not yours to change (a test runner, a
// plugin host), or to keep the workers small. Usage: separate_worker <worker executable>
#include "separate_worker_tasks.hpp"

#include <asyncjobs/asyncjobs.hpp>

#include <cstdio>
#include <string>

// No run_worker_if_requested line: this program never becomes a worker.
int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <path of separate_worker_main>\n", argv[0]);
        return 2;
    }
    // readme:worker_executable:begin
    asyncjobs::process_pool_options options;
    options.max_workers = 2;
    options.worker_executable = argv[1];  // its main: return asyncjobs::worker_main(argc, argv);
    asyncjobs::process_pool_executor pool(options);
    std::string loud = pool.submit(shout, std::string("hello from a worker")).get();
    // readme:worker_executable:end
    std::printf("%s\n", loud.c_str());
    return loud == "HELLO FROM A WORKER!" ? 0 : 1;
}
