// The worker executable of separate_worker.cpp: a program whose whole main is worker_main,
// linked with the same registered tasks as the program that starts the pool.
#include <asyncjobs/worker.hpp>

int main(int argc, char** argv)
{
    return asyncjobs::worker_main(argc, argv);
}
