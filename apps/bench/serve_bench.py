#!/usr/bin/env python3
# Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
"""The service benchmark of `factorize --serve`, every server in one run, on 127.0.0.1:

1. throughput: serve_load sends a fixed count of small requests over N keep-alive
   connections: requests/s, p50 and p99 latency;
2. event-loop lag: every worker saturated with heavy numbers, each server measures how late a
   1 ms timer fires on its event loop (target: p99 <= 1 ms), the async server beside the
   baseline that calls get() on its I/O thread, each with workers at the default priority and
   lowered by --worker-nice.

Servers: factorize --serve (co_await asyncjobs::async_get), factorize --serve --serve-blocking
(the baseline), and serve_peer.py (Python asyncio + aiohttp + run_in_executor on a
ProcessPoolExecutor) on the same request bodies.

    python3 serve_bench.py --factorize build/release/apps/factorize/factorize \
        --load build/release/apps/bench/serve_load --peer apps/bench/serve_peer.py
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys

SMALL = '{"numbers": [12, 35, 97, 1001], "algorithm": "trial"}'
# Primes near 10^12: trial division takes ~2 ms each in C++, ~0.1 s in Python.
HEAVY = '{"numbers": [1000000000039, 1000000000061], "algorithm": "trial"}'


class Server:
    def __init__(self, command):
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if "http://" not in line:
            self.proc.kill()
            sys.exit("serve_bench: %s did not start: %r" % (command[0], line))
        self.port = int(line.split("http://", 1)[1].split()[0].rsplit(":", 1)[1])

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def load(args, port, connections, requests, body, lag=False):
    command = [args.load, "--port", str(port), "--connections", str(connections), "--requests", str(requests),
               "--body", body] + (["--lag"] if lag else [])
    out = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if not out.stdout.strip():
        sys.exit("serve_bench: serve_load failed: " + out.stderr)
    return json.loads(out.stdout)


def python_with_aiohttp():
    """This Python if it has aiohttp, else Debian's (python3-aiohttp), else None."""
    for candidate in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if candidate and subprocess.run([candidate, "-c", "import aiohttp"], capture_output=True).returncode == 0:
            return candidate
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factorize", required=True)
    parser.add_argument("--load", required=True)
    parser.add_argument("--peer", required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000, help="small requests per server")
    parser.add_argument("--heavy-requests", type=int, default=400, help="heavy requests per C++ server")
    parser.add_argument("--peer-heavy-requests", type=int, default=40, help="heavy requests for the Python peer")
    parser.add_argument("--nice", type=int, default=10, help="--worker-nice of the lowered rows")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the throughput runs (medians)")
    parser.add_argument("--no-python", action="store_true")
    args = parser.parse_args()

    w = str(args.workers)
    base = [args.factorize, "--serve", "127.0.0.1:0", "--workers", w, "--max-in-flight", "100000"]
    servers = [
        ("asyncjobs co_await async_get", base),
        ("asyncjobs get() on the io thread (baseline)", base + ["--serve-blocking"]),
    ]
    python = None if args.no_python else python_with_aiohttp()
    if python:
        servers.append(("Python asyncio + aiohttp + ProcessPoolExecutor",
                        [python, args.peer, "--port", "0", "--workers", w]))
    elif not args.no_python:
        print("serve_bench: no Python with aiohttp (apt-get install python3-aiohttp): the Python peer is skipped")

    print("Service benchmark: %d workers, 127.0.0.1, serve_load" % args.workers)
    print("\n1. Small requests %s: %d requests over %d connections, median of %d interleaved rounds"
          % (SMALL, args.requests, args.connections, args.rounds))
    print("%-50s %10s %9s %9s %7s" % ("server", "req/s", "p50 ms", "p99 ms", "errors"))
    running = [(name, Server(command)) for name, command in servers]
    runs = {name: [] for name, _ in servers}
    try:
        for name, server in running:
            load(args, server.port, args.connections, min(400, args.requests), SMALL)  # warm-up: workers started
        for _ in range(args.rounds):
            for name, server in running:
                runs[name].append(load(args, server.port, args.connections, args.requests, SMALL))
    finally:
        for _, server in running:
            server.stop()
    rows = {}
    for name, _ in servers:
        r = {key: statistics.median(run[key] for run in runs[name]) for key in ("rps", "p50_ms", "p99_ms")}
        r["errors"] = sum(run["errors"] for run in runs[name])
        rows[name] = r
        print("%-50s %10.0f %9.2f %9.2f %7d" % (name, r["rps"], r["p50_ms"], r["p99_ms"], r["errors"]))
    first = rows[servers[0][0]]
    for name, _ in servers[1:]:
        print("  asyncjobs co_await vs %s: %.2fx the requests/s" % (name.split(" (")[0], first["rps"] / rows[name]["rps"]))

    print("\n2. Event-loop lag of a 1 ms timer, every worker saturated with %s over %d connections "
          "(target p99 <= 1 ms)" % (HEAVY, 2 * args.workers))
    print("%-50s %6s %8s %9s %9s %9s %8s" % ("server", "nice", "requests", "lag p50", "lag p99", "lag max", "req/s"))
    lag_runs = []
    for name, command in servers:
        is_peer = command[0] == python
        for nice in ([0] if is_peer else [0, args.nice]):
            extra = ([] if is_peer else ["--lag-probe"]) + (["--worker-nice", str(nice)] if nice else [])
            server = Server(command + extra)
            try:
                load(args, server.port, 2 * args.workers, 2 * args.workers, SMALL)  # warm-up
                count = args.peer_heavy_requests if is_peer else args.heavy_requests
                r = load(args, server.port, 2 * args.workers, count, HEAVY, lag=True)
            finally:
                server.stop()
            lag_runs.append((name, nice, r))
            verdict = "meets" if r["lag_p99_ms"] <= 1.0 else "misses"
            print("%-50s %6d %8d %8.3fms %8.3fms %8.3fms %8.1f  %s the 1 ms target" %
                  (name, nice, r["requests"], r["lag_p50_ms"], r["lag_p99_ms"], r["lag_max_ms"], r["rps"], verdict))


if __name__ == "__main__":
    main()
