#!/bin/sh
# The scale model of mpi_executor's rank 0 (HACKING, "The MPI executor at scale"): runs
# `bench_mpi --model` under mpirun at several numbers of worker ranks R (W local workers
# each), fits the CPU that rank 0's progress thread spends per task against the calls in
# flight (R*(W+1): each rank holds one call more than its workers),
#     cost = a + b / (R*(W+1))   (us per task, or per item of a map chunk)
# where b is the polling a quiet loop does between replies, shared by the calls of a burst,
# and a the work per call that remains when the loop is never idle: at saturation rank 0
# spends a per task, so N workers (N = R*W) of TASK_MS tasks saturate it at
#     N = TASK_MS / a.
# The same fit is printed for the submitting thread (submit + get: the user's thread).
#
# usage: apps/bench/mpi_scale_model.sh BENCH_MPI [-- bench_mpi options...]
#   environment: SIZES (worker ranks, R or RxW, default "2 4 8 16 2x4 4x4"), MPIRUN (default
#                mpirun), TASK_MS (default 1), PYTHON (default python3; the fit uses its
#                standard library only)
#   e.g. cmake --build build/release --target bench-mpi-model
# On a machine with fewer cores than ranks every rank shares them (--oversubscribe): the
# worker ranks sleep between looks at MPI, so rank 0's CPU per task stays measurable, but
# the wall-clock figures mean little there.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 BENCH_MPI [-- bench_mpi options...]" >&2
    exit 2
fi
bench=$1
shift
if [ $# -gt 0 ] && [ "$1" = "--" ]; then
    shift
fi
sizes=${SIZES:-2 4 8 16 2x4 4x4}
mpirun=${MPIRUN:-mpirun}
python=${PYTHON:-python3}
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

lines=$(mktemp)
trap 'rm -f "$lines"' EXIT INT TERM
for size in $sizes; do
    r=${size%x*}
    w=1
    case $size in *x*) w=${size#*x} ;; esac
    echo "mpi_scale_model.sh: $r worker ranks of $w local workers" >&2
    "$mpirun" -n $((r + 1)) --oversubscribe "$bench" --model --quiet --workers-per-rank "$w" "$@" | tee -a "$lines"
done

TASK_MS=${TASK_MS:-1} "$python" - "$lines" <<'FIT'
import os, sys

task_us = float(os.environ["TASK_MS"]) * 1000
rows = {}  # (what, chunksize) -> [(ranks, workers per rank, progress_us, submitting_us)]
for line in open(sys.argv[1]):
    f = line.split()
    if f and f[0] == "model":
        rows.setdefault((f[3], int(f[4])), []).append((int(f[1]), int(f[2]), float(f[5]), float(f[7])))

def fit(points):
    """Least squares y = a + b*x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    return my - b * mx, b

busy = {}
print()
print(f"rank 0, CPU per task (per item for map chunks) against R worker ranks x W workers; "
      f"fit a + b/(R*(W+1)); saturation N = {task_us / 1000:g} ms / a")
print(f"{'workload':<15}{'thread':<12}{'measured (RxW: us)':<64}{'a (us)':>8}{'b (us)':>8}{'N':>8}")
for (what, chunk), pts in sorted(rows.items(), key=lambda kv: (kv[0][0] != "submit", kv[0][1])):
    pts.sort()
    name = "submit" if what == "submit" else f"map chunk {chunk}"
    for thread, i in (("progress", 2), ("submitting", 3)):
        a, b = fit([(1 / (p[0] * (p[1] + 1)), p[i]) for p in pts])
        measured = " ".join(f"{p[0]}x{p[1]}:{p[i]:.2f}" for p in pts)
        n = f"{task_us / a:.0f}" if a > 0 else "-"
        print(f"{name:<15}{thread:<12}{measured:<64}{a:>8.3f}{b:>8.2f}{n:>8}")
        if thread == "progress" and what == "map":
            busy[chunk] = a

# A map chunk is one message of k items each way: a(k) = per_message / k + per_item. What a
# per-rank batch of B calls in one message would cost (rank 0 sends a rank one message for
# its free workers) follows from the same two figures.
if len(busy) >= 2:
    per_item, per_message = fit([(1 / k, a) for k, a in busy.items()])
    print(f"\nprogress thread at saturation: {per_message:.3f} us per message + {per_item:.4f} us per item "
          f"(from the map chunks {', '.join(str(k) for k in sorted(busy))})")
    for batch in (1, 10, 16, 64, 100):
        per_task = per_message / batch + per_item
        print(f"  {batch:>3} calls per message: {per_task:.3f} us per task, saturates at N = {task_us / per_task:.0f} "
              f"workers of {task_us / 1000:g} ms tasks")
FIT
