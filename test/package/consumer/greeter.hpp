// A library of the consumer project that uses asyncjobs: installed and exported with the
// project, it makes asyncjobs part of the project's own export set (the vendored modes).
#ifndef ASYNCJOBS_CONSUMER_GREETER_HPP
#define ASYNCJOBS_CONSUMER_GREETER_HPP

/// The sum of the squares of 1..n, computed on an asyncjobs thread pool.
long sum_of_squares(long n);

#endif
