"""Virtual keys, teams and budgets through real sockets: the key lifecycle, model allow-lists, per-key and
per-team rate limits, hard budgets under concurrency, the budget error, key spend, and what the request
log records about the caller."""
import concurrent.futures
import json
import time

from conftest import ADMIN_TOKEN, add_route, admin, http, logged_request, wait_for


def call(gateway, key, model="m1", **extra):
    body = {"model": model, "messages": [{"role": "user", "content": "hello"}], **extra}
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return http("POST", gateway.data + "/v1/chat/completions", body, headers=headers)


def create_key(gateway, **fields):
    response = admin(gateway, "POST", "/keys", {"name": "test", **fields})
    assert response.status == 201, response.body
    return response.json()


def test_key_lifecycle_and_model_allow_list(gateway, mock):
    add_route(gateway, mock, name="m1")
    add_route(gateway, mock, name="other")
    assert call(gateway, None).status == 200  # no keys yet: the loopback demo needs none
    created = create_key(gateway, allowed_models=["m*"])
    secret = created["key"]
    assert secret.startswith("sk-sy-") and len(secret) == 6 + 64 and created["prefix"] == secret[:12]
    # Once a key exists everyone needs one.
    missing = call(gateway, None)
    assert missing.status == 401 and missing.json()["error"]["code"] == "missing_api_key"
    assert call(gateway, "sk-sy-" + "0" * 64).json()["error"]["code"] == "invalid_api_key"
    ok = call(gateway, secret)
    assert ok.status == 200
    row = logged_request(gateway, ok.headers["x-request-id"])
    assert row["key_id"] == created["id"] and row["team"] is None
    via_header = http("POST", gateway.data + "/v1/chat/completions", {"model": "m1", "messages": [{"role": "user", "content": "x"}]},
                      headers={"x-api-key": secret})
    assert via_header.status == 200
    forbidden = call(gateway, secret, model="other")
    assert forbidden.status == 403 and forbidden.json()["error"]["code"] == "model_not_allowed"
    models = http("GET", gateway.data + "/v1/models", headers={"Authorization": f"Bearer {secret}"}).json()
    assert [m["id"] for m in models["data"]] == ["m1"]
    # The secret is shown once: never by GET, never in the list, never in the log.
    key_id = created["id"]
    for body in (admin(gateway, "GET", f"/keys/{key_id}").body, admin(gateway, "GET", "/keys").body,
                 admin(gateway, "GET", "/requests").body, admin(gateway, "GET", "/config").body):
        assert secret.encode() not in body and secret[12:].encode() not in body
    assert admin(gateway, "PATCH", f"/keys/{key_id}", {"enabled": False}).status == 200
    assert call(gateway, secret).json()["error"]["code"] == "key_disabled"
    assert admin(gateway, "PATCH", f"/keys/{key_id}", {"enabled": True, "expires_at": "2020-01-01T00:00:00Z"}).status == 200
    expired = call(gateway, secret)
    assert expired.status == 401 and expired.json()["error"]["code"] == "key_expired"
    assert admin(gateway, "PATCH", f"/keys/{key_id}", {"expires_at": None}).status == 200
    assert call(gateway, secret).status == 200
    assert admin(gateway, "DELETE", f"/keys/{key_id}").status == 204
    assert admin(gateway, "GET", f"/keys/{key_id}").status == 404
    assert call(gateway, None).status == 200  # with no key left the loopback demo is open again
    assert secret not in gateway.stderr_text()


def test_bad_key_and_team_payloads_name_the_field(gateway):
    for body, field in (({"name": ""}, "name"), ({"name": "k", "budget": {"limit_usd": 1, "period": "hourly"}}, "budget.period"),
                        ({"name": "k", "budget": {"period": "daily"}}, "budget.limit_usd"), ({"name": "k", "team": "nope"}, "team"),
                        ({"name": "k", "allowed_models": "gpt"}, "allowed_models"), ({"name": "k", "rpm": -1}, "rpm"),
                        ({"name": "k", "expires_at": "tomorrow"}, "expires_at"), ({"name": "k", "colour": 1}, "colour")):
        response = admin(gateway, "POST", "/keys", body)
        assert response.status == 422 and response.json()["error"]["field"] == field, (body, response.body)
    assert admin(gateway, "POST", "/teams", {"name": "Not A Slug"}).status == 422
    team = admin(gateway, "POST", "/teams", {"name": "search"}).json()
    assert admin(gateway, "POST", "/teams", {"name": "search"}).status == 409
    create_key(gateway, team="search")
    assert admin(gateway, "DELETE", f"/teams/{team['id']}").status == 409


def test_key_and_team_rate_limits(gateway, mock):
    add_route(gateway, mock, name="m1")
    admin(gateway, "POST", "/teams", {"name": "small", "rpm": 3})
    key = create_key(gateway, rpm=2)["key"]
    assert [call(gateway, key).status for _ in range(3)] == [200, 200, 429]
    limited = call(gateway, key)
    assert limited.json()["error"]["code"] == "rate_limit_exceeded" and int(limited.headers["retry-after"]) >= 1
    first, second = create_key(gateway, team="small")["key"], create_key(gateway, team="small")["key"]
    statuses = [call(gateway, first).status, call(gateway, second).status, call(gateway, first).status, call(gateway, second).status]
    assert statuses == [200, 200, 200, 429]


def test_a_hard_budget_is_never_exceeded_under_concurrency(gateway, mock):
    # Each answer costs 1 input token × $1/M + 8 output tokens × $2/M = $0.000017; with max_tokens 8 a request
    # reserves at most (body bytes × $1 + 8 × $2) per million, so the budget admits only a few at a time.
    add_route(gateway, mock, name="m1", upstream_model="mock-demo:latency=50")
    admin(gateway, "POST", "/teams", {"name": "capped", "budget": {"limit_usd": 0.0005, "period": "daily"}})
    key = create_key(gateway, team="capped")
    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(lambda _: call(gateway, key["key"], max_tokens=8), range(50)))
    ok = [r for r in responses if r.status == 200]
    refused = [r for r in responses if r.status == 429]
    assert ok and refused and len(ok) + len(refused) == 50
    error = refused[0].json()["error"]
    assert error["type"] == "budget_exceeded" and "team 'capped'" in error["message"] and "resets at" in error["message"]
    assert int(refused[0].headers["retry-after"]) > 0

    def settled():
        rows = admin(gateway, "GET", "/requests?limit=100").json()["data"]
        return rows if len(rows) == 50 else None
    rows = wait_for(settled)
    assert sum(r["cost_usd"] for r in rows) <= 0.0005 + 1e-12
    rejected = [r for r in rows if r["status"] == 429]
    assert rejected and all(r["error_type"] == "budget_exceeded" and r["key_id"] == key["id"] and r["team"] for r in rejected)
    assert all(r["cost_usd"] == 0 and r["attempts"] == 0 for r in rejected)
    spend = admin(gateway, "GET", f"/keys/{key['id']}/spend").json()
    assert abs(spend["spent_usd"] - sum(r["cost_usd"] for r in rows)) < 1e-12 and spend["requests"] == 50
    assert spend["budget"] is None and spend["by_model"][0]["model"] == "m1"


def test_key_budget_spend_and_log_bodies(gateway, mock):
    add_route(gateway, mock, name="m1")
    key = create_key(gateway, budget={"limit_usd": 1, "period": "monthly", "soft_limit_pct": 1}, log_bodies=True)
    response = call(gateway, key["key"], max_tokens=16)
    assert response.status == 200
    row = logged_request(gateway, response.headers["x-request-id"])
    assert json.loads(row["request_body"])["max_tokens"] == 16 and json.loads(row["response_body"])["object"] == "chat.completion"
    spend = wait_for(lambda: (lambda s: s if s["requests"] == 1 else None)(admin(gateway, "GET", f"/keys/{key['id']}/spend").json()))
    assert spend["budget"]["period"] == "monthly" and spend["period_start"].endswith("T00:00:00.000Z")
    assert abs(spend["remaining_usd"] - (1 - row["cost_usd"])) < 1e-12 and spend["resets_at"] > spend["period_start"]
    assert admin(gateway, "GET", "/keys/key_missing/spend").status == 404


def test_budget_spend_survives_a_restart(tmp_path, mock):
    from conftest import start_gateway
    gateway = start_gateway(tmp_path / "var")
    try:
        add_route(gateway, mock, name="m1")
        key = create_key(gateway, budget={"limit_usd": 0.00015, "period": "total"})
        statuses = []
        while 429 not in statuses and len(statuses) < 20:
            statuses.append(call(gateway, key["key"], max_tokens=8).status)
        assert statuses[0] == 200 and statuses[-1] == 429
    finally:
        gateway.kill(__import__("signal").SIGTERM)
    gateway = start_gateway(tmp_path / "var")
    try:
        # The spend read back from the request log still leaves no room.
        refused = call(gateway, key["key"], max_tokens=8)
        assert refused.status == 429 and refused.json()["error"]["code"] == "budget_exceeded"
        assert "does not reset" in refused.json()["error"]["message"]
    finally:
        gateway.kill()


def test_forecast_projects_each_budget_to_the_end_of_its_period(gateway, mock):
    add_route(gateway, mock, name="m1")
    admin(gateway, "POST", "/teams", {"name": "fc", "budget": {"limit_usd": 0.0002, "period": "monthly"}})
    key = create_key(gateway, team="fc", budget={"limit_usd": 5, "period": "daily"})
    forever = create_key(gateway, budget={"limit_usd": 5, "period": "total"})
    assert call(gateway, key["key"], max_tokens=8).status == 200
    wait_for(lambda: admin(gateway, "GET", f"/keys/{key['id']}/spend").json()["requests"] == 1)
    rows = {(r["scope"], r["id"]): r for r in admin(gateway, "GET", "/usage/forecast").json()["data"]}
    team = next(r for r in rows.values() if r["scope"] == "team" and r["name"] == "fc")
    assert team["spent_usd"] > 0 and team["projected_usd"] >= team["spent_usd"]
    assert team["will_exceed"] is (team["projected_usd"] > team["limit_usd"])
    daily = next(r for r in rows.values() if r["id"] == key["id"])
    assert daily["period"] == "daily" and daily["will_exceed"] is False and daily["projected_pct"] < 100
    total = next(r for r in rows.values() if r["id"] == forever["id"])
    assert total["period_end"] is None and total["projected_usd"] is None and total["spent_usd"] == 0
