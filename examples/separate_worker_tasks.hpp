// The tasks that separate_worker.cpp sends to its worker executable: both programs link
// separate_worker_tasks.cpp, so both have the same registered tasks (the pool checks it).
#ifndef ASYNCJOBS_EXAMPLES_SEPARATE_WORKER_TASKS_HPP
#define ASYNCJOBS_EXAMPLES_SEPARATE_WORKER_TASKS_HPP

#include <string>

std::string shout(std::string text);

#endif
