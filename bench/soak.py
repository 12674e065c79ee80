#!/usr/bin/env python3
"""Soak: `python3 bench/soak.py [--seconds 300] [--workers 8]` (or `make soak`).

Three deployments of one public model on three mock-llm instances, mixed streamed and whole requests from
several clients for the whole run, while the third deployment flaps every 20 s between healthy and failing
(HTTP 500, then connection resets). Counts what clients saw: every request must succeed while a healthy
candidate exists, so the expected client-visible error count is 0. Appends the report to bench/results/.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

FLAP_SECONDS = 20
FAILURES = ["mock-demo:status=500", "mock-demo:fault=reset"]


def request(port, stream):
    body = json.dumps({"model": "soak", "stream": stream, "messages": [{"role": "user", "content": "soak test"}]}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", data=body, method="POST",
                                 headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            text = response.read().decode()
            ok = response.status == 200 and (not stream or text.rstrip().endswith("data: [DONE]"))
            return ok, response.headers.get("x-switchyard-provider"), int(response.headers.get("x-switchyard-attempts", "0"))
    except (urllib.error.URLError, OSError):
        return False, None, 0


def commit_id():
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=bench.ROOT, capture_output=True, text=True).stdout.strip() or "unknown"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    bin_dir = subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], cwd=bench.ROOT, text=True).strip()
    subprocess.check_call(["swift", "build", "-c", "release"], cwd=bench.ROOT, stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="switchyard-soak-")
    processes = []
    try:
        mocks = []
        for _ in range(3):
            port = bench.free_port()
            processes.append(subprocess.Popen([os.path.join(bin_dir, "mock-llm"), "--listen", f"127.0.0.1:{port}", "--chunks", "8",
                                               "--interval-ms", "5"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            mocks.append(port)
        data, admin_port = bench.free_port(), bench.free_port()
        processes.append(subprocess.Popen([os.path.join(bin_dir, "switchyard"), "serve", "--data-dir", os.path.join(work, "var"),
                                           "--listen", f"127.0.0.1:{data}", "--admin-listen", f"127.0.0.1:{admin_port}",
                                           "--migrations-dir", os.path.join(bench.ROOT, "migrations")],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          env={**os.environ, "SWITCHYARD_ADMIN_TOKEN": bench.ADMIN_TOKEN}))
        for port in mocks + [data, admin_port]:
            bench.wait_port(port)
        flapping = None
        for index, port in enumerate(mocks):
            bench.admin(admin_port, "POST", "/providers", {"name": f"p{index}", "kind": "openai_compatible",
                                                          "base_url": f"http://127.0.0.1:{port}/v1",
                                                          "timeouts": {"first_byte_ms": 2000, "total_ms": 10000}})
            model = bench.admin(admin_port, "POST", "/models", {"name": "soak", "provider": f"p{index}", "upstream_model": "mock-demo",
                                                                   "pricing": bench.PRICING})
            flapping = model["id"]
        bench.admin(admin_port, "PUT", "/routes/soak", {"strategy": "round_robin"})

        stop = time.monotonic() + args.seconds
        results = Counter()
        providers = Counter()
        lock = threading.Lock()

        def worker(number):
            count = 0
            while time.monotonic() < stop:
                ok, provider, attempts = request(data, stream=(count + number) % 2 == 0)
                count += 1
                with lock:
                    results["requests"] += 1
                    results["ok" if ok else "client_errors"] += 1
                    if attempts > 1:
                        results["failed_over"] += 1
                    if provider:
                        providers[provider] += 1

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.workers)]
        for thread in threads:
            thread.start()
        flaps = 0
        while time.monotonic() < stop:
            time.sleep(min(FLAP_SECONDS, max(0, stop - time.monotonic())))
            if time.monotonic() >= stop:
                break
            failing = flaps % 2 == 0
            upstream = FAILURES[(flaps // 2) % len(FAILURES)] if failing else "mock-demo"
            bench.admin(admin_port, "PATCH", f"/models/{flapping}", {"upstream_model": upstream})
            bench.log(f"flap {flaps + 1}: deployment p2 now {'failing (' + upstream + ')' if failing else 'healthy'}")
            flaps += 1
        for thread in threads:
            thread.join()
        health = json.loads(urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{admin_port}/admin/v1/health", headers={"authorization": f"Bearer {bench.ADMIN_TOKEN}"})).read())
        report = (f"Soak at `{commit_id()}`, {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}: {args.seconds} s, "
                  f"{args.workers} clients (half streaming), deployment p2 of 3 flapping every {FLAP_SECONDS} s ({flaps} flaps: "
                  f"HTTP 500, then connection resets).\n\n"
                  f"| requests | succeeded | client-visible errors | served after a failover | by provider |\n|---|---|---|---|---|\n"
                  f"| {results['requests']:,} | {results['ok']:,} | {results['client_errors']} | {results['failed_over']:,} | "
                  f"{', '.join(f'{p}: {n:,}' for p, n in sorted(providers.items()))} |\n\n"
                  f"Breakers at the end: {', '.join(d['provider'] + ' ' + d['circuit'] for d in health['deployments'])}.\n")
        print(report)
        os.makedirs(os.path.join(bench.ROOT, "bench", "results"), exist_ok=True)
        with open(os.path.join(bench.ROOT, "bench", "results", time.strftime("soak-%Y-%m-%dT%H%M%SZ.md", time.gmtime())), "w") as out:
            out.write(report)
        return 0 if results["client_errors"] == 0 else 1
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
