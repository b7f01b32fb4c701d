#!/usr/bin/env python3
"""Python peer of `factorize --bench`: the study of parallel factorization with
concurrent.futures, on the same workload as the C++ side.

The workload is `--count` numbers from splitmix64 seeded with `--seed`, each
min + x % (max - min + 1), exactly as apps/factorize/workload.cpp makes them, so a
prefix of the C++ bench workload is the same list of numbers. Factorization is the
study's trial division (factorize_naive). The drivers are the study's two, on a
ProcessPoolExecutor: "chunked" (one equal chunk per worker, dicts merged with
as_completed) and "map" (executor.map with --chunksize values), plus "serial".

With --pool mpi4py the pool is mpi4py.futures' MPIPoolExecutor instead (Debian's
python3-mpi4py), on the worker ranks of an MPI job started as
  mpirun -n 3 python3 -m mpi4py.futures factorize_peer.py --pool mpi4py --workers 2
(rank 0 runs this script; `factorize --bench` under mpirun starts it so, for its mpi rows).

Prints one JSON object a line, one per driver run:
  {"driver": "map", "workers": 2, "chunksize": 1, "count": 3000,
   "seconds": 1.234, "checksum": 123456789, "pool": "processes"}
checksum = sum over all numbers (duplicates included) of the sum of their prime
factors, modulo 2**64: the C++ side computes the same and compares.
"""
import argparse
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

MASK = (1 << 64) - 1


def splitmix64(seed):
    state = seed & MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def workload(count, lo, hi, seed):
    if lo > hi:
        sys.exit(f"--min {lo} is larger than --max {hi}")
    span = (hi - lo + 1) & MASK  # 0 when the range is all 2**64 values
    rng = splitmix64(seed)
    return [lo + next(rng) % span if span else next(rng) for _ in range(count)]


def factorize_naive(n):
    if n < 2:
        return []
    factors = []
    p = 2
    while True:
        if n == 1:
            return factors
        r = n % p
        if r == 0:
            factors.append(p)
            n = n // p
        elif p * p >= n:
            factors.append(n)
            return factors
        elif p > 2:
            p += 2
        else:
            p += 1


def chunked_worker(nums):
    return {n: factorize_naive(n) for n in nums}


def factorize_chunked(executor, nums, workers):
    chunksize = int(math.ceil(len(nums) / float(workers)))
    futures = [executor.submit(chunked_worker, nums[chunksize * i: chunksize * (i + 1)])
               for i in range(workers)]
    result = {}
    for f in as_completed(futures):
        result.update(f.result())
    return result


def factorize_map(executor, nums, chunksize):
    return dict(zip(nums, executor.map(factorize_naive, nums, chunksize=chunksize)))


def checksum(nums, result):
    # Over the input list, not the dict: repeated numbers count every time they appear.
    return sum(sum(result[n]) for n in nums) & MASK


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--min", type=int, default=10**9)
    ap.add_argument("--max", type=int, default=10**10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--drivers", default="serial,chunked,map",
                    help="comma-separated: serial, chunked, map")
    ap.add_argument("--chunksizes", default="1,1024", help="map chunksizes, comma-separated")
    ap.add_argument("--pool", choices=("processes", "mpi4py"), default="processes",
                    help="ProcessPoolExecutor, or mpi4py.futures' MPIPoolExecutor (under mpirun -m mpi4py.futures)")
    ap.add_argument("--emit", action="store_true", help="print the workload, one number a line, and exit")
    a = ap.parse_args()
    if a.pool == "mpi4py":
        from mpi4py.futures import MPIPoolExecutor as pool
    else:
        pool = ProcessPoolExecutor
    nums = workload(a.count, a.min, a.max, a.seed)
    if a.emit:
        sys.stdout.write("".join(f"{n}\n" for n in nums))
        return

    def report(driver, workers, chunksize, seconds, result):
        print(json.dumps({"driver": driver, "workers": workers, "chunksize": chunksize, "count": len(nums),
                          "seconds": round(seconds, 6), "checksum": checksum(nums, result), "pool": a.pool}),
              flush=True)

    for driver in a.drivers.split(","):
        if driver == "serial":
            start = time.perf_counter()
            result = {n: factorize_naive(n) for n in nums}
            report("serial", 1, 0, time.perf_counter() - start, result)
        elif driver == "chunked":
            start = time.perf_counter()
            with pool(max_workers=a.workers) as ex:
                result = factorize_chunked(ex, nums, a.workers)
            report("chunked", a.workers, 0, time.perf_counter() - start, result)
        elif driver == "map":
            for chunksize in (int(c) for c in a.chunksizes.split(",")):
                start = time.perf_counter()
                with pool(max_workers=a.workers) as ex:
                    result = factorize_map(ex, nums, chunksize)
                report("map", a.workers, chunksize, time.perf_counter() - start, result)
        else:
            sys.exit(f"unknown driver {driver!r}")


if __name__ == "__main__":
    main()
