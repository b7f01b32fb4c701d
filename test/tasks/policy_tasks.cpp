// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "policy_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace policy_tasks {

int count_try(const std::string& counter)
{
    int fd = ::open(counter.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "cannot open " + counter);
    char one = 1;
    bool ok = ::write(fd, &one, 1) == 1;
    ::close(fd);
    if (!ok)
        throw std::runtime_error("cannot write " + counter);
    return tries(counter);
}

int tries(const std::string& counter)
{
    std::error_code ec;
    auto size = std::filesystem::file_size(counter, ec);
    return ec ? 0 : static_cast<int>(size);
}

int die_first_tries(std::string counter, int deaths)
{
    int n = count_try(counter);
    if (n <= deaths)
        ::raise(SIGKILL);
    return n;
}

int count_and_throw(std::string counter)
{
    count_try(counter);
    throw std::runtime_error("own failure");
}

int slow_first_tries(std::string counter, int slow, int ms)
{
    int n = count_try(counter);
    if (n <= slow)
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return n;
}

int wait_to_be_killed(std::string counter, std::string pid_file)
{
    int n = count_try(counter);
    if (n > 1)
        return n;
    std::string pid = std::to_string(static_cast<long>(::getpid()));
    std::string temporary = pid_file + ".part";
    if (FILE* f = std::fopen(temporary.c_str(), "w")) {
        std::fputs(pid.c_str(), f);
        std::fclose(f);
        std::rename(temporary.c_str(), pid_file.c_str());
    }
    std::this_thread::sleep_for(std::chrono::seconds(60));
    return n;
}

std::uint64_t hold_memory(std::uint64_t bytes)
{
    static std::vector<std::unique_ptr<char[]>> kept;
    // Not make_unique, which writes every byte (and under ThreadSanitizer pays shadow memory
    // for each): touching every page is what makes it resident, not merely reserved.
    std::unique_ptr<char[]> block(new char[bytes]);
    for (std::uint64_t i = 0; i < bytes; i += 4096)
        block[i] = static_cast<char>(i);
    kept.push_back(std::move(block));
    return bytes;
}

std::uint64_t hold_memory_then_sleep(std::uint64_t bytes, int ms)
{
    hold_memory(bytes);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return bytes;
}

} // namespace policy_tasks

ASYNCJOBS_TASK(policy_tasks::die_first_tries);
ASYNCJOBS_TASK(policy_tasks::count_and_throw);
ASYNCJOBS_TASK(policy_tasks::slow_first_tries);
ASYNCJOBS_TASK(policy_tasks::wait_to_be_killed);
ASYNCJOBS_TASK(policy_tasks::hold_memory);
ASYNCJOBS_TASK(policy_tasks::hold_memory_then_sleep);
