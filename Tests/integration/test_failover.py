"""Failover through real sockets: a route group of a primary and a secondary deployment on two mock-llm
instances. Failures before the first byte reach the secondary; after the first byte the client gets an
error event; a continuously failing deployment trips its breaker and is probed back; rejected credentials
disable a deployment and /admin/v1/health says why."""
import json
import time

import pytest

from conftest import admin, chat, http, logged_request, sse_events, start_gateway, start_mock, wait_for


@pytest.fixture
def pair(tmp_path):
    primary, secondary = start_mock(), start_mock()
    gateway = start_gateway(tmp_path / "var")
    for name, mock, timeouts in (("primary", primary, {"first_byte_ms": 400, "total_ms": 1500}), ("secondary", secondary, {})):
        created = admin(gateway, "POST", "/providers", {"name": name, "kind": "openai_compatible", "base_url": mock.base + "/v1",
                                                        "timeouts": timeouts})
        assert created.status == 201, created.body
    yield gateway, primary, secondary
    gateway.kill()
    primary.kill()
    secondary.kill()


def group(gateway, name, primary_model, secondary_model="mock-demo"):
    """A public model served by the primary first (priority 0) and the secondary second."""
    for provider, upstream, priority in (("primary", primary_model, 0), ("secondary", secondary_model, 1)):
        created = admin(gateway, "POST", "/models", {"name": name, "provider": provider, "upstream_model": upstream, "priority": priority})
        assert created.status == 201, created.body
    return name


def requests_to(mock):
    return json.loads(http("GET", mock.base + "/mock/stats").body)["requests"]


@pytest.mark.parametrize("fault", ["status=500", "status=503", "status=429", "latency=3000", "fault=reset", "fault=malformed"])
def test_a_failing_primary_is_invisible_to_the_client(pair, fault):
    gateway, primary, secondary = pair
    name = group(gateway, "ha", f"mock-demo:{fault}")
    started = time.monotonic()
    response = chat(gateway, name)
    assert response.status == 200, response.body
    assert response.json()["choices"][0]["message"]["content"].startswith("Hello")
    assert response.headers["x-switchyard-provider"] == "secondary" and response.headers["x-switchyard-attempts"] == "2"
    # A 429's retry-after (1 s) rests the primary; the secondary is a different deployment, so no wait.
    assert time.monotonic() - started < 1.5
    row = logged_request(gateway, response.headers["x-request-id"])
    assert row["status"] == 200 and row["attempts"] == 2 and row["provider"] == "secondary"
    attempts = wait_for(lambda: admin(gateway, "GET", f"/requests/{row['id']}").json()["attempts_detail"])
    assert [(a["number"], a["provider"]) for a in attempts] == [(1, "primary"), (2, "secondary")]
    assert attempts[0]["outcome"] != "ok" and attempts[1]["outcome"] == "ok"


def test_streams_fail_over_before_the_first_event_but_not_after(pair):
    gateway, primary, secondary = pair
    stalled = group(gateway, "ha-stall", "mock-demo:fault=stall")
    response = chat(gateway, stalled, stream=True)
    events = sse_events(response.body)
    assert response.headers["x-switchyard-provider"] == "secondary" and events[-1] == "[DONE]"
    dropped = group(gateway, "ha-drop", "mock-demo:fault=drop")
    response = chat(gateway, dropped, stream=True)
    events = sse_events(response.body)
    # The primary's first chunks already reached the client: the cut is reported, never a clean end.
    assert response.headers["x-switchyard-provider"] == "primary"
    assert events[-1] != "[DONE]" and json.loads(events[-1])["error"]["code"] == "upstream_stream_interrupted"


def test_client_errors_are_not_retried(pair):
    gateway, primary, secondary = pair
    name = group(gateway, "ha-400", "mock-demo:status=400")
    before = requests_to(secondary)
    response = chat(gateway, name)
    assert response.status == 400 and response.headers["x-switchyard-attempts"] == "1"
    assert requests_to(secondary) == before


def test_a_failing_deployment_trips_its_breaker_and_is_probed_back(pair):
    gateway, primary, secondary = pair
    name = group(gateway, "ha-breaker", "mock-demo:status=500")
    for _ in range(12):
        assert chat(gateway, name).status == 200
    # Five failures in the window open the breaker: later requests go straight to the secondary.
    assert requests_to(primary) == 5
    health = admin(gateway, "GET", "/health").json()
    entry = next(d for d in health["deployments"] if d["model"] == name and d["provider"] == "primary")
    assert entry["circuit"] == "open" and entry["last_error"]["message"]
    # The primary recovers; after the cool-down (5 s) one probe goes to it, succeeds, and it gets traffic again.
    deployment = entry["deployment"]
    assert admin(gateway, "PATCH", f"/models/{deployment}", {"upstream_model": "mock-demo"}).status == 200
    wait_for(lambda: chat(gateway, name).headers["x-switchyard-provider"] == "primary", timeout=8.0, interval=0.25)
    entry = next(d for d in admin(gateway, "GET", "/health").json()["deployments"] if d["deployment"] == deployment)
    assert entry["circuit"] == "closed"


def test_rejected_credentials_disable_the_deployment_until_its_key_changes(tmp_path):
    strict, open_mock = start_mock("--require-key", "sk-right"), start_mock()
    gateway = start_gateway(tmp_path / "var", env_extra={"WRONG": "sk-wrong", "RIGHT": "sk-right"})
    try:
        admin(gateway, "POST", "/providers", {"name": "primary", "kind": "openai_compatible", "base_url": strict.base + "/v1",
                                              "api_key_ref": "env:WRONG"})
        admin(gateway, "POST", "/providers", {"name": "secondary", "kind": "openai_compatible", "base_url": open_mock.base + "/v1"})
        group(gateway, "ha-auth", "mock-demo")
        for _ in range(3):
            response = chat(gateway, "ha-auth")
            assert response.status == 200 and response.headers["x-switchyard-provider"] == "secondary"
        assert requests_to(strict) == 1, "disabled after the first 401"
        entry = next(d for d in admin(gateway, "GET", "/health").json()["deployments"] if d["provider"] == "primary")
        assert "rejected the gateway's credentials" in entry["disabled_reason"]
        assert "sk-wrong" not in json.dumps(admin(gateway, "GET", "/health").json())
        assert admin(gateway, "PATCH", "/providers/primary", {"api_key_ref": "env:RIGHT"}).status == 200
        assert chat(gateway, "ha-auth").headers["x-switchyard-provider"] == "primary"
    finally:
        gateway.kill()
        strict.kill()
        open_mock.kill()


def test_a_single_deployment_is_retried_with_backoff_then_reports_its_error(pair):
    gateway, primary, secondary = pair
    admin(gateway, "POST", "/models", {"name": "solo", "provider": "primary", "upstream_model": "mock-demo:status=502"})
    before = requests_to(primary)
    response = chat(gateway, "solo")
    assert response.status == 502 and response.headers["x-switchyard-attempts"] == "3"
    assert requests_to(primary) - before == 3


def test_a_stream_that_goes_quiet_ends_with_an_error_after_its_idle_timeout(tmp_path):
    mock = start_mock()
    gateway = start_gateway(tmp_path / "var")
    try:
        admin(gateway, "POST", "/providers", {"name": "quiet", "kind": "openai_compatible", "base_url": mock.base + "/v1",
                                              "timeouts": {"stream_idle_ms": 400}})
        assert admin(gateway, "GET", "/providers/quiet").json()["timeouts"]["stream_idle_ms"] == 400
        admin(gateway, "POST", "/models", {"name": "slow-chunks", "provider": "quiet", "upstream_model": "mock-demo:interval=3000"})
        admin(gateway, "POST", "/models", {"name": "steady", "provider": "quiet", "upstream_model": "mock-demo:interval=100"})
        started = time.monotonic()
        events = sse_events(chat(gateway, "slow-chunks", stream=True).body)
        assert time.monotonic() - started < 2.0
        assert json.loads(events[0])["choices"][0]["delta"]["content"] == "Hello"
        error = json.loads(events[-1])["error"]
        assert error["code"] == "upstream_stream_interrupted" and "no data from the upstream for 400 ms" in error["message"]
        # Chunks every 100 ms never trip a 400 ms idle limit, however long the stream runs.
        assert sse_events(chat(gateway, "steady", stream=True).body)[-1] == "[DONE]"
    finally:
        gateway.kill()
        mock.kill()


def test_hedging_serves_the_faster_deployment_when_the_first_is_slow(pair):
    gateway, primary, secondary = pair
    # Its own provider on the primary mock, without the fixture's 400 ms first-byte timeout.
    admin(gateway, "POST", "/providers", {"name": "slow", "kind": "openai_compatible", "base_url": primary.base + "/v1"})
    admin(gateway, "POST", "/models", {"name": "hedged", "provider": "slow", "upstream_model": "mock-demo:latency=1500"})
    admin(gateway, "POST", "/models", {"name": "hedged", "provider": "secondary", "upstream_model": "mock-demo", "priority": 1})
    started = time.monotonic()
    assert chat(gateway, "hedged").headers["x-switchyard-provider"] == "slow"
    assert time.monotonic() - started >= 1.4, "without hedging the slow primary sets the latency"
    assert admin(gateway, "PUT", "/routes/hedged", {"hedge": {"enabled": True, "after_ms": 150}}).status == 201
    for stream in (False, True):
        started = time.monotonic()
        response = chat(gateway, "hedged", stream=stream)
        elapsed = time.monotonic() - started
        assert response.status == 200 and response.headers["x-switchyard-provider"] == "secondary"
        assert elapsed < 1.0, elapsed
        if stream:
            assert sse_events(response.body)[-1] == "[DONE]"
        row = logged_request(gateway, response.headers["x-request-id"])
        attempts = wait_for(lambda: admin(gateway, "GET", f"/requests/{row['id']}").json()["attempts_detail"])
        assert [(a["provider"], a["outcome"]) for a in attempts] == [("slow", "hedge_lost"), ("secondary", "ok")]
    # A fast primary answers before the hedge delay: no second attempt.
    group(gateway, "hedged-fast", "mock-demo")
    admin(gateway, "PUT", "/routes/hedged-fast", {"hedge": {"enabled": True, "after_ms": 300}})
    assert chat(gateway, "hedged-fast").headers["x-switchyard-attempts"] == "1"


def test_stream_recovery_continues_a_cut_stream_on_the_next_deployment(pair):
    gateway, primary, secondary = pair
    group(gateway, "recover", "mock-demo:fault=drop")
    # Without recovery the cut is reported (see above); with it the client gets one stream that completes.
    assert admin(gateway, "PUT", "/routes/recover", {"stream_recovery": "continue"}).json()["stream_recovery"] == "continue"
    response = chat(gateway, "recover", stream=True)
    events = sse_events(response.body)
    assert events[-1] == "[DONE]" and not any('"error"' in e for e in events), events
    chunks = [json.loads(e) for e in events[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    # The primary's first words, then the secondary's whole answer (mock-llm does not read the partial text).
    assert text.startswith("Hello word1") and text.endswith("Hello" + "".join(f" word{i}" for i in range(1, 8)))
    assert sum(1 for c in chunks if c["choices"] and c["choices"][0]["delta"].get("role")) == 1, "one role opener"
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]] == ["stop"]
    row = logged_request(gateway, response.headers["x-request-id"])
    assert row["status"] == 200 and row["attempts"] == 2
    attempts = wait_for(lambda: admin(gateway, "GET", f"/requests/{row['id']}").json()["attempts_detail"])
    assert [(a["provider"], a["outcome"].split(":")[0]) for a in attempts] == [("primary", "stream_cut"), ("secondary", "ok")]


def test_stream_recovery_through_the_anthropic_ingress(pair):
    gateway, primary, secondary = pair
    group(gateway, "recover-msg", "mock-demo:fault=drop")
    admin(gateway, "PUT", "/routes/recover-msg", {"stream_recovery": "continue"})
    from anthropic import Anthropic
    client = Anthropic(base_url=gateway.data, api_key="loopback", max_retries=0)
    with client.messages.stream(model="recover-msg", max_tokens=100, messages=[{"role": "user", "content": "hi"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text.startswith("Hello") and text.endswith(" word7") and final.stop_reason == "end_turn"


def test_a_route_overrides_the_providers_timeouts(tmp_path):
    mock = start_mock()
    gateway = start_gateway(tmp_path / "var")
    try:
        admin(gateway, "POST", "/providers", {"name": "patient", "kind": "openai_compatible", "base_url": mock.base + "/v1"})
        admin(gateway, "POST", "/models", {"name": "impatient", "provider": "patient", "upstream_model": "mock-demo:latency=2000"})
        assert admin(gateway, "PUT", "/routes/impatient", {"timeouts": {"first_byte_ms": 300}, "retries": 0}).json()["timeouts"] == {"first_byte_ms": 300}
        started = time.monotonic()
        response = chat(gateway, "impatient")
        assert response.status == 504 and response.json()["error"]["code"] == "upstream_timeout"
        assert time.monotonic() - started < 1.2
        assert admin(gateway, "PUT", "/routes/impatient", {"timeouts": {"first_byte_ms": 0}}).status == 422
    finally:
        gateway.kill()
        mock.kill()
