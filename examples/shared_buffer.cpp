// Large bytes without copies: a shared_buffer lives in shared memory, and a process-pool
// worker reads and writes it in place; a buffer the worker returns is the one it was given.
#include <asyncjobs/asyncjobs.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>

// Brightens an 8-bit image in place, in the worker, and returns it.
asyncjobs::shared_buffer brighten(asyncjobs::shared_buffer image, int amount)
{
    for (std::byte& pixel : image.span()) {
        int value = std::to_integer<int>(pixel) + amount;
        pixel = static_cast<std::byte>(value > 255 ? 255 : value);
    }
    return image;
}
ASYNCJOBS_TASK(brighten);

// The sum of the bytes: reads the caller's memory where it is.
std::uint64_t sum(asyncjobs::shared_buffer image)
{
    std::uint64_t total = 0;
    for (std::byte pixel : image.span())
        total += std::to_integer<unsigned>(pixel);
    return total;
}
ASYNCJOBS_TASK(sum);

int main(int argc, char** argv)
{
    if (auto code = asyncjobs::run_worker_if_requested(argc, argv))
        return *code;

    asyncjobs::process_pool_executor pool;
    // readme:shared_buffer:begin
    asyncjobs::shared_buffer image(64 << 20);  // 64 MiB of zeros in the shared arena
    for (std::size_t i = 0; i < image.size(); ++i)
        image.data()[i] = static_cast<std::byte>(i % 200);

    // The worker maps the same memory: nothing is copied either way.
    asyncjobs::shared_buffer brighter = pool.submit(brighten, image, 50).get();
    bool same = brighter.data() == image.data();  // true: the very buffer that was sent
    std::uint64_t total = pool.submit(sum, image).get();  // sees the worker's writes
    // readme:shared_buffer:end
    std::uint64_t expected = 0;
    for (std::size_t i = 0; i < image.size(); ++i)
        expected += std::min<std::size_t>(i % 200 + 50, 255);
    std::printf("same memory: %s, sum %llu (expected %llu)\n", same ? "yes" : "no",
                static_cast<unsigned long long>(total), static_cast<unsigned long long>(expected));
    return same && total == expected ? 0 : 1;
}
