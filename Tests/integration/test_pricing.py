"""Pricing that fails loudly and never rewrites history, the global budget, and soft-limit alerts: the
unpriced policy (block on a new install, flag when chosen), effective-dated prices, the cost header,
and the signed, retried alert webhook — through real sockets."""
import hashlib
import hmac
import http.server
import json
import threading
import time

from conftest import add_route, admin, http as request, logged_request, wait_for


def chat(gateway, model, **extra):
    body = {"model": model, "messages": [{"role": "user", "content": "hello"}], **extra}
    return request("POST", gateway.data + "/v1/chat/completions", body)


def add_provider(gateway, mock):
    created = admin(gateway, "POST", "/providers", {"name": "mock", "kind": "openai_compatible", "base_url": mock.base + "/v1"})
    assert created.status == 201, created.body


def test_an_unpriced_model_is_refused_on_a_new_install_and_flagged_when_allowed(new_install, mock):
    gateway = new_install
    assert admin(gateway, "GET", "/settings").json() == {"unpriced_policy": "block", "budget": None, "alert_webhook": None}
    add_provider(gateway, mock)
    unpriced = admin(gateway, "POST", "/models", {"name": "nameless", "provider": "mock", "upstream_model": "mock-demo"}).json()
    assert unpriced["pricing"] is None and unpriced["price_schedule"] == []
    free = admin(gateway, "POST", "/models", {"name": "free", "provider": "mock", "upstream_model": "mock-demo",
                                              "pricing": {"input_per_mtok": 0, "output_per_mtok": 0}}).json()
    assert free["pricing"]["input_per_mtok"] == 0

    refused = chat(gateway, "nameless")
    assert refused.status == 403, refused.body
    error = refused.json()["error"]
    assert error["code"] == "model_unpriced" and "unpriced_policy" in error["message"] and error["param"] == "model"
    row = logged_request(gateway, refused.headers["x-request-id"])
    assert row["status"] == 403 and row["error_type"] == "model_unpriced"
    explained = admin(gateway, "POST", "/route/explain", {"model": "nameless", "messages": [{"role": "user", "content": "x"}]}).json()
    assert "unpriced_policy" in json.dumps(explained)
    # A zero price is a price: the local model is served.
    served_free = chat(gateway, "free")
    assert served_free.status == 200 and not logged_request(gateway, served_free.headers["x-request-id"])["unpriced"]

    bad = admin(gateway, "PATCH", "/settings", {"unpriced_policy": "maybe"})
    assert bad.status == 422 and bad.json()["error"]["field"] == "unpriced_policy"
    assert admin(gateway, "PATCH", "/settings", {"unpriced_policy": "flag"}).json()["unpriced_policy"] == "flag"
    served = chat(gateway, "nameless")
    assert served.status == 200, served.body
    row = logged_request(gateway, served.headers["x-request-id"])
    assert row["unpriced"] is True and row["cost_usd"] == 0 and row["input_tokens"] > 0
    usage = wait_for(lambda: (lambda rows: rows if rows and rows[0]["unpriced_requests"] else None)(
        admin(gateway, "GET", "/usage?group_by=model&model=nameless").json()["data"]))
    assert usage[0]["unpriced_requests"] == 1
    # The alert is raised once per deployment, not once per request.
    assert chat(gateway, "nameless").status == 200
    alerts = wait_for(lambda: admin(gateway, "GET", "/audit?resource=model").json()["data"] or None)
    alerts = [a for a in alerts if a["action"] == "alert"]
    assert len(alerts) == 1 and alerts[0]["after"]["type"] == "model.unpriced" and alerts[0]["resource_id"] == unpriced["id"]
    assert gateway.stderr_text().count("serving an unpriced model") == 1
    metrics = request("GET", gateway.admin + "/metrics", headers={"Authorization": "Bearer " + __import__("conftest").ADMIN_TOKEN})
    assert "switchyard_unpriced_requests_total" in metrics.body.decode()
    audit = admin(gateway, "GET", "/audit?resource=settings").json()["data"]
    assert audit[0]["after"]["unpriced_policy"] == "flag" and audit[0]["before"]["unpriced_policy"] == "block"


def test_a_price_change_never_alters_past_costs_and_future_prices_wait_their_turn(gateway, mock):
    add_provider(gateway, mock)
    model = admin(gateway, "POST", "/models", {"name": "priced", "provider": "mock", "upstream_model": "mock-demo",
                                               "pricing": {"input_per_mtok": 1, "output_per_mtok": 2}}).json()
    first = chat(gateway, "priced")
    assert first.status == 200
    before = logged_request(gateway, first.headers["x-request-id"])
    usage = first.json()["usage"]
    expected = (usage["prompt_tokens"] * 1 + usage["completion_tokens"] * 2) / 1e6
    assert abs(before["cost_usd"] - expected) < 1e-12
    assert abs(float(first.headers["x-switchyard-cost-usd"]) - expected) < 1e-12

    # A price scheduled for next year changes nothing yet.
    next_year = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 365 * 86400))
    scheduled = admin(gateway, "PATCH", f"/models/{model['id']}", {"pricing": {"input_per_mtok": 100, "output_per_mtok": 200,
                                                                                "effective_from": next_year}}).json()
    assert scheduled["pricing"]["input_per_mtok"] == 1 and len(scheduled["price_schedule"]) == 2
    assert abs(float(chat(gateway, "priced").headers["x-switchyard-cost-usd"]) - expected) < 1e-12

    # A price in force now (it cancels the scheduled one) costs the next request tenfold; the first keeps its cost.
    changed = admin(gateway, "PATCH", f"/models/{model['id']}", {"pricing": {"input_per_mtok": 10, "output_per_mtok": 20,
                                                                              "reasoning_per_mtok": 30}}).json()
    assert changed["pricing"]["input_per_mtok"] == 10 and [p["input_per_mtok"] for p in changed["price_schedule"]] == [1, 10]
    second = chat(gateway, "priced")
    after = logged_request(gateway, second.headers["x-request-id"])
    assert abs(after["cost_usd"] - 10 * expected) < 1e-12
    assert logged_request(gateway, first.headers["x-request-id"])["cost_usd"] == before["cost_usd"]


def test_the_global_budget_caps_every_caller(gateway, mock):
    add_route(gateway, mock, name="m1")
    bad = admin(gateway, "PATCH", "/settings", {"budget": {"limit_usd": 1, "period": "hourly"}})
    assert bad.status == 422 and bad.json()["error"]["field"] == "budget.period"
    assert admin(gateway, "PATCH", "/settings", {"budget": {"limit_usd": 0.0001, "period": "daily"}}).status == 200
    statuses = []
    while 429 not in statuses and len(statuses) < 30:
        response = chat(gateway, "m1", max_tokens=8)
        statuses.append(response.status)
    assert statuses[0] == 200 and statuses[-1] == 429
    error = response.json()["error"]
    assert error["code"] == "budget_exceeded" and "global budget" in error["message"] and "resets at" in error["message"]
    forecast = wait_for(lambda: [b for b in admin(gateway, "GET", "/usage/forecast").json()["data"]
                                 if b["scope"] == "global" and b["spent_usd"] > 0] or None)
    assert forecast[0]["period"] == "daily" and forecast[0]["limit_usd"] == 0.0001
    assert admin(gateway, "PATCH", "/settings", {"budget": None}).json()["budget"] is None
    assert chat(gateway, "m1", max_tokens=8).status == 200


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records webhook posts; answers 500 to the first, as a receiver briefly down would."""
    posts = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        Receiver.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(500 if len(Receiver.posts) == 1 else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_soft_limit_alerts_once_with_a_signed_webhook_retried_until_received(gateway, mock):
    Receiver.posts = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        signing_secret = "whsec-test-signing-secret-4711"
        assert admin(gateway, "PUT", "/secrets/alert-hook", {"value": signing_secret}).status == 201
        webhook = {"url": f"http://127.0.0.1:{server.server_address[1]}/hooks/budget", "secret_ref": "secret:alert-hook"}
        bad = admin(gateway, "PATCH", "/settings", {"alert_webhook": {"url": "ftp://x"}})
        assert bad.status == 422 and bad.json()["error"]["field"] == "alert_webhook.url"
        assert admin(gateway, "PATCH", "/settings", {"alert_webhook": webhook}).json()["alert_webhook"] == webhook
        add_route(gateway, mock, name="m1")
        team = admin(gateway, "POST", "/teams", {"name": "alerted", "budget": {"limit_usd": 1, "period": "daily", "soft_limit_pct": 1}}).json()
        key = admin(gateway, "POST", "/keys", {"name": "k", "team": team["id"]}).json()
        spent = 0.0
        while spent < 0.01 * 1 * 3:
            response = request("POST", gateway.data + "/v1/chat/completions",
                               {"model": "m1", "messages": [{"role": "user", "content": "x" * 2000}], "max_tokens": 8},
                               headers={"Authorization": "Bearer " + key["key"]})
            assert response.status == 200, response.body
            spent += float(response.headers["x-switchyard-cost-usd"])
        # The first post is answered 500; the retry a second later is accepted.
        wait_for(lambda: len(Receiver.posts) >= 2, timeout=15)
        time.sleep(0.5)  # a third post would be a second alert; give it the chance to show
        assert len(Receiver.posts) == 2
        (headers, body), (retry_headers, retry_body) = Receiver.posts
        assert body == retry_body
        for h, b in Receiver.posts:
            signed = h["x-switchyard-timestamp"].encode() + b"." + b
            assert h["x-switchyard-signature"] == "sha256=" + hmac.new(signing_secret.encode(), signed, hashlib.sha256).hexdigest()
        alert = json.loads(body)
        assert alert["type"] == "budget.soft_limit" and alert["budget"]["scope"] == "team" and alert["budget"]["id"] == team["id"]
        assert alert["budget"]["period"] == "daily" and alert["spent_usd"] >= 0.01 and alert["period_end"] > alert["period_start"]
        audited = admin(gateway, "GET", "/audit?resource=budget").json()["data"]
        assert len(audited) == 1 and audited[0]["action"] == "alert" and audited[0]["actor"] == "alerts"
        assert audited[0]["after"]["id"] == alert["id"]
        everything = json.dumps(admin(gateway, "GET", "/audit?limit=500").json()) + gateway.stderr_text() + json.dumps(
            admin(gateway, "GET", "/settings").json())
        assert signing_secret not in everything
        assert "alert webhook failed; retrying" in gateway.stderr_text()
    finally:
        server.shutdown()
