# Boost 1.81 from Debian's versioned packages (see README). Process v2 and Asio are
# header-only in 1.81; from 1.86 Process is compiled, so link Boost::process when it exists.
find_package(Boost 1.81.0 REQUIRED CONFIG COMPONENTS thread chrono serialization filesystem)
find_package(Threads REQUIRED)
