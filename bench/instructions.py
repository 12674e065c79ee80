#!/usr/bin/env python3
"""Instructions per request, counted exactly: `python3 bench/instructions.py [--stream] [--bin DIR] [--connections N] [--seconds S]`.

Runs the release gateway under `valgrind --tool=callgrind` against the benchmark's nginx mock upstream, drives it
with wrk, and prints what the event loops and the request-log writer executed per request: instructions, heap
allocations and reference-count retains, then each one's heaviest functions; the callgrind files stay for
`callgrind_annotate`. Wall-clock CPU figures on this shared VM swing by 10-20 % between runs; these counts repeat to within about 1 %, so a change worth 2 % shows. `--stream`
measures the benchmark's 22-event SSE answer instead of the plain one. Compare two builds with `--bin` (a directory
holding `switchyard`).
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

TOP_FUNCTIONS = 25


def thread_role(path):
    """`loop`, `writer` or None, from the functions a callgrind per-thread file names."""
    with open(path, errors="replace") as f:
        text = f.read()
    if "RequestLogWriterC3run" in text:
        return "writer"
    if "EventLoopC3run" in text and "ChatCompletionsHandler" in text:
        return "loop"
    return None


def total_instructions(path):
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("summary:"):
                return int(line.split()[1])
    return 0


def calls_into(annotated, function):
    """How many calls reached `function`, summed over its callers in a `--tree=caller` listing."""
    for block in annotated.split("\n\n"):
        lines = block.strip().splitlines()
        target = [line for line in lines if "*  " in line]
        if target and function in target[0]:
            return sum(int(m.group(1).replace(",", "")) for line in lines for m in [re.search(r"<.*\(([\d,]+)x\)", line)] if m)
    return 0


def annotate(path, *options):
    return subprocess.run(["callgrind_annotate", "--threshold=100", "--auto=no", *options, path],
                          capture_output=True, text=True).stdout


def print_heaviest(role, files, requests):
    """The heaviest functions (self instructions a request) of the busiest thread playing `role`."""
    if not files:
        return
    files = sorted(files, key=total_instructions, reverse=True)
    share = total_instructions(files[0]) / sum(total_instructions(path) for path in files)
    print(f"\nheaviest functions of the busiest {role} thread (self instructions a request, approximate: {share:.0%} of the requests):")
    listing = annotate(files[0]).split("file:function")[-1]
    thread_entry = ("clone", "start_thread", "startThread", "EventLoopC5start", "RequestLogWriterC8database")
    rows = [line for line in listing.splitlines()
            if re.match(r"\s*[\d,]+ \(", line) and not any(name in line for name in thread_entry)][:TOP_FUNCTIONS]
    for line in rows:
        count = int(line.split()[0].replace(",", ""))
        name = line[line.index(")") + 1:].strip().replace(bench.ROOT + "/Sources/", "")
        print(f"{count / (requests * share):>9,.0f}  {name[:140]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=None, help="directory with a release switchyard (default: swift build -c release)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--stream", action="store_true", help="the 22-event SSE answer instead of the plain one")
    args = parser.parse_args()
    bin_dir = args.bin or subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], cwd=bench.ROOT, text=True).strip()
    work = tempfile.mkdtemp(prefix="switchyard-instructions-")
    bench.write_fixtures(work)
    up, sy, admin = bench.free_port(), bench.free_port(), bench.free_port()
    upstream = bench.mock_upstream(work, up)
    out = os.path.join(work, "callgrind.out")
    gateway = subprocess.Popen(["valgrind", "--tool=callgrind", "--separate-threads=yes", f"--callgrind-out-file={out}",
                                *bench.gateway_command(bin_dir, work, f"127.0.0.1:{sy}", f"127.0.0.1:{admin}")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=bench.GATEWAY_ENV)
    try:
        for port in (up, sy, admin):
            bench.wait_port(port, timeout=120)
        path = "/sse/v1" if args.stream else "/v1"
        bench.admin(admin, "POST", "/providers", {"name": "fast", "kind": "openai_compatible", "base_url": f"http://127.0.0.1:{up}{path}"})
        bench.admin(admin, "POST", "/models", {"name": "bench-sse" if args.stream else "bench", "provider": "fast",
                                               "upstream_model": "bench-upstream", "pricing": bench.PRICING})
        script = os.path.join(work, "request-sse.json.lua" if args.stream else "request.json.lua")
        bench.wrk(sy, "/v1/chat/completions", script, args.connections, 3)  # warm-up: pools, caches, first batches
        subprocess.run(["callgrind_control", "--zero", str(gateway.pid)], capture_output=True, check=True)
        requests = bench.wrk(sy, "/v1/chat/completions", script, args.connections, args.seconds)["requests"]
        time.sleep(1)  # the writer's last batch of the window
        subprocess.run(["callgrind_control", "--dump", str(gateway.pid)], capture_output=True, check=True)
        dumps = [path for path in glob.glob(out + ".*-*") if total_instructions(path) > 0]
        roles = {path: thread_role(path) for path in dumps}
        print(f"{requests:,} {'22-event streams' if args.stream else 'requests'} at {args.connections} connections under callgrind ({bin_dir})")
        for role in ("loop", "writer"):
            files = [path for path, found in roles.items() if found == role]
            if not files:
                continue
            instructions = sum(total_instructions(path) for path in files)
            trees = [annotate(path, "--tree=caller") for path in files]
            allocations = sum(calls_into(tree, "swift_allocObject [") for tree in trees)
            retains = sum(calls_into(tree, "swift_retain [") for tree in trees)
            print(f"{role + 's' if role == 'loop' else role:8} {instructions / requests:>9,.0f} instructions, "
                  f"{allocations / requests:5.1f} allocations, {retains / requests:6.1f} retains a request")
        for role in ("loop", "writer"):
            print_heaviest(role, [path for path, found in roles.items() if found == role], requests)
        print(f"\ncallgrind files: {out}.*")
    finally:
        gateway.terminate()
        try:
            gateway.wait(timeout=60)
        except subprocess.TimeoutExpired:
            gateway.kill()
        upstream.terminate()
        upstream.wait()


if __name__ == "__main__":
    main()
