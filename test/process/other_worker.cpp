// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// A worker built from a different program: its task registry differs from the runner's.
#include <asyncjobs/task.hpp>
#include <asyncjobs/worker.hpp>

namespace {
int unrelated(int x) { return x; }
} // namespace
ASYNCJOBS_TASK(unrelated);

int main(int argc, char** argv) { return asyncjobs::worker_main(argc, argv); }
