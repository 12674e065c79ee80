"""Observability through real sockets: every field of the request log for a success, a failover, a client
that goes away and a stream cut short; usage totals equal to the raw log; health percentiles; /metrics in
the Prometheus text format (checked with the official parser); JSON log lines; traceparent propagation;
and what SIGTERM and kill -9 do to the log."""
import json
import os
import signal
import socket
import threading
import time
import urllib.parse

from prometheus_client.parser import text_string_to_metric_families

from conftest import ADMIN_TOKEN, add_route, admin, chat, http, logged_request, start_gateway, start_mock, wait_for

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def usage(gateway, **params):
    response = admin(gateway, "GET", "/usage?" + urllib.parse.urlencode(params))
    assert response.status == 200, response.body
    return response.json()


def all_requests(gateway):
    rows, cursor = [], None
    while True:
        page = admin(gateway, "GET", "/requests?limit=1000" + (f"&cursor={cursor}" if cursor else "")).json()
        rows += page["data"]
        cursor = page["next_cursor"]
        if not cursor:
            return rows


def test_a_successful_request_is_logged_with_every_field(gateway, mock):
    add_route(gateway, mock, name="obs")
    response = http("POST", gateway.data + "/v1/chat/completions",
                    {"model": "obs", "messages": [{"role": "user", "content": "hello"}]},
                    headers={"traceparent": f"00-{TRACE}-00f067aa0ba902b7-01", "x-request-id": "client-req-1"})
    assert response.status == 200
    assert response.headers["x-request-id"] == "client-req-1"
    row = logged_request(gateway, "client-req-1")
    answer = response.json()
    assert row["endpoint"] == "chat" and row["model"] == "obs" and row["provider"] == "mock"
    assert row["deployment_id"].startswith("mdl_") and row["upstream_model"] == "mock-demo"
    assert row["status"] == 200 and row["error_type"] is None and row["error_message"] is None
    assert row["input_tokens"] == answer["usage"]["prompt_tokens"] and row["output_tokens"] == answer["usage"]["completion_tokens"]
    # 1 $ per million input tokens and 2 $ per million output tokens, exactly.
    expected = (row["input_tokens"] * 1 + row["output_tokens"] * 2) / 1e6
    assert abs(row["cost_usd"] - expected) < 1e-15 and row["unpriced"] is False and row["cache_hit"] is False
    timings = row["timings"]
    assert 0 <= timings["queue_ms"] <= timings["ttft_ms"] <= timings["total_ms"] and timings["connect_ms"] is not None
    assert row["trace_id"] == TRACE and row["key_id"] is None and row["stream"] is False
    assert row["request_body"] is None and row["response_body"] is None
    [attempt] = row["attempts_detail"]
    assert attempt["number"] == 1 and attempt["deployment_id"] == row["deployment_id"] and attempt["outcome"] == "ok"
    assert attempt["status"] == 200 and attempt["error_message"] is None and attempt["latency_ms"] <= timings["total_ms"]
    # The upstream saw the same request id and a child span of the client's trace.
    stats = json.loads(http("GET", mock.base + "/mock/stats").body)
    assert stats["last_request_id"] == "client-req-1"
    version, trace_id, span, flags = stats["last_traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", TRACE, "01") and span != "00f067aa0ba902b7" and len(span) == 16
    # One JSON line per request on stderr, with the same ids.
    lines = wait_for(lambda: [json.loads(line) for line in gateway.stderr_text().splitlines()
                              if line.startswith("{") and '"client-req-1"' in line])
    assert lines[0]["level"] == "info" and lines[0]["trace_id"] == TRACE and lines[0]["status"] == 200


def test_a_request_without_a_traceparent_starts_a_trace(gateway, mock):
    add_route(gateway, mock, name="obs")
    response = chat(gateway, "obs")
    row = logged_request(gateway, response.headers["x-request-id"])
    assert len(row["trace_id"]) == 32 and row["trace_id"] != "0" * 32
    stats = json.loads(http("GET", mock.base + "/mock/stats").body)
    assert stats["last_traceparent"].split("-")[1] == row["trace_id"]


def test_a_failover_logs_each_attempt_with_its_error(tmp_path):
    primary, secondary = start_mock(), start_mock()
    gateway = start_gateway(tmp_path / "var")
    try:
        for name, mock in (("primary", primary), ("secondary", secondary)):
            assert admin(gateway, "POST", "/providers", {"name": name, "kind": "openai_compatible", "base_url": mock.base + "/v1"}).status == 201
        for provider, upstream, priority in (("primary", "mock-demo:status=503", 0), ("secondary", "mock-demo", 1)):
            assert admin(gateway, "POST", "/models", {"name": "ha", "provider": provider, "upstream_model": upstream, "priority": priority,
                                                      "pricing": {"input_per_mtok": 3, "output_per_mtok": 5}}).status == 201
        response = chat(gateway, "ha")
        assert response.status == 200
        row = logged_request(gateway, response.headers["x-request-id"])
        assert row["status"] == 200 and row["provider"] == "secondary" and row["attempts"] == 2
        first, second = row["attempts_detail"]
        assert first["provider"] == "primary" and first["status"] == 503 and first["outcome"] != "ok" and first["error_message"]
        assert second["provider"] == "secondary" and second["outcome"] == "ok" and second["status"] == 200
        assert row["deployment_id"] == second["deployment_id"] != first["deployment_id"]
        assert abs(row["cost_usd"] - (row["input_tokens"] * 3 + row["output_tokens"] * 5) / 1e6) < 1e-15
        health = admin(gateway, "GET", "/health").json()
        primary_row = next(d for d in health["deployments"] if d["provider"] == "primary")
        assert primary_row["errors_5m"] == 1 and primary_row["last_error"]["at"].endswith("Z")
        secondary_row = next(d for d in health["deployments"] if d["provider"] == "secondary")
        assert secondary_row["success_rate"] == 1 and secondary_row["latency_p50_ms"] > 0 and secondary_row["ttft_p95_ms"] > 0
    finally:
        gateway.kill()
        primary.kill()
        secondary.kill()


def test_a_client_that_goes_away_and_a_cut_stream_are_logged(gateway, mock):
    add_route(gateway, mock, name="slow", upstream_model="mock-demo:interval=200:chunks=20")
    add_route(gateway, mock, name="cut", upstream_model="mock-demo:fault=drop")
    host, port = gateway.data.removeprefix("http://").split(":")
    body = json.dumps({"model": "slow", "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode()
    with socket.create_connection((host, int(port))) as client:
        client.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-request-id: gone-1\r\nContent-Type: application/json\r\n"
                       + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        assert b"data:" in client.recv(65536)
    row = logged_request(gateway, "gone-1")
    assert row["status"] == 499 and row["error_type"] == "client_disconnected" and row["stream"] is True
    assert row["timings"]["ttft_ms"] is not None and row["error_message"]
    cut = chat(gateway, "cut", stream=True)
    assert cut.status == 200 and b"upstream_stream_interrupted" in cut.body
    row = logged_request(gateway, cut.headers["x-request-id"])
    assert row["status"] == 502 and row["error_type"] == "upstream_stream_interrupted" and row["provider"] == "mock"
    assert "stream failed" in row["error_message"] and row["attempts_detail"][0]["outcome"] == "upstream_stream_interrupted"


def test_usage_totals_equal_the_sum_over_the_raw_log(gateway, mock):
    add_route(gateway, mock, name="alpha")
    add_route(gateway, mock, name="beta", upstream_model="mock-demo:chunks=3")
    for index in range(30):
        chat(gateway, "alpha" if index % 3 else "beta", stream=index % 2 == 0)
    chat(gateway, "no-such-model")
    wait_for(lambda: len(all_requests(gateway)) == 31)
    rows = all_requests(gateway)
    answer = usage(gateway, group_by="model,status")
    assert answer["totals"]["requests"] == 31 and answer["totals"]["errors"] == 1
    for field in ("input_tokens", "output_tokens"):
        assert answer["totals"][field] == sum(r[field] or 0 for r in rows)
    assert abs(answer["totals"]["cost_usd"] - sum(r["cost_usd"] for r in rows)) < 1e-12
    by_model = {(d["model"], d["status"]): d for d in answer["data"]}
    assert by_model[("alpha", 200)]["requests"] == 20 and by_model[("beta", 200)]["requests"] == 10
    assert by_model[("no-such-model", 404)]["errors"] == 1
    assert by_model[("alpha", 200)]["p50_ms"] is not None and by_model[("alpha", 200)]["p95_ms"] >= by_model[("alpha", 200)]["p50_ms"]
    hourly = usage(gateway, bucket="hour", group_by="model")
    assert sum(d["requests"] for d in hourly["data"]) == 31 and all("bucket_start" in d for d in hourly["data"])
    filtered = usage(gateway, model="beta")
    assert filtered["totals"]["requests"] == 10
    paged = usage(gateway, group_by="model", limit=1)
    assert len(paged["data"]) == 1 and paged["next_cursor"] == "1"
    assert admin(gateway, "GET", "/requests?model=beta&limit=100").json()["data"][0]["model"] == "beta"
    for bad in ("bucket=week", "group_by=colour", "from=yesterday", "status=abc", "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
                "bucket=minute&from=2020-01-01T00:00:00Z"):
        response = admin(gateway, "GET", "/usage?" + bad)
        assert response.status == 400 and response.json()["error"]["field"], bad


def test_metrics_follow_the_prometheus_text_format(gateway, mock):
    add_route(gateway, mock, name="met\"ric")
    for _ in range(3):
        chat(gateway, "met\"ric")
    chat(gateway, "unknown-model")
    assert http("GET", gateway.admin + "/metrics").status == 401

    def scrape():
        text = http("GET", gateway.admin + "/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).body.decode()
        families = {f.name: f for f in text_string_to_metric_families(text)}
        requests = families["switchyard_requests"].samples
        return families if sum(s.value for s in requests) == 4 else None

    families = wait_for(scrape)
    ok = [s for s in families["switchyard_requests"].samples if s.labels.get("status") == "200"]
    assert ok[0].labels["model"] == "met\"ric" and ok[0].value == 3
    errors = families["switchyard_errors"].samples
    assert any(s.labels["type"] == "model_not_found" and s.value == 1 for s in errors)
    duration = families["switchyard_request_duration_seconds"]
    assert duration.type == "histogram"
    counts = [s for s in duration.samples if s.name.endswith("_count") and s.labels["model"] == "met\"ric"]
    assert counts[0].value == 3
    assert families["switchyard_config_version"].samples[0].value >= 2
    assert any(s.labels["state"] == "closed" and s.value == 1 for s in families["switchyard_circuit_state"].samples)
    assert families["switchyard_request_log_queue_depth"].type == "gauge"


def test_log_level_warn_keeps_request_lines_of_successes_out(tmp_path):
    mock = start_mock()
    gateway = start_gateway(tmp_path / "var", "--log-level", "warn")
    try:
        add_route(gateway, mock, name="quiet")
        response = chat(gateway, "quiet")
        logged_request(gateway, response.headers["x-request-id"])
        assert response.headers["x-request-id"] not in gateway.stderr_text()
    finally:
        gateway.kill()
        mock.kill()


def test_sigterm_loses_no_row_and_kill_9_loses_at_most_the_flush_window(tmp_path):
    mock = start_mock()
    data_dir = tmp_path / "var"
    gateway = start_gateway(data_dir)
    add_route(gateway, mock, name="durable")
    served = [chat(gateway, "durable").headers["x-request-id"] for _ in range(40)]
    gateway.kill(signal.SIGTERM)
    assert gateway.proc.returncode == 0
    gateway = start_gateway(data_dir)
    try:
        ids = {r["id"] for r in all_requests(gateway)}
        assert set(served) <= ids
        # kill -9 under load: requests keep completing until the kill; only the last flush window may be lost.
        completions = []
        stop = threading.Event()

        def load():
            while not stop.is_set():
                try:
                    response = chat(gateway, "durable")
                except OSError:
                    return
                if response.status == 200:
                    completions.append((time.monotonic(), response.headers["x-request-id"]))

        worker = threading.Thread(target=load)
        worker.start()
        wait_for(lambda: len(completions) >= 200, timeout=30)
        # Wait (under load) until the writer has committed some of these requests: those must survive the kill.
        load_ids = lambda: {rid for _, rid in list(completions)}
        committed = wait_for(lambda: {r["id"] for r in all_requests(gateway)} & load_ids(), timeout=30)
        killed_at = time.monotonic()
        os.kill(gateway.pid, signal.SIGKILL)
        stop.set()
        worker.join()
        gateway.proc.wait()
    finally:
        gateway.kill()
    gateway = start_gateway(data_dir)
    try:
        ids = {r["id"] for r in all_requests(gateway)}
        lost = [(at, rid) for at, rid in completions if rid not in ids]
        # The writer flushes every 100 ms: anything lost completed within that window (plus scheduling slack).
        assert all(killed_at - at < 0.5 for at, _ in lost), (len(lost), len(completions))
        assert committed <= ids
        assert admin(gateway, "GET", "/usage").json()["totals"]["requests"] == len(ids)
    finally:
        gateway.kill()
        mock.kill()
