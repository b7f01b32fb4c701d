#!/usr/bin/env python3
"""Python peer of bench_process_pool: the same no-op and echo workloads on
concurrent.futures.ProcessPoolExecutor, printed as one JSON object on stdout.

Figures (medians over --rounds runs, after one warm-up on the same pool):
  submit_bulk_us_per_task   submit N no-op tasks, then wait for all (us per task)
  round_trip_us             submit one task, wait for its result, repeat (median us per trip;
                            round_trip_mean_us is the mean)
  map_chunksize_1_us_per_item
                            ex.map(noop, range(N), chunksize=1), every result read
  map_chunked_us_per_item   the same with chunksize=--chunksize (default 1000; Python has
                            no automatic chunk size)
  echo_mb_per_s             a bytes object of --echo-bytes (10 MiB) sent to a worker and
                            returned; payload bytes / round-trip time, MB = 10^6 bytes
  start_task_stop_ms        `with ProcessPoolExecutor(W) as ex: ex.submit(noop).result()`:
                            pool start, first result, shutdown (ms), with the payload freed

bench_process_pool runs this once per round (--rounds 1) when python3 is on PATH and
shows our speedup over it; run it alone for Python's figures.
"""
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor, wait

from peer_common import arguments, bulk_submit, mapped, noop, print_report, round_trip, scaled


def echo(ex, payload, reps):
    """Bytes per second of payload, the median of `reps` timed round trips."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        back = ex.submit(noop, payload).result()
        times.append(time.perf_counter() - start)
        assert len(back) == len(payload)
    return len(payload) / statistics.median(times)


def lifecycle(workers, reps):
    """Median seconds of pool start + first result + shutdown."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        with ProcessPoolExecutor(workers) as ex:
            ex.submit(noop).result()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    ap = arguments(__doc__, bulk=5000, round_trips=2000)
    ap.add_argument("--map-items-1", type=int, default=5000, help="items of the chunksize-1 map")
    ap.add_argument("--map-items", type=int, default=500000, help="items of the chunked map")
    ap.add_argument("--echo-bytes", type=int, default=10 * 2**20)
    ap.add_argument("--echo-reps", type=int, default=10)
    ap.add_argument("--lifecycles", type=int, default=5)
    a = ap.parse_args()

    def s(n):
        return scaled(a, n)

    keys = ["submit_bulk_us_per_task", "round_trip_us", "round_trip_mean_us", "map_chunksize_1_us_per_item",
            "map_chunked_us_per_item", "echo_mb_per_s", "start_task_stop_ms"]
    samples = {k: [] for k in keys}
    start = time.perf_counter()
    for _ in range(max(1, a.rounds)):
        payload = b"x" * a.echo_bytes
        with ProcessPoolExecutor(a.workers) as ex:
            # Warm-up: workers started, code paths hot, a first large payload through.
            wait([ex.submit(noop, i) for i in range(a.workers * 4)])
            bulk_submit(ex, s(a.bulk) // 10 + 1)
            ex.submit(noop, payload).result()
            samples["submit_bulk_us_per_task"].append(bulk_submit(ex, s(a.bulk)) * 1e6)
            trip_median, trip_mean = round_trip(ex, s(a.round_trips))
            samples["round_trip_us"].append(trip_median * 1e6)
            samples["round_trip_mean_us"].append(trip_mean * 1e6)
            samples["map_chunksize_1_us_per_item"].append(mapped(ex, s(a.map_items_1), 1) * 1e6)
            samples["map_chunked_us_per_item"].append(mapped(ex, s(a.map_items), a.chunksize) * 1e6)
            samples["echo_mb_per_s"].append(echo(ex, payload, max(1, s(a.echo_reps))) / 1e6)
        # Forking costs in proportion to what the parent holds: start pools without the payload.
        del payload
        samples["start_task_stop_ms"].append(lifecycle(a.workers, max(1, s(a.lifecycles))) * 1e3)

    counts = {"bulk": s(a.bulk), "round_trips": s(a.round_trips), "map_items_1": s(a.map_items_1),
              "map_items": s(a.map_items), "chunksize": a.chunksize, "echo_bytes": a.echo_bytes,
              "echo_reps": max(1, s(a.echo_reps)), "lifecycles": max(1, s(a.lifecycles))}
    print_report("concurrent.futures.ProcessPoolExecutor", a, counts, samples, start,
                 start_method=multiprocessing.get_start_method())


if __name__ == "__main__":
    main()
