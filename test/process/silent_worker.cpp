// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// A worker executable that never says hello: it only waits (and dies with its parent).
#include <csignal>

#include <sys/prctl.h>
#include <unistd.h>

int main()
{
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;)
        ::pause();
}
