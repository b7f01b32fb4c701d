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
import time
from concurrent.futures import ThreadPoolExecutor

from peer_common import arguments, bulk_submit, mapped, print_report, round_trip, scaled


def main():
    ap = arguments(__doc__, bulk=50000, round_trips=10000)
    ap.add_argument("--map-items", type=int, default=50000)
    a = ap.parse_args()

    def s(n):
        return scaled(a, n)

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

    counts = {"bulk": s(a.bulk), "round_trips": s(a.round_trips), "map_items": s(a.map_items),
              "chunksize": a.chunksize}
    print_report("concurrent.futures.ThreadPoolExecutor", a, counts, samples, start)


if __name__ == "__main__":
    main()
