#!/usr/bin/env python3
"""make bench: Switchyard against the physical floor (an nginx proxy hop), on loopback, in one run.

Starts a fast nginx mock upstream (a fixed 733-byte chat.completion and a static 22-event SSE body),
mock-llm for paced streams, an nginx proxy_pass hop with upstream keep-alive (the floor) and a
release-built Switchyard routed to the same upstreams; drives each with the same load (wrk, and
bench/loadgen.c for open-loop, paced-stream and idle-connection shapes) and prints one table. Each scenario runs
`--rounds` times (3) with the targets taking turns, and the table shows each figure's median.
Results are appended to bench/results/ with the commit id; `--update-readme` puts the table in README.md.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICKS = os.sysconf("SC_CLK_TCK")
ADMIN_TOKEN = "sy-admin-benchmark-token-0000"
PACED_UPSTREAM_MODEL = "mock-demo:chunks=250:interval=20"
# Every benchmarked model is priced: new installs refuse unpriced models (unpriced_policy: block).
PRICING = {"input_per_mtok": 1.5, "output_per_mtok": 6}


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"port {port} never opened")


def read(directory, name):
    """A fixture's text for an nginx `return` string (nginx caps a config token at 4 KB)."""
    with open(os.path.join(directory, name)) as f:
        text = f.read()
    assert len(text) < 4000 and "'" not in text and "$" not in text, name
    return text


def process_tree(pid):
    """`pid` and its children (nginx master and workers)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(entry))
            except (OSError, IndexError):
                pass
    return pids


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / TICKS


def memory_kib(pids, field):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class Target:
    """One thing under load: its base URL, the paths it serves, and the processes whose CPU and memory count."""

    def __init__(self, name, port, pid, paths):
        self.name, self.port, self.pid, self.paths = name, port, pid, paths

    @property
    def pids(self):
        return process_tree(self.pid) if self.pid else []


def write_fixtures(directory):
    content = "x"
    def completion(text):
        return json.dumps({"id": "chatcmpl-bench", "object": "chat.completion", "created": 1700000000, "model": "bench-upstream",
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "logprobs": None,
                                        "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 12, "completion_tokens": 40, "total_tokens": 52}}, separators=(",", ":"))
    content = "x" * (733 - len(completion("")))
    body = completion(content)
    assert len(body) == 733
    with open(os.path.join(directory, "completion.json"), "w") as f:
        f.write(body)
    events = []
    for index in range(20):
        delta = {"role": "assistant", "content": ""} if index == 0 else {"content": f" token{index}"}
        events.append({"id": "c1", "object": "chat.completion.chunk", "created": 1700000000, "model": "m",
                       "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    events.append({"id": "c1", "object": "chat.completion.chunk", "created": 1700000000, "model": "m",
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 12, "completion_tokens": 20, "total_tokens": 32}})
    sse = "".join(f"data: {json.dumps(e, separators=(',', ':'))}\n\n" for e in events) + "data: [DONE]\n\n"
    with open(os.path.join(directory, "stream.sse"), "w") as f:
        f.write(sse)
    request = {"model": "bench", "messages": [{"role": "system", "content": "You are terse."},
                                              {"role": "user", "content": "Summarise the benefits of a gateway in one line."}],
               "max_tokens": 64}
    for name, model, stream in [("request.json", "bench", False), ("request-sse.json", "bench-sse", True),
                                ("request-paced.json", "paced", True), ("request-paced-direct.json", PACED_UPSTREAM_MODEL, True)]:
        with open(os.path.join(directory, name), "w") as f:
            json.dump({**request, "model": model, "stream": stream}, f)
    for name in ["request.json", "request-sse.json"]:
        with open(os.path.join(directory, name)) as f:
            payload = f.read()
        with open(os.path.join(directory, name + ".lua"), "w") as f:
            f.write(f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[{payload}]==]\n')
    return len(events) + 1


def start_nginx(directory, name, body):
    os.makedirs(os.path.join(directory, name), exist_ok=True)
    conf = os.path.join(directory, name, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes {'1' if name == 'upstream' else 'auto'};
daemon off;
pid {directory}/{name}/nginx.pid;
error_log {directory}/{name}/error.log error;
worker_rlimit_nofile 65536;
events {{ worker_connections 16384; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path {directory}/{name};
  proxy_temp_path {directory}/{name};
  {body}
}}
""")
    process = subprocess.Popen(["nginx", "-p", os.path.join(directory, name), "-c", conf], stderr=subprocess.DEVNULL)
    return process


def mock_upstream(directory, port):
    """The fast nginx mock upstream: the fixed 733-byte chat.completion at /v1 and the 22-event SSE body at /sse/v1."""
    return start_nginx(directory, "upstream", f"""
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    location = /v1/chat/completions {{ default_type application/json; return 200 '{read(directory, "completion.json")}'; }}
    location = /sse/v1/chat/completions {{ default_type text/event-stream; return 200 '{read(directory, "stream.sse")}'; }}
  }}""")


def gateway_command(bin_dir, directory, listen, admin_listen):
    """`switchyard serve` on a fresh data directory under `directory`, with the repository's migrations."""
    return [os.path.join(bin_dir, "switchyard"), "serve", "--data-dir", os.path.join(directory, "var"),
            "--listen", listen, "--admin-listen", admin_listen, "--migrations-dir", os.path.join(ROOT, "migrations")]


GATEWAY_ENV = {**os.environ, "SWITCHYARD_ADMIN_TOKEN": ADMIN_TOKEN, "OPENAI_API_KEY": ""}


def admin(port, method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/admin/v1{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def wrk(port, path, script, connections, seconds):
    threads = 1 if connections == 1 else 2
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", script,
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 1, "ms": 1000, "s": 1e6}[unit]
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    for pattern in [r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"]:
        match = re.search(pattern, out)
        if match:
            errors += sum(int(g) for g in match.groups())
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "requests": requests,
            "p50": latency("50"), "p99": latency("99"), "errors": errors}


def measured(target, run):
    """Runs `run()` while sampling the target's CPU time and peak RSS."""
    pids = target.pids
    before = cpu_seconds(pids)
    result = run()
    result["cpu_s"] = cpu_seconds(pids) - before
    result["rss_kib"] = memory_kib(pids, "VmRSS")
    return result


def median_of(runs):
    """One figure per metric from interleaved rounds: the median of each number, errors added up, the rest from the
    first round. On this shared machine a single round's tail can swing by milliseconds; the median of three does not
    decide a target on one unlucky round."""
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values = [r[key] for r in runs if r.get(key) is not None]
            out[key] = statistics.median(values) if values else None
    for key in ("errors", "failed", "unfinished"):
        if key in out:
            out[key] = sum(r[key] for r in runs)
    out["rounds"] = len(runs)
    out["total"] = sum(r.get("requests", r.get("completed", 0)) for r in runs)
    return out


def loadgen(*args):
    out = subprocess.run([LOADGEN, *map(str, args)], capture_output=True, text=True, timeout=300).stdout
    return json.loads(out.strip().splitlines()[-1])


def fmt_us(value):
    return "-" if value is None else f"{value:,.0f}"


def logged_rows(database):
    """Rows in the request log, read the way an operator's script would (a second SQLite connection)."""
    import sqlite3
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT count(*) FROM requests").fetchone()[0]
    finally:
        connection.close()


def verdict(holds):
    if holds is None:
        return "inconclusive"
    return "holds" if holds else "**not yet**"


def tail_verdict(added_us, limit_us):
    """Added tail latency is a difference of two runs' tails: negative means the baseline's own tail was worse
    (the machine, not the gateway), which proves nothing either way."""
    return None if added_us < 0 else added_us <= limit_us


def targets_table(facts):
    """The issue's targets, each with this run's figures and whether it holds."""
    def f(key):
        return facts[key]
    hop32, sy32 = f("plain-32-nginx hop"), f("plain-32-switchyard")
    hop1, sy1, direct1 = f("plain-1-nginx hop"), f("plain-1-switchyard"), f("plain-1-direct")
    hop_sse, sy_sse = f("sse-32-nginx hop"), f("sse-32-switchyard")
    added_hop = hop1["p50"] - direct1["p50"]
    added_sy = sy1["p50"] - direct1["p50"]
    loop = facts["open_loop"]
    loop_added = loop["switchyard"]["p99_us"] - loop["direct"]["p99_us"]
    paced = facts["paced"]
    paced_added = paced["switchyard"]["gap_p99_us"] - paced["direct"]["gap_p99_us"]
    rows = [
        ("CPU per non-streaming request ≤ 2× the hop", sy32["cpu_us"] <= 2 * hop32["cpu_us"],
         f"{sy32['cpu_us']:.0f} vs {hop32['cpu_us']:.0f} µs at 32 connections ({sy32['cpu_us'] / hop32['cpu_us']:.1f}×)"),
        ("CPU per 22-event stream ≤ 2× the hop", sy_sse["cpu_us"] <= 2 * hop_sse["cpu_us"],
         f"{sy_sse['cpu_us']:.0f} vs {hop_sse['cpu_us']:.0f} µs ({sy_sse['cpu_us'] / hop_sse['cpu_us']:.1f}×)"),
        ("added p50 at 1 connection ≤ 2× the hop's and ≤ 60 µs", added_sy <= 2 * added_hop and added_sy <= 60,
         f"{added_sy:.0f} vs {added_hop:.0f} µs"),
        (f"open-loop p99 added ≤ 1 ms at {loop['rate']:,}/s (half of saturation)", tail_verdict(loop_added, 1000),
         f"{loop_added / 1000:.1f} ms (p99 {loop['switchyard']['p99_us'] / 1000:.1f} vs direct {loop['direct']['p99_us'] / 1000:.1f} ms)"),
        ("RPS at 32 connections ≥ 60 % of the hop", sy32["rps"] >= 0.6 * hop32["rps"],
         f"{sy32['rps']:,.0f} vs {hop32['rps']:,.0f} ({100 * sy32['rps'] / hop32['rps']:.0f} %)"),
        ("1,000 paced streams: added inter-chunk p99 ≤ 1 ms", tail_verdict(paced_added, 1000),
         f"{paced_added / 1000:.1f} ms (gap p99 {paced['switchyard']['gap_p99_us'] / 1000:.1f} vs direct {paced['direct']['gap_p99_us'] / 1000:.1f} ms)"),
        ("1,000 paced streams: RSS ≤ 100 MB", paced["switchyard"]["rss_peak_kib"] <= 100 * 1024,
         f"{paced['switchyard']['rss_peak_kib'] / 1024:.0f} MiB"),
        ("RSS idle ≤ 30 MB with 50 providers and 500 models", facts["rss_idle_kib"] <= 30 * 1024, f"{facts['rss_idle_kib'] / 1024:.1f} MiB"),
        ("10,000 idle connections ≤ 150 MB", facts["idle_connections"]["rss_kib"] <= 150 * 1024 and facts["idle_connections"]["open"] == 10000,
         f"{facts['idle_connections']['rss_kib'] / 1024:.0f} MiB, {facts['idle_connections']['open']:,} open"),
        ("publishing that config ≤ 50 ms", facts["publish_ms"] <= 50, f"{facts['publish_ms']:.1f} ms"),
    ]
    lines = ["| target | status | this run |", "|---|---|---|"]
    lines += [f"| {name} | {verdict(ok)} | {figures} |" for name, ok, figures in rows]
    return "\n".join(lines) + "\n"


def update_readme(marker, report):
    """Replaces the README block between `<!-- {marker}:start -->` and `<!-- {marker}:end -->` with `report`."""
    readme_path = os.path.join(ROOT, "README.md")
    readme = open(readme_path).read()
    block = f"<!-- {marker}:start -->\n{report}<!-- {marker}:end -->"
    readme = re.sub(f"<!-- {marker}:start -->.*?<!-- {marker}:end -->", lambda _: block, readme, flags=re.S)
    open(readme_path, "w").write(readme)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per scenario; the table shows medians")
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--bin", default=None, help="release bin directory (default: swift build -c release --show-bin-path)")
    options = parser.parse_args()
    seconds = options.seconds

    bin_dir = options.bin or subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, text=True).strip()
    work = tempfile.mkdtemp(prefix="switchyard-bench-")
    global LOADGEN
    LOADGEN = os.path.join(work, "loadgen")
    subprocess.run(["gcc", "-O2", "-o", LOADGEN, os.path.join(ROOT, "bench", "loadgen.c")], check=True)
    events = write_fixtures(work)
    processes = []
    rows = []
    facts = {}
    try:
        up_port, hop_port, mock_port = free_port(), free_port(), free_port()
        processes.append(mock_upstream(work, up_port))
        hop = f"""
  upstream mock {{ server 127.0.0.1:{up_port}; keepalive 256; }}
  server {{
    listen 127.0.0.1:{hop_port} reuseport backlog=4096;
    location / {{ proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; }}
    location /sse/ {{ proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }}
  }}"""
        hop_process = start_nginx(work, "hop", hop)
        processes.append(hop_process)
        mock = subprocess.Popen([os.path.join(bin_dir, "mock-llm"), "--listen", f"127.0.0.1:{mock_port}", "--loops", "2"],
                                stdout=subprocess.DEVNULL)
        processes.append(mock)
        for port in (up_port, hop_port, mock_port):
            wait_port(port)

        gateway = subprocess.Popen(gateway_command(bin_dir, work, "127.0.0.1:0", "127.0.0.1:0"),
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=GATEWAY_ENV)
        processes.append(gateway)
        ports = {}
        while len(ports) < 2:
            line = gateway.stdout.readline().decode()
            if not line:
                raise RuntimeError("switchyard exited")
            for label in ("data plane", "admin API"):
                if f"{label} listening on" in line:
                    ports[label] = int(line.strip().rsplit(":", 1)[1])
        sy_port, admin_port = ports["data plane"], ports["admin API"]

        # A realistic configuration: 50 providers and 500 models, plus the benchmark routes.
        started = time.monotonic()
        for p in range(50):
            provider = admin(admin_port, "POST", "/providers", {"name": f"provider-{p}", "kind": "openai_compatible",
                                                                "base_url": f"http://127.0.0.1:{up_port}/v1"})
            for m in range(10):
                admin(admin_port, "POST", "/models", {"name": f"model-{p}-{m}", "provider": provider["id"],
                                                      "pricing": PRICING})
        facts["config_seed_s"] = time.monotonic() - started
        admin(admin_port, "POST", "/providers", {"name": "fast", "kind": "openai_compatible", "base_url": f"http://127.0.0.1:{up_port}/v1"})
        admin(admin_port, "POST", "/providers", {"name": "sse", "kind": "openai_compatible", "base_url": f"http://127.0.0.1:{up_port}/sse/v1"})
        admin(admin_port, "POST", "/providers", {"name": "paced", "kind": "openai_compatible", "base_url": f"http://127.0.0.1:{mock_port}/v1"})
        admin(admin_port, "POST", "/models", {"name": "bench", "provider": "fast", "upstream_model": "bench-upstream", "pricing": PRICING})
        admin(admin_port, "POST", "/models", {"name": "bench-sse", "provider": "sse", "upstream_model": "bench-upstream", "pricing": PRICING})
        admin(admin_port, "POST", "/models", {"name": "paced", "provider": "paced", "upstream_model": PACED_UPSTREAM_MODEL, "pricing": PRICING})
        publish = []
        for _ in range(5):
            t = time.monotonic()
            admin(admin_port, "PATCH", "/providers/provider-0", {"rpm": 1000})
            publish.append(time.monotonic() - t)
        facts["publish_ms"] = min(publish) * 1000
        time.sleep(1)
        gateway_target = Target("switchyard", sy_port, gateway.pid, {"plain": "/v1/chat/completions", "sse": "/v1/chat/completions"})
        facts["rss_idle_kib"] = memory_kib(gateway_target.pids, "VmRSS")

        targets = [Target("direct", up_port, None, {"plain": "/v1/chat/completions", "sse": "/sse/v1/chat/completions"}),
                   Target("nginx hop", hop_port, hop_process.pid, {"plain": "/v1/chat/completions", "sse": "/sse/v1/chat/completions"}),
                   gateway_target]

        for kind, connections in [("plain", 1), ("plain", 32), ("plain", 128), ("sse", 32)]:
            script = os.path.join(work, "request.json.lua" if kind == "plain" else "request-sse.json.lua")
            runs = {target.name: [] for target in targets}
            for round_index in range(options.rounds):
                for target in targets:
                    if round_index == 0:
                        wrk(target.port, target.paths[kind], script, connections, 1)  # warm-up
                    r = measured(target, lambda: wrk(target.port, target.paths[kind], script, connections, seconds))
                    r["cpu_us"] = r["cpu_s"] * 1e6 / r["requests"] if target.pid and r["requests"] else None
                    log(f"{kind} c={connections} {target.name} round {round_index + 1}: {r}")
                    runs[target.name].append(r)
            results = {name: median_of(target_runs) for name, target_runs in runs.items()}
            base = results["direct"]
            label = f"non-stream, {connections} conn" if kind == "plain" else f"{events}-event SSE, {connections} conn"
            for target in targets:
                r = results[target.name]
                rows.append([label, target.name, f"{r['rps']:,.0f}", fmt_us(r["p50"]), fmt_us(r["p99"]),
                             "-" if target.name == "direct" else fmt_us(r["p50"] - base["p50"]),
                             "-" if target.name == "direct" else fmt_us(r["p99"] - base["p99"]),
                             "-" if r["cpu_us"] is None else f"{r['cpu_us']:,.1f}",
                             "-" if not target.pid else f"{r['rss_kib'] / 1024:,.1f}", str(r["errors"])])
                facts[f"{kind}-{connections}-{target.name}"] = r

        # The request log: every request served so far must reach SQLite; how fast, and how far behind at the end.
        database = os.path.join(work, "var", "switchyard.db")
        served = sum(v["total"] for k, v in facts.items() if isinstance(v, dict) and k.endswith("-switchyard"))
        started = time.monotonic()
        rows_now = logged_rows(database)
        while time.monotonic() - started < 10 and rows_now < served:
            time.sleep(0.05)
            rows_now = logged_rows(database)
        facts["request_log"] = {"served_at_least": served, "rows": rows_now, "catch_up_ms": (time.monotonic() - started) * 1000}
        log(f"request log: {facts['request_log']}")

        # Open loop at half of Switchyard's saturation rate (its 32-connection RPS).
        body = os.path.join(work, "request.json")
        rate = max(100, int(facts["plain-32-switchyard"]["rps"] / 2))
        loop_runs = {t.name: [] for t in targets}
        for round_index in range(options.rounds):
            for t in targets:
                r = measured(t, lambda: loadgen("rate", "127.0.0.1", t.port, t.paths["plain"], body, rate, seconds, 64))
                r["rps"] = r["completed"] / max(r["elapsed_s"], 1e-9)
                r["cpu_us"] = r["cpu_s"] * 1e6 / max(r["completed"], 1)
                log(f"open loop {t.name} round {round_index + 1}: {r}")
                loop_runs[t.name].append(r)
        open_loop = {name: median_of(target_runs) for name, target_runs in loop_runs.items()}
        for t in targets:
            r = open_loop[t.name]
            rows.append([f"open loop {rate:,}/s", t.name, f"{r['rps']:,.0f}", fmt_us(r["p50_us"]),
                         fmt_us(r["p99_us"]), "-" if t.name == "direct" else fmt_us(r["p50_us"] - open_loop["direct"]["p50_us"]),
                         "-" if t.name == "direct" else fmt_us(r["p99_us"] - open_loop["direct"]["p99_us"]),
                         "-" if not t.pid else f"{r['cpu_us']:,.1f}",
                         "-" if not t.pid else f"{r['rss_kib'] / 1024:,.1f}", str(r["errors"])])
        facts["open_loop"] = {"rate": rate, **open_loop}

        # 1,000 concurrent paced streams (a chunk every 20 ms for 5 s): direct to mock-llm, then through Switchyard.
        paced = os.path.join(work, "request-paced.json")
        paced_runs = {"direct": [], "switchyard": []}
        for round_index in range(options.rounds):
            paced_runs["direct"].append(loadgen("streams", "127.0.0.1", mock_port, "/v1/chat/completions",
                                                os.path.join(work, "request-paced-direct.json"), 1000))
            r = measured(gateway_target, lambda: loadgen("streams", "127.0.0.1", sy_port, "/v1/chat/completions", paced, 1000))
            r["cpu_us_per_event"] = r["cpu_s"] * 1e6 / max(r["events"], 1)
            paced_runs["switchyard"].append(r)
            log(f"paced round {round_index + 1}: direct {paced_runs['direct'][-1]}\nswitchyard {r}")
        direct_streams, gateway_streams = median_of(paced_runs["direct"]), median_of(paced_runs["switchyard"])
        gateway_streams["rss_peak_kib"] = memory_kib(gateway_target.pids, "VmHWM")
        for name, r in [("direct", direct_streams), ("switchyard", gateway_streams)]:
            rows.append(["1,000 paced streams (gap)", name, "-", fmt_us(r["gap_p50_us"]), fmt_us(r["gap_p99_us"]),
                         "-" if name == "direct" else fmt_us(r["gap_p50_us"] - direct_streams["gap_p50_us"]),
                         "-" if name == "direct" else fmt_us(r["gap_p99_us"] - direct_streams["gap_p99_us"]),
                         "-" if name == "direct" else f"{r['cpu_us_per_event']:,.1f}/event",
                         "-" if name == "direct" else f"{r['rss_peak_kib'] / 1024:,.1f} peak",
                         str(r["failed"] + r["unfinished"])])
        facts["paced"] = {"direct": direct_streams, "switchyard": gateway_streams}

        # 10,000 idle keep-alive connections.
        idle = subprocess.Popen([LOADGEN, "idle", "127.0.0.1", str(sy_port), "10000", "4"], stdout=subprocess.PIPE, text=True)
        opened = json.loads(idle.stdout.readline())
        rss_idle_conns = memory_kib(gateway_target.pids, "VmRSS")
        idle.wait()
        rows.append(["10,000 idle connections", "switchyard", "-", "-", "-", "-", "-", "-", f"{rss_idle_conns / 1024:,.1f}",
                     str(10000 - opened["open"])])
        facts["idle_connections"] = {"open": opened["open"], "rss_kib": rss_idle_conns}
        facts["rss_peak_kib"] = memory_kib(gateway_target.pids, "VmHWM")
    finally:
        for process in processes:
            try:
                process.terminate()  # nginx's master stops its workers on SIGTERM; SIGKILL would orphan them
                process.wait(timeout=10)
            except Exception:
                process.kill()

    header = ["scenario", "target", "RPS", "p50 µs", "p99 µs", "added p50 µs", "added p99 µs", "CPU µs/req", "RSS MiB", "errors"]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    summary = (f"Commit `{commit}{'+dirty' if dirty else ''}`, {stamp}, {os.cpu_count()} cores, {seconds} s per run, "
               f"each figure the median of {options.rounds} rounds that take turns between the targets. "
               f"Switchyard idle RSS with 50 providers and 500 models: {facts['rss_idle_kib'] / 1024:.1f} MiB; "
               f"peak RSS over the run: {facts['rss_peak_kib'] / 1024:.1f} MiB; "
               f"config publish (admin PATCH to live snapshot): {facts['publish_ms']:.1f} ms. "
               f"Request log: {facts['request_log']['rows']:,} rows for at least {facts['request_log']['served_at_least']:,} "
               f"requests served (the writer was {facts['request_log']['catch_up_ms']:.0f} ms behind when the load stopped; "
               f"it batches every 100 ms).")
    report = summary + "\n\n" + "\n".join(table) + "\n\n" + targets_table(facts)
    print(report)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    name = f"{stamp.replace(':', '')}-{commit}"
    with open(os.path.join(ROOT, "bench", "results", name + ".md"), "w") as f:
        f.write(report)
    with open(os.path.join(ROOT, "bench", "results", name + ".json"), "w") as f:
        json.dump(facts, f, indent=1, default=str)
    if options.update_readme:
        update_readme("bench", report)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
