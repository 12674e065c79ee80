#!/usr/bin/env python3
"""Profile Switchyard under one wrk load: `python3 bench/profile.py plain|sse [connections]`.

Starts the same nginx mock upstream and release Switchyard as `make bench`, records
`perf record -e cpu-clock -g` on the gateway while wrk runs, and prints the hottest symbols
(self time) and the share per library.
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else "plain"
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    bin_dir = subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], cwd=bench.ROOT, text=True).strip()
    work = tempfile.mkdtemp(prefix="switchyard-profile-")
    bench.write_fixtures(work)
    up, sy, admin = bench.free_port(), bench.free_port(), bench.free_port()
    upstream = bench.mock_upstream(work, up)
    gateway = subprocess.Popen(bench.gateway_command(bin_dir, work, f"127.0.0.1:{sy}", f"127.0.0.1:{admin}"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=bench.GATEWAY_ENV)
    try:
        for port in (up, sy, admin):
            bench.wait_port(port)
        path = "/v1" if kind == "plain" else "/sse/v1"
        bench.admin(admin, "POST", "/providers", {"name": "p", "kind": "openai_compatible", "base_url": f"http://127.0.0.1:{up}{path}"})
        bench.admin(admin, "POST", "/models", {"name": "bench" if kind == "plain" else "bench-sse", "provider": "p", "pricing": bench.PRICING})
        script = os.path.join(work, "request.json.lua" if kind == "plain" else "request-sse.json.lua")
        bench.wrk(sy, "/v1/chat/completions", script, connections, 1)
        data = os.path.join(work, "perf.data")
        recorder = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "4000", "-g", "-p", str(gateway.pid), "-o", data,
                                     "--", "sleep", "5"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        target = bench.Target("switchyard", sy, gateway.pid, {})
        result = bench.measured(target, lambda: bench.wrk(sy, "/v1/chat/completions", script, connections, 4))
        print({**result, "cpu_us_per_request": round(result["cpu_s"] * 1e6 / max(result["requests"], 1), 1)})
        recorder.wait()
        print(subprocess.run(["perf", "report", "-i", data, "--children", "--sort", "symbol", "--stdio"], capture_output=True,
                             text=True).stdout.count("\n") and "" or "", end="")
        for sort in ("dso", "symbol"):
            report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", sort, "--stdio"],
                                    capture_output=True, text=True).stdout
            print("\n".join(line[:160] for line in report.splitlines() if line.strip()[:1].isdigit())[:4000])
        if os.environ.get("KEEP_PERF"):
            print("perf data:", data)
            return
    finally:
        gateway.kill()
        upstream.terminate()
        upstream.wait()


if __name__ == "__main__":
    main()
