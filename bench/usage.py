#!/usr/bin/env python3
"""Request-log and analytics benchmark: `python3 bench/usage.py [--rows N] [--update-readme]`.

1. Writer throughput: `switchyard seed-requests` writes 300,000 rows timestamped as live traffic at
   20,000 requests/s (so each batch covers 50 ms, as in service) through the request-log writer's
   insert-and-rollup path, and reports rows per second.
   Then N rows (default 1,000,000) spread over 30 days are written for the queries.
2. A release gateway is started on that database; the usage API is timed (client-side, over HTTP,
   median and worst of 7 runs) for a 30-day query grouped by model and day, a 30-day query grouped by
   team and model, a 7-day hourly query, and the first page of one key's requests.

Results go to bench/results/ with the commit id; `--update-readme` puts the table in README.md.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

import bench

ROOT = bench.ROOT


def timed_get(port, path, runs=7):
    timings, body = [], None
    for _ in range(runs):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/admin/v1{path}",
                                         headers={"Authorization": f"Bearer {bench.ADMIN_TOKEN}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings), body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--bin")
    options = parser.parse_args()
    bin_dir = options.bin or subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, text=True).strip()
    work = tempfile.mkdtemp(prefix="switchyard-usage-bench-")
    data_dir = os.path.join(work, "var")
    os.makedirs(data_dir)
    database = os.path.join(data_dir, "switchyard.db")
    def seed(path, rows, *shape):
        return json.loads(subprocess.check_output([os.path.join(bin_dir, "switchyard"), "seed-requests", "--db", path, "--rows", str(rows),
                                                   *shape, "--migrations-dir", os.path.join(ROOT, "migrations")]))

    throughput = seed(os.path.join(work, "throughput.db"), 300_000, "--rate", "20000")
    bench.log(f"writer throughput {throughput}")
    seeded = seed(database, options.rows, "--days", "30")
    bench.log(f"seeded {seeded}")
    admin = bench.free_port()
    gateway = subprocess.Popen([os.path.join(bin_dir, "switchyard"), "serve", "--data-dir", data_dir, "--listen", f"127.0.0.1:{bench.free_port()}",
                                "--admin-listen", f"127.0.0.1:{admin}", "--migrations-dir", os.path.join(ROOT, "migrations")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "SWITCHYARD_ADMIN_TOKEN": bench.ADMIN_TOKEN})
    try:
        bench.wait_port(admin)
        now = int(time.time())
        month = urllib.parse.urlencode({"from": now - 30 * 86400, "to": now})
        week = urllib.parse.urlencode({"from": now - 7 * 86400, "to": now})
        queries = [
            ("30 days by model and day", f"/usage?{month}&group_by=model&bucket=day"),
            ("30 days by team and model", f"/usage?{month}&group_by=team,model"),
            ("7 days by provider and hour", f"/usage?{week}&group_by=provider&bucket=hour&limit=1000"),
            ("30 days of one key by day", f"/usage?{month}&key=key_seed_7&bucket=day"),
            ("one key's latest requests", "/requests?key=key_seed_7&limit=100"),
        ]
        rows = []
        for name, path in queries:
            median, worst, body = timed_get(admin, path)
            count = len(body["data"])
            total = body.get("totals", {}).get("requests")
            rows.append((name, median, worst, count, total))
            bench.log(f"{name}: median {median:.1f} ms, worst {worst:.1f} ms, {count} rows")
    finally:
        gateway.kill()
        gateway.wait()
    commit = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    month_ms = rows[0][1]
    lines = [f"Commit `{commit}`, {stamp}: the request-log writer's insert-and-rollup path wrote {throughput['rows']:,} rows of "
             f"live-rate traffic at **{throughput['rows_per_second']:,} rows/s** (target ≥ 20,000); the query database holds "
             f"{seeded['rows']:,} rows over 30 days (written at {seeded['rows_per_second']:,} rows/s).",
             "", "| query | median ms | worst ms | rows | requests covered |", "|---|---|---|---|---|"]
    for name, median, worst, count, total in rows:
        lines.append(f"| {name} | {median:.1f} | {worst:.1f} | {count} | {'' if total is None else f'{total:,}'} |")
    lines += ["", f"30-day usage grouped by model and day: {month_ms:.1f} ms (target < 100 ms): "
                  f"{'**holds**' if month_ms < 100 else '**not yet**'}; writer throughput {'**holds**' if throughput['rows_per_second'] >= 20000 else '**not yet**'}."]
    report = "\n".join(lines) + "\n"
    print(report)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", f"{stamp.replace(':', '')}-{commit}-usage.md"), "w") as f:
        f.write(report)
    if options.update_readme:
        bench.update_readme("usage-bench", report)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
