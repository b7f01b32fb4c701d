// ASYNCJOBS_TASK of an overloaded name: the error names the advice (cast to one overload
// with ASYNCJOBS_TASK_NAMED).
#include <asyncjobs/task.hpp>

int area(int side) { return side * side; }
double area(double side) { return side * side / 2; }

#ifdef ASYNCJOBS_FIX
ASYNCJOBS_TASK_NAMED(static_cast<int (*)(int)>(area), "area(int)");
#else
ASYNCJOBS_TASK(area);
#endif
