#include "separate_worker_tasks.hpp"

#include <asyncjobs/task.hpp>

#include <cctype>

std::string shout(std::string text)
{
    for (auto& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text + "!";
}
ASYNCJOBS_TASK(shout);
