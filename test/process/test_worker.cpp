// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The worker executable of the process-pool tests: the test runner owns its main, so the
// pool is pointed at this program instead (Boost.Process's own tests do the same).
#include <asyncjobs/worker.hpp>

int main(int argc, char** argv) { return asyncjobs::worker_main(argc, argv); }
