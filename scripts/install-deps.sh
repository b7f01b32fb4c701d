#!/usr/bin/env bash
# Installs the Debian 12 packages asyncjobs needs to build, test, sanitize and benchmark.
# Idempotent: when everything is there it returns at once without touching apt.
# Runs as root (no sudo needed) or, if not root, through sudo.
#
# Boost comes ONLY from the versioned 1.81 packages: Debian 12's unversioned
# libboost-*-dev are 1.74 and conflict with them (apt would remove one set for the other).
set -euo pipefail

packages=(
    # toolchain: CMake presets use Ninja; g++ 12 for most builds, clang++ 14 for the
    # clang CI build and ThreadSanitizer (libclang-rt-14-dev holds clang's sanitizer runtimes)
    cmake
    ninja-build
    g++
    clang
    libclang-rt-14-dev
    # scripts (benchmark tables, the Python peer)
    python3
    # bench_thread_pool's oneTBB baseline (task_group); the benchmark builds without it
    libtbb-dev
    # pkg-config: the package tests build a consumer from asyncjobs.pc
    pkgconf
    # Boost 1.81: Asio and Process (header-only) come with libboost1.81-dev
    libboost1.81-dev
    libboost-thread1.81-dev
    libboost-system1.81-dev
    libboost-chrono1.81-dev
    libboost-test1.81-dev
    libboost-serialization1.81-dev
    libboost-program-options1.81-dev
    libboost-filesystem1.81-dev
    libboost-json1.81-dev
    # mpi_executor (asyncjobs::mpi, ASYNCJOBS_MPI) and its tests under mpirun: Open MPI's C API
    # (Boost.MPI is not needed)
    openmpi-bin
    libopenmpi-dev
    # factorize --serve: its tests ask it with curl; its benchmark's Python peer is aiohttp
    curl
    python3-aiohttp
)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    if [[ "$status" != "installed" ]]; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: all ${#packages[@]} packages are installed"
    exit 0
fi

as_root=()
if ((EUID != 0)); then
    if ! command -v sudo >/dev/null; then
        echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
    as_root=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" </dev/null
echo "install-deps: done"
