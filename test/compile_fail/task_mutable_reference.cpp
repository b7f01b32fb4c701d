// ASYNCJOBS_TASK of a function taking a non-const reference: a worker cannot write to the
// caller's object.
#include <asyncjobs/task.hpp>

#include <boost/serialization/vector.hpp>

#include <cstddef>
#include <vector>

#ifdef ASYNCJOBS_FIX
std::vector<int> fill(int n) { return std::vector<int>(static_cast<std::size_t>(n), 0); }
ASYNCJOBS_TASK(fill);
#else
void fill(std::vector<int>& v, int n) { v.assign(static_cast<std::size_t>(n), 0); }
ASYNCJOBS_TASK(fill);
#endif
