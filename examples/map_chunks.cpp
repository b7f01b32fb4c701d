// map(): results in input order, the input cut into chunks (one task each) and read only a
// bounded window ahead of the reader; an element whose call threw rethrows when read.
#include <asyncjobs/asyncjobs.hpp>

#include <cstdio>
#include <stdexcept>
#include <vector>

long digit_sum(long n)
{
    if (n < 0)
        throw std::domain_error("negative input");
    long sum = 0;
    for (; n; n /= 10)
        sum += n % 10;
    return sum;
}
ASYNCJOBS_TASK(digit_sum);

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;

    asyncjobs::process_pool_executor pool(2);

    // readme:map:begin
    std::vector<long> inputs{12, 345, -1, 6789};
    asyncjobs::map_options options;
    options.chunksize = 2;  // two inputs per task (0, the default, sizes chunks from call times)
    options.window = 4;     // at most four tasks in flight: input is read that far ahead
    auto results = pool.map(digit_sum, inputs, options);
    for (auto it = results.begin(); it != results.end(); ++it) {
        try {
            std::printf("%ld\n", *it);
        } catch (const std::domain_error& e) {  // only that element failed
            std::printf("error: %s\n", e.what());
        }
    }
    // readme:map:end

    // The automatic chunk size: a million cheap calls cost a few thousand tasks, not a million.
    std::vector<long> many(1000000);
    for (std::size_t i = 0; i < many.size(); ++i)
        many[i] = static_cast<long>(i);
    long total = 0;
    for (long s : pool.map(digit_sum, many))
        total += s;
    std::printf("digit sums of 0..999999 add up to %ld\n", total);
    return total == 27000000 ? 0 : 1;
}
