#!/bin/sh
# Runs a benchmark and rewrites its section of README.md with the benchmark's Markdown
# table: for bench_thread_pool (the default) the section between
#     <!-- bench:thread-pool:begin -->
#     <!-- bench:thread-pool:end -->
# for bench_process_pool ("process" as the first argument) the one between
#     <!-- bench:process-pool:begin -->
#     <!-- bench:process-pool:end -->
# and for bench_mpi ("mpi", run under $MPIRUN -n 3 --oversubscribe) the one between
#     <!-- bench:mpi:begin -->
#     <!-- bench:mpi:end -->
# Nothing else in the README changes. Without the markers (or without a README) the
# table is printed and the README is left alone.
#
# usage: apps/bench/update_readme_table.sh [thread|process|mpi] [BENCH_BINARY] [-- bench options...]
#   thread|process|mpi  which benchmark and table (default thread)
#   BENCH_BINARY  a built bench_thread_pool / bench_process_pool / bench_mpi; default: configure
#                 and build one in $BUILD_DIR (default <repo>/build-bench, Release)
#   README        environment: the file to update (default <repo>/README.md)
#   MPIRUN        environment, mpi only: the mpirun to start bench_mpi with (default mpirun);
#                 as root, Open MPI's OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM) are set for it
#   e.g. apps/bench/update_readme_table.sh -- --rounds 9
#        apps/bench/update_readme_table.sh process -- --rounds 9
#        apps/bench/update_readme_table.sh mpi -- --rounds 9
#        cmake --build build --target bench-table    # both tables
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
readme=${README:-$root/README.md}

kind=thread
if [ $# -gt 0 ] && { [ "$1" = thread ] || [ "$1" = process ] || [ "$1" = mpi ]; }; then
    kind=$1
    shift
fi
target=bench_${kind}_pool
section=bench:${kind}-pool
launch=
if [ "$kind" = mpi ]; then
    # Rank 0 and 2 worker ranks, on any number of cores.
    target=bench_mpi
    section=bench:mpi
    launch="${MPIRUN:-mpirun} -n 3 --oversubscribe"
    if [ "$(id -u)" = 0 ]; then
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
fi
begin="<!-- $section:begin -->"
end="<!-- $section:end -->"

bench=
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    bench=$1
    shift
fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then
    shift
fi

if [ -z "$bench" ]; then
    build=${BUILD_DIR:-$root/build-bench}
    if [ ! -f "$build/CMakeCache.txt" ]; then
        generator=
        if command -v ninja >/dev/null 2>&1; then generator="-G Ninja"; fi
        # shellcheck disable=SC2086
        cmake -S "$root" -B "$build" $generator -DCMAKE_BUILD_TYPE=Release
    fi
    cmake --build "$build" --target "$target"
    bench=$build/apps/bench/$target
fi
if [ ! -x "$bench" ]; then
    echo "update_readme_table.sh: $bench is not an executable $target" >&2
    exit 2
fi

table=$(mktemp)
updated=$(mktemp)
trap 'rm -f "$table" "$updated"' EXIT INT TERM

# The text table goes to the terminal as usual; the Markdown one to $table.
# shellcheck disable=SC2086
$launch "$bench" --markdown-out "$table" "$@"

count() { grep -cF "$1" "$2" 2>/dev/null || true; }
if [ ! -f "$readme" ] || [ "$(count "$begin" "$readme")" != 1 ] || [ "$(count "$end" "$readme")" != 1 ]; then
    echo
    echo "update_readme_table.sh: $readme has no single '$begin' ... '$end' pair;"
    echo "left unchanged. Put the two markers where the table belongs and run again. The table:"
    echo
    cat "$table"
    exit 0
fi

# Keep both marker lines, replace what lies between them.
awk -v begin="$begin" -v end="$end" -v table="$table" '
    index($0, end)   { inside = 0 }
    !inside          { print }
    index($0, begin) {
        inside = 1
        print ""
        while ((getline line < table) > 0) print line
        close(table)
        print ""
    }
' "$readme" > "$updated"

if ! awk -v begin="$begin" -v end="$end" 'index($0, begin) { b = NR } index($0, end) { e = NR } END { exit !(b && e && b < e) }' "$updated"; then
    echo "update_readme_table.sh: the end marker comes before the begin marker in $readme; left unchanged" >&2
    exit 1
fi

# Write in place (keeps the file's permissions and any hard links).
cat "$updated" > "$readme"
echo "update_readme_table.sh: updated the $section section of $readme"
