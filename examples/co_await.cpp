// asyncjobs from async code: co_await a pool's result on an io_context that never blocks.
#include <asyncjobs/asio.hpp>
#include <asyncjobs/asyncjobs.hpp>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;

long slow_square(long x)
{
    if (x < 0)
        throw std::invalid_argument("negative input");
    return x * x;
}

asio::awaitable<void> handle(asyncjobs::executor& pool)
{
    // The coroutine suspends; the io_context thread goes on serving other work meanwhile.
    long v = co_await asyncjobs::async_get(pool.submit(slow_square, 12L), asio::use_awaitable);
    std::printf("12 squared is %ld\n", v);

    try {  // the task's exception is rethrown with its type
        co_await asyncjobs::async_get(pool.submit(slow_square, -1L), asio::use_awaitable);
    } catch (const std::invalid_argument& e) {
        std::printf("failed as expected: %s\n", e.what());
    }

    // A deadline: whichever finishes first wins; the loser is cancelled.
    asio::steady_timer timer(co_await asio::this_coro::executor, 10s);
    auto first = co_await (asyncjobs::async_get(pool.submit(slow_square, 3L), asio::use_awaitable) ||
                           timer.async_wait(asio::use_awaitable));
    if (first.index() == 0)
        std::printf("3 squared is %ld, before the deadline\n", std::get<0>(first));
}

int main()
{
    asyncjobs::thread_pool_executor pool(2);
    asio::io_context io;
    bool ok = false;
    asio::co_spawn(io, handle(pool), [&](std::exception_ptr e) { ok = !e; });
    io.run();
    return ok ? 0 : 1;
}
