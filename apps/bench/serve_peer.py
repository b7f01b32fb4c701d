#!/usr/bin/env python3
# Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
"""The Python peer of `factorize --serve`: asyncio + aiohttp, every number run on a
ProcessPoolExecutor through loop.run_in_executor, awaited with asyncio.gather.

POST /factorize takes the same body ({"numbers": [...], "algorithm": "trial"|"rho"}) and
answers the same document shape; rho falls back to trial division here (Python has no
cheap 128-bit mulmod), so give both servers "trial" to compare like with like. GET /lag
reports (and resets) how late a 1 ms asyncio timer fired, like `factorize --lag-probe`.
Prints "serve_peer: serving on http://127.0.0.1:PORT" once it listens. Loopback only.

    python3 serve_peer.py --port 0 --workers 2
"""
import argparse
import asyncio
import json
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from aiohttp import web

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from factorize_peer import factorize_naive  # noqa: E402  (the study's trial division)


def factor_item(n):
    return factorize_naive(n)


def bad(message, status=400):
    return web.json_response({"error": message}, status=status)


class Peer:
    def __init__(self, workers, max_numbers):
        self.pool = ProcessPoolExecutor(max_workers=workers)
        self.workers = workers
        self.max_numbers = max_numbers
        self.lag = []

    async def factorize(self, request):
        started = time.perf_counter()
        try:
            doc = json.loads(await request.read())
        except ValueError as e:
            return bad("request body: not JSON (%s)" % e)
        if not isinstance(doc, dict) or not isinstance(doc.get("numbers"), list) or not doc["numbers"]:
            return bad('request body: send {"numbers": [12, 35]}')
        numbers = doc["numbers"]
        if len(numbers) > self.max_numbers:
            return bad("too many numbers", 413)
        algorithm = doc.get("algorithm", "rho")
        values = []
        for i, token in enumerate(numbers):
            try:
                value = int(token) if isinstance(token, (int, str)) and not isinstance(token, bool) else None
            except ValueError:
                value = None
            if value is None or value < 0 or value >= 1 << 64:
                return bad('numbers[%d]: "%s" is not a number' % (i, token))
            values.append(value)
        loop = asyncio.get_running_loop()
        outcomes = await asyncio.gather(*(loop.run_in_executor(self.pool, factor_item, n) for n in values),
                                        return_exceptions=True)
        results = []
        failed = 0
        for n, outcome in zip(values, outcomes):
            if isinstance(outcome, BaseException):
                failed += 1
                results.append({"n": n, "error": str(outcome)})
            else:
                results.append({"n": n, "factors": outcome})
        return web.json_response({"executor": "processes", "mode": "as-completed", "algorithm": algorithm,
                                  "workers": self.workers, "count": len(values), "failed": failed,
                                  "seconds": time.perf_counter() - started, "results": results})

    async def healthz(self, request):
        return web.json_response({"status": "ok"})

    async def lag_report(self, request):
        samples, self.lag = sorted(self.lag), []
        at = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] if samples else 0.0  # noqa: E731
        return web.json_response({"samples": len(samples), "p50_ms": at(0.5), "p99_ms": at(0.99),
                                  "max_ms": samples[-1] if samples else 0.0})

    async def probe_lag(self):
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + 0.001
            await asyncio.sleep(0.001)
            self.lag.append(max(0.0, (loop.time() - due) * 1000.0))


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--max-numbers", type=int, default=10000)
    args = parser.parse_args()
    peer = Peer(args.workers, args.max_numbers)
    # Start every worker now, as the C++ pool's would be after its first requests.
    await asyncio.gather(*(asyncio.get_running_loop().run_in_executor(peer.pool, factor_item, 12)
                           for _ in range(args.workers)))
    app = web.Application()
    app.add_routes([web.post("/factorize", peer.factorize), web.get("/healthz", peer.healthz),
                    web.get("/lag", peer.lag_report)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", args.port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print("serve_peer: serving on http://127.0.0.1:%d" % port, flush=True)
    probe = asyncio.create_task(peer.probe_lag())
    # SIGTERM and SIGINT stop it cleanly, so that the pool's workers do not outlive it.
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        probe.cancel()
        await runner.cleanup()
        peer.pool.shutdown(cancel_futures=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
