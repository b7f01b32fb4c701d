// An outside program using asyncjobs: a thread pool and a process pool (which re-executes
// this program as its workers), so the installed package must carry every link dependency.
#include <asyncjobs/asyncjobs.hpp>

#include <cstdio>
#include <vector>

long square(long x)
{
    return x * x;
}
ASYNCJOBS_TASK(square);

namespace {

int check(const char* what, long got, long want)
{
    std::printf("%-20s %ld (want %ld)\n", what, got, want);
    return got == want ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;

    int failures = 0;
    {
        asyncjobs::thread_pool_executor threads(2);
        auto f = threads.submit(square, 7L).then([](asyncjobs::future<long> r) { return r.get() + 1; });
        failures += check("thread pool", f.get(), 50);
    }
    {
        asyncjobs::process_pool_executor processes(1);
        failures += check("process pool", processes.submit(square, 9L).get(), 81);
        long sum = 0;
        for (long v : processes.map(square, std::vector<long>{1, 2, 3}))
            sum += v;
        failures += check("process pool map", sum, 14);
    }
    std::printf("asyncjobs consumer: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
