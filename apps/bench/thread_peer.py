#!/usr/bin/env python3
"""Python peer of bench_thread_pool: the same no-op workloads on
concurrent.futures.ThreadPoolExecutor, printed as one JSON object on stdout.

Figures (medians over --rounds runs, after one warm-up):
  submit_bulk_ns_per_task  submit N no-op tasks, then wait for all (ns per task)
  round_trip_us            submit one task, wait for its result, repeat (median us per trip;
                           round_trip_mean_us is the mean)
  map_ns_per_item          ex.map(noop, range(N), chunksize=C), every result read (ns per item);
                           ThreadPoolExecutor ignores chunksize: every item is its own task

bench_thread_pool runs this when python3 is on PATH and shows our speedup over it.
"""
import argparse
import json
import platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor, wait


def noop(x=None):
    return x


def bulk_submit(ex, n):
    start = time.perf_counter()
    futures = [ex.submit(noop, i) for i in range(n)]
    wait(futures)
    return (time.perf_counter() - start) / n


def round_trip(ex, n):
    """Median and mean seconds per trip (each trip timed, like bench_thread_pool does)."""
    clock = time.perf_counter
    trips = []
    for i in range(n):
        start = clock()
        ex.submit(noop, i).result()
        trips.append(clock() - start)
    return statistics.median(trips), statistics.fmean(trips)


def mapped(ex, n, chunksize):
    start = time.perf_counter()
    for _ in ex.map(noop, range(n), chunksize=chunksize):
        pass
    return (time.perf_counter() - start) / n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply task counts")
    ap.add_argument("--bulk", type=int, default=50000, help="tasks per bulk run")
    ap.add_argument("--round-trips", type=int, default=10000)
    ap.add_argument("--map-items", type=int, default=50000)
    ap.add_argument("--chunksize", type=int, default=1000)
    a = ap.parse_args()

    def s(n):
        return max(1, int(n * a.scale))

    samples = {"submit_bulk_ns_per_task": [], "round_trip_us": [], "round_trip_mean_us": [], "map_ns_per_item": []}
    start = time.perf_counter()
    with ThreadPoolExecutor(a.workers) as ex:
        bulk_submit(ex, s(a.bulk) // 10 + 1)  # warm-up: threads started, code paths hot
        for _ in range(max(1, a.rounds)):
            samples["submit_bulk_ns_per_task"].append(bulk_submit(ex, s(a.bulk)) * 1e9)
            trip_median, trip_mean = round_trip(ex, s(a.round_trips))
            samples["round_trip_us"].append(trip_median * 1e6)
            samples["round_trip_mean_us"].append(trip_mean * 1e6)
            samples["map_ns_per_item"].append(mapped(ex, s(a.map_items), a.chunksize) * 1e9)

    out = {
        "peer": "concurrent.futures.ThreadPoolExecutor",
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "workers": a.workers,
        "rounds": a.rounds,
        "counts": {"bulk": s(a.bulk), "round_trips": s(a.round_trips), "map_items": s(a.map_items),
                   "chunksize": a.chunksize},
        "figures": {k: statistics.median(v) for k, v in samples.items()},
        "samples": samples,
        "seconds": time.perf_counter() - start,
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
