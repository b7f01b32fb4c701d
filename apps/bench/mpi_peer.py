#!/usr/bin/env python3
"""Python peer of bench_mpi: the same no-op workloads on mpi4py.futures' MPIPoolExecutor,
printed as one JSON object on stdout.

Run under mpirun in mpi4py.futures' own mode, so that rank 0 runs this script and the
other ranks serve as its workers (no MPI_Comm_spawn):

    mpirun -n 3 --oversubscribe python3 -m mpi4py.futures apps/bench/mpi_peer.py

Figures (medians over --rounds runs, after one warm-up on the same executor):
  submit_bulk_us_per_task   submit N no-op tasks, then wait for all (us per task)
  round_trip_us             submit one task, wait for its result, repeat (median us per trip;
                            round_trip_mean_us is the mean)

bench_mpi runs this once per round (--rounds 1) through a second mpirun, when the Python it
is given imports mpi4py (Debian: python3-mpi4py, for /usr/bin/python3).
"""
import time
from concurrent.futures import wait

import mpi4py
from mpi4py import MPI
from mpi4py.futures import MPIPoolExecutor

from peer_common import arguments, bulk_submit, noop, print_report, round_trip, scaled


def main():
    a = arguments(__doc__, bulk=10000, round_trips=1000).parse_args()
    keys = ["submit_bulk_us_per_task", "round_trip_us", "round_trip_mean_us"]
    samples = {k: [] for k in keys}
    start = time.perf_counter()
    with MPIPoolExecutor() as ex:
        # Warm-up: every worker rank answered, code paths hot.
        wait([ex.submit(noop, i) for i in range(MPI.COMM_WORLD.Get_size() * 4)])
        bulk_submit(ex, scaled(a, a.bulk) // 10 + 1)
        for _ in range(max(1, a.rounds)):
            samples["submit_bulk_us_per_task"].append(bulk_submit(ex, scaled(a, a.bulk)) * 1e6)
            trip_median, trip_mean = round_trip(ex, scaled(a, a.round_trips))
            samples["round_trip_us"].append(trip_median * 1e6)
            samples["round_trip_mean_us"].append(trip_mean * 1e6)
    # --workers is what bench_mpi asked for; the pool has what mpirun started.
    a.workers = MPI.COMM_WORLD.Get_size() - 1
    counts = {"bulk": scaled(a, a.bulk), "round_trips": scaled(a, a.round_trips)}
    print_report("mpi4py.futures.MPIPoolExecutor", a, counts, samples, start, mpi4py=mpi4py.__version__,
                 mpi=MPI.Get_library_version().splitlines()[0].strip().strip("\x00"))


if __name__ == "__main__":
    main()
