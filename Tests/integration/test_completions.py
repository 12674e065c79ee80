"""Completions end to end: admin-configured routes, streaming, the openai SDK, cancellation, errors, request log."""
import json
import socket
import time

from conftest import (add_route, admin, chat, http, logged_request, sse_events, start_gateway, start_mock, wait_for)


def test_configured_route_serves_non_streaming_and_streaming_without_restart(gateway, mock):
    assert chat(gateway, "chat").status == 404
    add_route(gateway, mock)

    response = chat(gateway, "chat")
    assert response.status == 200, response.body
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"].startswith("Hello")
    assert response.headers["x-switchyard-provider"] == "mock"
    assert response.headers["x-switchyard-model"] == "mock-demo"
    assert response.headers["x-switchyard-attempts"] == "1"
    assert response.headers["x-switchyard-cache"] == "miss"
    row = logged_request(gateway, response.headers["x-request-id"])
    assert row["status"] == 200 and row["input_tokens"] > 0 and row["output_tokens"] == 8
    # The upstream saw the same request id.
    assert json.loads(http("GET", mock.base + "/mock/stats").body)["last_request_id"] == response.headers["x-request-id"]
    assert row["provider"] == "mock" and row["model"] == "chat" and row["upstream_model"] == "mock-demo"

    streamed = chat(gateway, "chat", stream=True)
    assert streamed.status == 200
    assert streamed.headers["content-type"] == "text/event-stream"
    events = sse_events(streamed.body)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]).startswith("Hello word1")
    # The gateway asked for usage itself; the client did not, so no usage chunk reaches it.
    assert all("usage" not in c for c in chunks)
    row = logged_request(gateway, streamed.headers["x-request-id"])
    assert row["stream"] is True and row["output_tokens"] == 8 and row["ttft_ms"] is not None


def test_a_client_request_id_sent_twice_logs_both_requests(gateway, mock):
    add_route(gateway, mock)
    body = {"model": "chat", "messages": [{"role": "user", "content": "say hello"}]}
    answers = [http("POST", gateway.data + "/v1/chat/completions", body, {"X-Request-Id": "client-retry-7"}) for _ in range(2)]
    # The client sees its own id echoed, as always.
    assert [a.status for a in answers] == [200, 200]
    assert [a.headers["x-request-id"] for a in answers] == ["client-retry-7", "client-retry-7"]

    def both_rows():
        listed = admin(gateway, "GET", "/requests?model=chat&limit=50").json()["data"]
        rows = [row for row in listed if row["client_request_id"] == "client-retry-7"]
        return rows if len(rows) == 2 else None
    rows = wait_for(both_rows)
    # Each request has a row of its own under a gateway id; the client's id finds the latest.
    ids = {row["id"] for row in rows}
    assert len(ids) == 2 and "client-retry-7" not in ids
    latest = logged_request(gateway, "client-retry-7")
    assert latest["client_request_id"] == "client-retry-7" and latest["id"] == max(ids)
    assert latest["status"] == 200 and latest["output_tokens"] == 8
    # Without a client id the row's id is what the response carried, and it has no client id.
    plain = chat(gateway, "chat")
    assert logged_request(gateway, plain.headers["x-request-id"])["client_request_id"] is None


def test_stream_usage_is_forwarded_when_the_client_asks(gateway, mock):
    add_route(gateway, mock)
    streamed = chat(gateway, "chat", stream=True, stream_options={"include_usage": True})
    chunks = [json.loads(e) for e in sse_events(streamed.body)[:-1]]
    assert chunks[-1]["usage"]["completion_tokens"] == 8


def test_model_patch_changes_routing_for_the_next_request(gateway, mock):
    model = add_route(gateway, mock)
    assert chat(gateway, "chat").json()["model"] == "mock-demo"
    patched = admin(gateway, "PATCH", f"/models/{model['id']}", {"upstream_model": "mock-other"})
    assert patched.status == 200, patched.body
    response = chat(gateway, "chat")
    assert response.json()["model"] == "mock-other"
    assert response.headers["x-switchyard-model"] == "mock-other"
    assert admin(gateway, "PATCH", f"/models/{model['id']}", {"enabled": False}).status == 200
    assert chat(gateway, "chat").status == 404


def test_official_openai_sdk_completes_and_streams(gateway, mock):
    from openai import OpenAI

    add_route(gateway, mock)
    client = OpenAI(base_url=gateway.data + "/v1", api_key="anything-on-loopback", max_retries=0)
    completion = client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "hi"}])
    assert completion.choices[0].message.content.startswith("Hello")
    assert completion.usage.completion_tokens == 8
    text = ""
    for chunk in client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "hi"}], stream=True):
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
    assert text == "Hello" + "".join(f" word{i}" for i in range(1, 8))
    assert [m.id for m in client.models.list()] == ["chat"]


def test_client_disconnect_mid_stream_stops_the_upstream_transfer(gateway, mock):
    add_route(gateway, mock, upstream_model="mock-demo:chunks=2000:interval=10")
    host, port = gateway.data.split("//")[1].split(":")
    body = json.dumps({"model": "chat", "stream": True, "messages": [{"role": "user", "content": "long story"}]}).encode()
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-request-id: cancel-me\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    received = b""
    while received.count(b"data: ") < 3:
        received += sock.recv(65536)
    stats = lambda: json.loads(http("GET", mock.base + "/mock/stats").body)
    assert stats()["active_streams"] == 1
    sock.close()
    closed_at = time.monotonic()
    wait_for(lambda: stats()["streams_aborted"] == 1, timeout=2, interval=0.002)
    elapsed = time.monotonic() - closed_at
    print(f"upstream stream stopped {elapsed * 1000:.1f} ms after the client disconnected")
    assert elapsed < 0.1, f"upstream stream stopped {elapsed * 1000:.1f} ms after the client left"
    row = logged_request(gateway, "cancel-me")
    assert row["status"] == 499 and row["error_type"] == "client_disconnected"


def test_errors_use_the_openai_shape_and_are_logged(gateway, mock):
    add_route(gateway, mock)
    bad_json = http("POST", gateway.data + "/v1/chat/completions", b'{"model": "chat", "messages": [', {"x-request-id": "bad-json"})
    assert bad_json.status == 400
    error = bad_json.json()["error"]
    assert error["type"] == "invalid_request_error" and error["code"] == "invalid_json" and "message" in error and "param" in error

    unknown = chat(gateway, "no-such-model")
    assert unknown.status == 404 and unknown.json()["error"]["code"] == "model_not_found"
    missing_messages = http("POST", gateway.data + "/v1/chat/completions", {"model": "chat"})
    assert missing_messages.status == 400 and missing_messages.json()["error"]["param"] == "messages"
    wrong_stream = http("POST", gateway.data + "/v1/chat/completions", {"model": "chat", "stream": "yes", "messages": [{"role": "user", "content": "x"}]})
    assert wrong_stream.status == 400 and wrong_stream.json()["error"]["param"] == "stream"

    oversized = http("POST", gateway.data + "/v1/chat/completions", b"{" + b" " * (10 * 1024 * 1024 + 10) + b"}")
    assert oversized.status == 413 and oversized.json()["error"]["code"] == "request_too_large"
    assert http("GET", gateway.data + "/v1/nothing").status == 404
    assert http("DELETE", gateway.data + "/v1/chat/completions").status == 405

    for request_id, status in [("bad-json", 400), (unknown.headers["x-request-id"], 404)]:
        assert logged_request(gateway, request_id)["status"] == status


def test_upstream_failures_are_reported_without_hanging(gateway, mock):
    add_route(gateway, mock, name="fails", upstream_model="mock-demo:status=500")
    add_route(gateway, mock, name="limited", upstream_model="mock-demo:status=429")
    add_route(gateway, mock, name="drops", upstream_model="mock-demo:fault=drop:chunks=10:interval=1")
    add_route(gateway, mock, name="resets", upstream_model="mock-demo:fault=reset")
    failed = chat(gateway, "fails")
    assert failed.status == 502 and failed.json()["error"]["code"] == "upstream_error"
    limited = chat(gateway, "limited")
    assert limited.status == 429 and limited.json()["error"]["type"] == "rate_limit_error"
    reset = chat(gateway, "resets")
    assert reset.status == 502 and reset.json()["error"]["code"] == "upstream_unreachable"
    dropped = chat(gateway, "drops", stream=True)
    events = sse_events(dropped.body)
    assert events[-1] != "[DONE]" and json.loads(events[-1])["error"]["code"] == "upstream_stream_interrupted"
    assert logged_request(gateway, dropped.headers["x-request-id"])["status"] == 502

    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()
    admin(gateway, "POST", "/providers", {"name": "dead", "kind": "vllm", "base_url": f"http://127.0.0.1:{port}/v1"})
    admin(gateway, "POST", "/models", {"name": "dead-model", "provider": "dead"})
    unreachable = chat(gateway, "dead-model")
    assert unreachable.status == 502 and "dead" in unreachable.json()["error"]["message"]


def test_provider_keys_come_from_references_and_never_leak(tmp_path):
    mock = start_mock("--require-key", "sk-test-secret-value")
    key_file = tmp_path / "key"
    key_file.write_text("sk-test-secret-value\n")
    gateway = start_gateway(tmp_path / "var", env_extra={"MOCK_KEY": "sk-test-secret-value"})
    try:
        add_route(gateway, mock, name="by-env", provider="env-provider", api_key_ref="env:MOCK_KEY")
        add_route(gateway, mock, name="by-file", provider="file-provider", api_key_ref=f"file:{key_file}")
        add_route(gateway, mock, name="unset", provider="unset-provider", api_key_ref="env:NOT_SET_ANYWHERE")
        add_route(gateway, mock, name="keyless", provider="keyless-provider")
        assert chat(gateway, "by-env").status == 200
        assert chat(gateway, "by-file").status == 200
        unset = chat(gateway, "unset")
        assert unset.status == 502 and "NOT_SET_ANYWHERE is not set" in unset.json()["error"]["message"]
        rejected = chat(gateway, "keyless")
        assert rejected.status == 502 and rejected.json()["error"]["code"] == "provider_auth_failed"
        everything = b"".join([admin(gateway, "GET", "/providers").body, admin(gateway, "GET", "/config").body, unset.body,
                               rejected.body, admin(gateway, "GET", "/requests").body])
        assert b"sk-test-secret-value" not in everything
    finally:
        gateway.kill()
        mock.kill()
    assert "sk-test-secret-value" not in gateway.stderr_text()


def test_models_lists_the_public_names_of_enabled_deployments(gateway, mock):
    assert http("GET", gateway.data + "/v1/models").json() == {"object": "list", "data": []}
    add_route(gateway, mock, name="b-model")
    add_route(gateway, mock, name="a-model", upstream_model="mock-other")
    listed = http("GET", gateway.data + "/v1/models").json()["data"]
    assert [m["id"] for m in listed] == ["a-model", "b-model"] and all(m["owned_by"] == "mock" for m in listed)


def test_upstream_timeouts_answer_504_in_time(gateway, mock):
    add_route(gateway, mock, name="slow-head", upstream_model="mock-demo:latency=5000", provider="impatient",
              timeouts={"first_byte_ms": 300, "total_ms": 2000})
    add_route(gateway, mock, name="stalled-stream", upstream_model="mock-demo:fault=stall", provider="impatient")
    started = time.monotonic()
    slow = chat(gateway, "slow-head")
    assert slow.status == 504 and slow.json()["error"]["code"] == "upstream_timeout"
    # Retries of a 300 ms first-byte timeout fit in the 2 s total (the request's deadline); far below the 5 s answer.
    assert time.monotonic() - started < 2.5
    started = time.monotonic()
    stalled = chat(gateway, "stalled-stream", stream=True)
    assert time.monotonic() - started < 3.5
    events = sse_events(stalled.body)
    assert json.loads(events[-1])["error"]["code"] == "upstream_stream_interrupted"


def test_upstream_connections_are_reused(gateway, mock):
    add_route(gateway, mock)
    stats = lambda: json.loads(http("GET", mock.base + "/mock/stats").body)
    before = stats()["connections_accepted"]
    for _ in range(20):
        assert chat(gateway, "chat").status == 200
        assert chat(gateway, "chat", stream=True).status == 200
    # One connection for the stats call itself per poll, one (or a few) for the gateway's pooled upstream connection.
    assert stats()["connections_accepted"] - before <= 3


def test_in_flight_stream_finishes_on_the_snapshot_it_started_with(gateway, mock):
    import threading

    model = add_route(gateway, mock, upstream_model="mock-old:chunks=30:interval=20")
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("response", chat(gateway, "chat", stream=True)))
    worker.start()
    stats = lambda: json.loads(http("GET", mock.base + "/mock/stats").body)
    wait_for(lambda: stats()["active_streams"] == 1)
    assert admin(gateway, "PATCH", f"/models/{model['id']}", {"upstream_model": "mock-new"}).status == 200
    assert chat(gateway, "chat").json()["model"] == "mock-new"
    worker.join(timeout=10)
    chunks = [json.loads(e) for e in sse_events(result["response"].body)[:-1]]
    assert len(chunks) == 31 and {c["model"] for c in chunks} == {"mock-old:chunks=30:interval=20"}


def _event_arrivals(base, model, **extra):
    """(seconds since the request, event payload) for each SSE event of a raw streamed answer, as read off the socket."""
    from urllib.parse import urlparse

    url = urlparse(base)
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": True, **extra}).encode()
    connection = socket.create_connection((url.hostname, url.port), timeout=10)
    connection.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(body) + body)
    started, arrivals, seen = time.monotonic(), [], b""
    while not seen.endswith(b"0\r\n\r\n"):
        data = connection.recv(65536)
        assert data, "the stream ended before its last chunk"
        now = time.monotonic() - started
        seen += data
        arrivals += [(now, part.split(b"\n", 1)[0]) for part in data.split(b"data: ")[1:]]
    connection.close()
    return arrivals


def test_mock_paces_tokens_and_sends_the_trailer_at_once_and_the_gateway_passes_it_on(gateway, mock):
    # The benchmark's paced streams rely on this: a provider sends the usage chunk and [DONE] right after the
    # finishing chunk, and the gateway must not hold [DONE] back until some later event.
    paced = "mock-demo:chunks=4:interval=150"
    add_route(gateway, mock, upstream_model=paced)
    for base, model, extra in [(mock.base, paced, {"stream_options": {"include_usage": True}}), (gateway.data, "chat", {})]:
        arrivals = _event_arrivals(base, model, **extra)
        assert arrivals[-1][1] == b"[DONE]"
        finishing = next(i for i, (_, data) in enumerate(arrivals) if b'"finish_reason":"stop"' in data)
        tokens = [t for t, _ in arrivals[:finishing + 1]]
        assert all(later - earlier > 0.1 for earlier, later in zip(tokens, tokens[1:])), (base, tokens)
        assert arrivals[-1][0] - tokens[-1] < 0.075, (base, arrivals[finishing:])
