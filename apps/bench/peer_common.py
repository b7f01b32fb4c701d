"""What the Python peers of the overhead benchmarks share (thread_peer.py, process_peer.py):
the no-op workloads, timed the way the C++ benchmarks time theirs, and the JSON they print.

The workloads take any concurrent.futures executor. noop lives here, so a process pool's
workers unpickle it as peer_common.noop (the peer's directory is on their sys.path).
"""
import argparse
import json
import platform
import statistics
import sys
import time
from concurrent.futures import wait


def noop(x=None):
    return x


def bulk_submit(ex, n):
    """Seconds per task of submitting n no-op tasks, then waiting for all."""
    start = time.perf_counter()
    futures = [ex.submit(noop, i) for i in range(n)]
    wait(futures)
    return (time.perf_counter() - start) / n


def round_trip(ex, n):
    """Median and mean seconds per trip (each trip timed, as the C++ benchmarks do)."""
    clock = time.perf_counter
    trips = []
    for i in range(n):
        start = clock()
        ex.submit(noop, i).result()
        trips.append(clock() - start)
    return statistics.median(trips), statistics.fmean(trips)


def mapped(ex, n, chunksize):
    """Seconds per item of ex.map(noop, range(n), chunksize), every result read."""
    start = time.perf_counter()
    for _ in ex.map(noop, range(n), chunksize=chunksize):
        pass
    return (time.perf_counter() - start) / n


def arguments(description, bulk, round_trips):
    """The options both peers take; each adds its own before parse_args()."""
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply task counts")
    ap.add_argument("--bulk", type=int, default=bulk, help="tasks per bulk run")
    ap.add_argument("--round-trips", type=int, default=round_trips)
    ap.add_argument("--chunksize", type=int, default=1000)
    return ap


def scaled(a, n):
    """A task count multiplied by --scale (at least 1)."""
    return max(1, int(n * a.scale))


def print_report(peer, a, counts, samples, started, **extra):
    """Prints the peer's JSON object: the medians of `samples` as its figures."""
    out = {
        "peer": peer,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        **extra,
        "workers": a.workers,
        "rounds": a.rounds,
        "counts": counts,
        "figures": {k: statistics.median(v) for k, v in samples.items()},
        "samples": samples,
        "seconds": time.perf_counter() - started,
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
