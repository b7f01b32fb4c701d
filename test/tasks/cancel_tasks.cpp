// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "cancel_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace cancel_tasks {

int record_run(std::string log, int id, int ms)
{
    int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::runtime_error("record_run: cannot open " + log);
    std::string line = std::to_string(id) + "\n";
    bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!written)
        throw std::runtime_error("record_run: cannot write " + log);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return id;
}

std::vector<int> read_log(const std::string& log)
{
    std::vector<int> ids;
    std::ifstream in(log);
    for (int id; in >> id;)
        ids.push_back(id);
    return ids;
}

} // namespace cancel_tasks

ASYNCJOBS_TASK(cancel_tasks::record_run);
