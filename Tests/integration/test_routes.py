"""The routes resource: strategies over a route group, fallbacks across public names, the context-window
skip, retries and validation."""
from collections import Counter

from conftest import admin, chat, http, start_gateway, start_mock
from test_failover import pair, group  # noqa: F401 (fixture and helper)


def providers_serving(gateway, name, count=40):
    return Counter(chat(gateway, name).headers["x-switchyard-provider"] for _ in range(count))


def test_round_robin_and_weighted_spread_the_load(pair):
    gateway, primary, secondary = pair
    group(gateway, "rr", "mock-demo")
    assert providers_serving(gateway, "rr", 10) == {"primary": 10}, "priority by default"
    created = admin(gateway, "PUT", "/routes/rr", {"strategy": "round_robin"})
    assert created.status == 201 and created.json()["strategy"] == "round_robin"
    assert providers_serving(gateway, "rr", 40) == {"primary": 20, "secondary": 20}
    models = admin(gateway, "GET", "/models?name=rr").json()["data"]
    weights = {"primary": 1, "secondary": 3}
    for model in models:
        assert admin(gateway, "PATCH", f"/models/{model['id']}", {"weight": weights[model["provider_name"]]}).status == 200
    assert admin(gateway, "PUT", "/routes/rr", {"strategy": "weighted"}).status == 200
    counts = providers_serving(gateway, "rr", 200)
    assert 110 <= counts["secondary"] <= 185, counts


def test_lowest_cost_prefers_the_cheaper_deployment(pair):
    gateway, primary, secondary = pair
    admin(gateway, "POST", "/models", {"name": "cheap", "provider": "primary", "upstream_model": "mock-demo",
                                       "pricing": {"input_per_mtok": 5, "output_per_mtok": 15}})
    admin(gateway, "POST", "/models", {"name": "cheap", "provider": "secondary", "upstream_model": "mock-demo", "priority": 5,
                                       "pricing": {"input_per_mtok": 0.1, "output_per_mtok": 0.4}})
    admin(gateway, "PUT", "/routes/cheap", {"strategy": "lowest_cost"})
    assert providers_serving(gateway, "cheap", 5) == {"secondary": 5}


def test_fallbacks_serve_when_the_whole_group_fails(pair):
    gateway, primary, secondary = pair
    admin(gateway, "POST", "/models", {"name": "gpt-main", "provider": "primary", "upstream_model": "mock-demo:status=500"})
    admin(gateway, "POST", "/models", {"name": "local-backup", "provider": "secondary", "upstream_model": "mock-demo"})
    assert chat(gateway, "gpt-main").status == 502
    assert admin(gateway, "PUT", "/routes/gpt-main", {"fallbacks": ["local-backup"], "retries": 1}).status == 201
    response = chat(gateway, "gpt-main")
    assert response.status == 200 and response.headers["x-switchyard-provider"] == "secondary"
    assert response.headers["x-switchyard-attempts"] == "2"


def test_prompts_longer_than_a_context_window_skip_that_deployment(pair):
    gateway, primary, secondary = pair
    admin(gateway, "POST", "/models", {"name": "ctx", "provider": "primary", "upstream_model": "mock-demo", "context_window": 50})
    admin(gateway, "POST", "/models", {"name": "ctx", "provider": "secondary", "upstream_model": "mock-demo", "priority": 1,
                                       "context_window": 100000})
    assert chat(gateway, "ctx").headers["x-switchyard-provider"] == "primary"
    long_prompt = [{"role": "user", "content": "word " * 400}]
    assert chat(gateway, "ctx", messages=long_prompt).headers["x-switchyard-provider"] == "secondary"
    admin(gateway, "POST", "/models", {"name": "tiny", "provider": "primary", "upstream_model": "mock-demo", "context_window": 10})
    refused = chat(gateway, "tiny", messages=long_prompt)
    assert refused.status == 400 and refused.json()["error"]["code"] == "context_length_exceeded"


def test_route_validation_and_lifecycle(tmp_path):
    gateway = start_gateway(tmp_path / "var")
    try:
        for body, field in (({"strategy": "fastest"}, "strategy"), ({"fallbacks": "b"}, "fallbacks"), ({"fallbacks": ["x", "x"]}, "fallbacks"),
                            ({"fallbacks": ["self"]}, "fallbacks"), ({"retries": 9}, "retries"), ({"timeout_ms": 0}, "timeout_ms"),
                            ({"hedge": {"enabled": True}}, "hedge.after_ms"), ({"cache": {"enabled": "yes"}}, "cache.enabled"),
                            ({"cache": {"ttl": 5}}, "cache.ttl"),
                            ({"colour": 1}, "colour")):
            response = admin(gateway, "PUT", "/routes/self", body)
            assert response.status == 422 and response.json()["error"]["field"] == field, (body, response.body)
        assert admin(gateway, "PUT", "/routes/a", {"strategy": "least_busy", "fallbacks": ["b"], "timeout_ms": 30000,
                                                    "hedge": {"enabled": False, "after_ms": 800}}).status == 201
        route = admin(gateway, "GET", "/routes/a").json()
        assert (route["strategy"], route["fallbacks"], route["timeout_ms"], route["hedge"]["after_ms"]) == ("least_busy", ["b"], 30000, 800)
        assert admin(gateway, "PUT", "/routes/a", {}).json()["strategy"] == "priority", "PUT replaces the whole route"
        assert [r["name"] for r in admin(gateway, "GET", "/routes").json()["data"]] == ["a"]
        assert admin(gateway, "DELETE", "/routes/a").status == 204
        assert admin(gateway, "GET", "/routes/a").status == 404
    finally:
        gateway.kill()


def test_rate_limits_move_requests_on_and_answer_429_when_none_can_take_them(pair):
    gateway, primary, secondary = pair
    admin(gateway, "POST", "/models", {"name": "limited", "provider": "primary", "upstream_model": "mock-demo", "rpm": 2})
    admin(gateway, "POST", "/models", {"name": "limited", "provider": "secondary", "upstream_model": "mock-demo", "priority": 1, "rpm": 1})
    served = [chat(gateway, "limited") for _ in range(4)]
    assert [r.headers.get("x-switchyard-provider") for r in served[:3]] == ["primary", "primary", "secondary"]
    refused = served[3]
    assert refused.status == 429 and refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # A provider-wide token limit covers every deployment on it.
    assert admin(gateway, "PATCH", "/providers/secondary", {"tpm": 5000}).status == 200
    admin(gateway, "POST", "/models", {"name": "tokens", "provider": "secondary", "upstream_model": "mock-demo"})
    assert chat(gateway, "tokens", max_tokens=4000).status == 200
    # The up-front charge (prompt estimate + 4,000) was settled to the few tokens actually used, so this fits too.
    assert chat(gateway, "tokens", max_tokens=4900).status == 200
    # Asking for more than the whole budget needs a full bucket, which it is not: refused until it refills.
    limited = chat(gateway, "tokens", max_tokens=20000)
    assert limited.status == 429 and limited.headers.get("retry-after") == "1"


def test_session_affinity_keeps_a_session_on_one_deployment_and_moves_it_when_that_fails(pair):
    gateway, primary, secondary = pair
    group(gateway, "sticky", "mock-demo")
    assert admin(gateway, "PUT", "/routes/sticky", {"strategy": "round_robin", "affinity": {"ttl_s": 60}}).status == 201
    def ask(session=None):
        headers = {"x-session-id": session} if session else {}
        return http("POST", gateway.data + "/v1/chat/completions",
                    {"model": "sticky", "messages": [{"role": "user", "content": "hi"}]}, headers)
    alice = {ask("alice").headers["x-switchyard-provider"] for _ in range(6)}
    assert len(alice) == 1
    assert {ask().headers["x-switchyard-provider"] for _ in range(6)} == {"primary", "secondary"}, "round robin without a session"
    pinned = alice.pop()
    other = "secondary" if pinned == "primary" else "primary"
    failing = next(m for m in admin(gateway, "GET", "/models?name=sticky").json()["data"] if m["provider_name"] == pinned)
    assert admin(gateway, "PATCH", f"/models/{failing['id']}", {"upstream_model": "mock-demo:status=500"}).status == 200
    moved = ask("alice")
    assert moved.status == 200 and moved.headers["x-switchyard-provider"] == other
    # Now pinned to the healthy one: served there first, with no failed attempt on the way.
    for _ in range(4):
        response = ask("alice")
        assert response.headers["x-switchyard-provider"] == other and response.headers["x-switchyard-attempts"] == "1"


def test_route_explain_shows_the_order_and_why_deployments_are_skipped(pair):
    gateway, primary, secondary = pair
    group(gateway, "ex", "mock-demo:status=500")
    admin(gateway, "POST", "/models", {"name": "ex", "provider": "secondary", "upstream_model": "mock-small", "priority": 2,
                                       "context_window": 5})
    admin(gateway, "POST", "/models", {"name": "ex-backup", "provider": "secondary", "upstream_model": "mock-demo", "rpm": 1})
    admin(gateway, "PUT", "/routes/ex", {"fallbacks": ["ex-backup"]})
    body = {"model": "ex", "messages": [{"role": "user", "content": "explain " * 20}]}
    explained = admin(gateway, "POST", "/route/explain", body).json()
    assert explained["strategy"] == "priority" and explained["fallbacks"] == ["ex-backup"]
    assert [(c["provider"], c["model"], c["position"]) for c in explained["candidates"]] == [
        ("primary", "ex", 1), ("secondary", "ex", 2), ("secondary", "ex-backup", 3)]
    assert [s["upstream_model"] for s in explained["set_aside"]] == ["mock-small"]
    assert "context window 5" in explained["set_aside"][0]["reason"]
    for _ in range(5):
        assert chat(gateway, "ex").status == 200  # the primary fails five times: its breaker opens
    assert chat(gateway, "ex-backup").status == 200  # spends ex-backup's only request this minute
    explained = admin(gateway, "POST", "/route/explain", body).json()
    reasons = {(c["provider"], c["model"]): c["reason"] for c in explained["candidates"]}
    assert reasons[("primary", "ex")] == "circuit open"
    assert reasons[("secondary", "ex")] == "eligible"
    assert reasons[("secondary", "ex-backup")].startswith("rate limited")
    assert admin(gateway, "POST", "/route/explain", {"model": "nope", "messages": [{"role": "user", "content": "x"}]}).status == 404
    assert admin(gateway, "POST", "/route/explain", {"messages": []}).status == 400


def test_a_provider_saying_its_quota_is_nearly_spent_is_demoted_before_it_answers_429(pair):
    gateway, primary, secondary = pair
    group(gateway, "quota", "mock-demo:remaining=2")  # 2 of 100 requests left, resetting in 30 s
    first = chat(gateway, "quota")
    assert first.headers["x-switchyard-provider"] == "primary"
    for _ in range(3):
        response = chat(gateway, "quota")
        assert response.headers["x-switchyard-provider"] == "secondary" and response.headers["x-switchyard-attempts"] == "1"


def test_parameters_a_model_refuses_are_dropped_or_refused_per_route(pair):
    gateway, primary, secondary = pair
    reasoner = "mock-demo:refuse=temperature"  # mock-llm answers 400 when this model gets a temperature
    admin(gateway, "POST", "/models", {"name": "reasoner", "provider": "primary", "upstream_model": reasoner})
    assert chat(gateway, "reasoner", temperature=0.2).status == 400, "unknown to the catalog: forwarded, and refused upstream"
    entry = admin(gateway, "POST", "/catalog", {"kind": "openai_compatible", "model": reasoner, "unsupported_params": ["temperature", "top_p"]})
    assert entry.status == 201 and entry.json()["unsupported_params"] == ["temperature", "top_p"]
    dropped = chat(gateway, "reasoner", temperature=0.2)
    assert dropped.status == 200 and dropped.headers["x-switchyard-attempts"] == "1"
    assert admin(gateway, "PUT", "/routes/reasoner", {"unsupported_params": "reject"}).status == 201
    refused = chat(gateway, "reasoner", temperature=0.2)
    assert refused.status == 400 and refused.json()["error"]["code"] == "unsupported_parameter"
    assert refused.json()["error"]["param"] == "temperature"
    assert chat(gateway, "reasoner").status == 200, "without the parameter nothing is refused"
    # With another deployment that accepts it, a rejecting route sends the request there instead.
    admin(gateway, "POST", "/models", {"name": "reasoner", "provider": "secondary", "upstream_model": "mock-demo", "priority": 1})
    served = chat(gateway, "reasoner", temperature=0.2)
    assert served.status == 200 and served.headers["x-switchyard-provider"] == "secondary"
    assert admin(gateway, "PUT", "/routes/reasoner", {"unsupported_params": "sometimes"}).status == 422
    assert admin(gateway, "POST", "/catalog", {"kind": "openai", "model": "x", "unsupported_params": ["Temperature!"]}).status == 422
