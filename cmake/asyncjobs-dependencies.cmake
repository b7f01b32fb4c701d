# Boost 1.81 from Debian's versioned packages, and only 1.81 (see README, Dependencies):
# Process v2 and Asio are header-only there, and the process pool works around 1.81's
# Process v2 (HACKING.md); other releases are neither built nor tested. BoostConfig 1.81
# accepts any newer Boost for a "1.81.0" request, hence the check after it.
find_package(Boost 1.81.0 REQUIRED CONFIG COMPONENTS thread chrono serialization filesystem)
if(NOT Boost_VERSION VERSION_LESS 1.82)
    message(FATAL_ERROR "asyncjobs needs Boost 1.81 (found ${Boost_VERSION} in ${Boost_DIR}): "
        "install the libboost-*1.81-dev packages (scripts/install-deps.sh) or point Boost_DIR at a Boost 1.81")
endif()
find_package(Threads REQUIRED)
