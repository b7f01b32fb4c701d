// .then chains: each step runs on the pool once the one before it is ready, and no thread
// waits in between. A step takes the ready future or its value, and may return a future.
#include <asyncjobs/asyncjobs.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>

int parse(std::string text)
{
    return std::stoi(text);  // throws std::invalid_argument on "oops"
}

int main()
{
    asyncjobs::thread_pool_executor pool(2);

    // readme:then:begin
    auto report = pool.submit(parse, std::string("21"))
                      .then([](int v) { return v * 2; })  // takes the value
                      .then([&pool](int v) {                // returns a future: unwrapped
                          return pool.submit([v] { return v + 0.5; });
                      })
                      .then([](asyncjobs::future<double> f) {  // takes the future: sees errors too
                          return "result: " + std::to_string(f.get());
                      });
    std::printf("%s\n", report.get().c_str());  // result: 42.500000
    // readme:then:end

    // An exception skips the steps that take a value, up to one that takes the future.
    auto recovered = pool.submit(parse, std::string("oops"))
                         .then([](int v) { return v * 2; })  // skipped
                         .then([](asyncjobs::future<int> f) {
                             try {
                                 return f.get();
                             } catch (const std::invalid_argument&) {
                                 return -1;
                             }
                         });
    int fallback = recovered.get();
    std::printf("after a failed parse: %d\n", fallback);
    return fallback == -1 ? 0 : 1;
}
