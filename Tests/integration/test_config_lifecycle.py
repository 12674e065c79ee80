"""Config as a product: numbered versions with author and summary, diffs, rollback, export and import
(planned with dry_run, applied all-or-nothing), and runtime state that an import cannot reset."""
import copy

from conftest import add_route, admin, chat, http, start_gateway, wait_for


def export(gateway):
    response = admin(gateway, "GET", "/config/export")
    assert response.status == 200, response.body
    return response.json()


def without_version(document):
    return {name: value for name, value in document.items() if name != "version"}


def version(gateway):
    return export(gateway)["version"]


def test_every_change_is_a_version_with_author_summary_and_a_diff(gateway, mock):
    start = version(gateway)
    add_route(gateway, mock, name="v-model")
    model = admin(gateway, "GET", "/models?limit=10").json()["data"][0]
    assert admin(gateway, "PATCH", f"/models/{model['id']}", {"weight": 7}).status == 200
    versions = admin(gateway, "GET", "/config/versions?limit=3").json()["data"]
    assert [v["version"] for v in versions] == [start + 3, start + 2, start + 1]
    assert versions[0]["summary"].startswith("update model") and versions[0]["author"].startswith("admin-token:")
    assert versions[0]["changes"] == 1 and versions[0]["recorded"]
    diff = admin(gateway, "GET", f"/config/diff?from={start + 2}&to={start + 3}").json()
    assert [(c["kind"], c["change"]) for c in diff["changes"]] == [("model", "changed")]
    assert diff["changes"][0]["before"]["weight"] == 1 and diff["changes"][0]["after"]["weight"] == 7
    created = admin(gateway, "GET", f"/config/diff?from={start}&to={start + 3}").json()["changes"]
    assert {(c["kind"], c["change"]) for c in created} == {("provider", "created"), ("model", "created")}
    whole = admin(gateway, "GET", f"/config/versions/{start + 2}").json()
    assert [m["weight"] for m in whole["models"]] == [1] and whole["version"] == start + 2
    assert admin(gateway, "GET", "/config/versions/9999").status == 404
    assert admin(gateway, "GET", "/config/diff?from=x").status == 400


def test_rollback_publishes_an_old_version_as_a_new_one(gateway, mock):
    add_route(gateway, mock, name="kept")
    good = version(gateway)
    good_document = export(gateway)
    add_route(gateway, mock, name="later")
    kept = next(m for m in admin(gateway, "GET", "/models").json()["data"] if m["name"] == "kept")
    assert admin(gateway, "DELETE", f"/models/{kept['id']}").status == 204
    assert chat(gateway, "kept").status == 404
    rolled = admin(gateway, "POST", "/config/rollback", {"version": good})
    assert rolled.status == 200, rolled.body
    result = rolled.json()
    assert result["version"] == good + 3
    assert {(c["kind"], c["id"]) for c in result["plan"]["created"]} == {("model", kept["id"])}
    assert any(c["kind"] == "model" for c in result["plan"]["deleted"])
    assert without_version(export(gateway)) == without_version(good_document)
    assert chat(gateway, "kept").status == 200 and chat(gateway, "later").status == 404
    latest = admin(gateway, "GET", "/config/versions?limit=1").json()["data"][0]
    assert latest["summary"].startswith(f"roll back to version {good}")
    assert admin(gateway, "POST", "/config/rollback", {"version": 0}).status == 422
    assert admin(gateway, "POST", "/config/rollback", {}).status == 422


def seed_everything(gateway, mock):
    add_route(gateway, mock, name="alpha")
    add_route(gateway, mock, name="beta", upstream_model="mock-demo:latency=1")
    alpha = next(m for m in admin(gateway, "GET", "/models").json()["data"] if m["name"] == "alpha")
    assert admin(gateway, "PATCH", f"/models/{alpha['id']}",
                 {"pricing": {"input_per_mtok": 3, "output_per_mtok": 9, "effective_from": "2030-01-01T00:00:00Z"}}).status == 200
    assert admin(gateway, "PUT", "/routes/alpha", {"strategy": "round_robin", "fallbacks": ["beta"], "cache": {"enabled": True, "ttl_s": 60}}).status in (200, 201)
    team = admin(gateway, "POST", "/teams", {"name": "research", "budget": {"limit_usd": 50, "period": "monthly", "soft_limit_pct": 80}}).json()
    key = admin(gateway, "POST", "/keys", {"name": "notebook", "team": team["id"], "allowed_models": ["alpha"], "rpm": 100}).json()
    assert admin(gateway, "PATCH", "/settings", {"unpriced_policy": "block"}).status == 200
    return key


def test_export_then_import_elsewhere_gives_the_identical_config_and_a_new_version(gateway, mock, tmp_path):
    key = seed_everything(gateway, mock)
    document = export(gateway)
    assert document["format"] == "switchyard-config/1"
    assert {"key_hash", "prefix"} <= set(document["keys"][0]) and "key" not in document["keys"][0]
    other = start_gateway(tmp_path / "other")
    try:
        before = version(other)
        plan = admin(other, "POST", "/config/import?dry_run=true", document).json()
        assert plan["dry_run"] and plan["version"] == before and version(other) == before
        applied = admin(other, "POST", "/config/import?dry_run=false", document)
        assert applied.status == 200, applied.body
        assert applied.json()["version"] == before + 1
        assert without_version(export(other)) == without_version(document)
        # The imported key works there: it is the same key (by hash).
        answer = http("POST", other.data + "/v1/chat/completions", {"model": "alpha", "messages": [{"role": "user", "content": "x"}]},
                      headers={"Authorization": f"Bearer {key['key']}"})
        assert answer.status == 200, answer.body
        # Importing the same document again changes nothing.
        again = admin(other, "POST", "/config/import?dry_run=true", document).json()["plan"]
        assert again["created"] == [] and again["changed"] == [] and again["deleted"] == []
    finally:
        other.kill()


def test_a_dry_run_plan_is_exactly_what_applying_does(gateway, mock):
    seed_everything(gateway, mock)
    document = export(gateway)
    start = document["version"]
    changed = copy.deepcopy(document)
    changed["models"][0]["weight"] = 5
    removed_team = changed["teams"].pop()
    changed["keys"] = []
    changed["routes"].append({"name": "gamma", "strategy": "priority", "fallbacks": [], "retries": 1, "timeout_ms": None, "cache": {},
                              "hedge": {}, "affinity": None, "unsupported_params": "drop", "stream_recovery": "off", "timeouts": {}})
    plan = admin(gateway, "POST", "/config/import?dry_run=true", changed).json()["plan"]
    assert version(gateway) == start, "a dry run changes nothing"
    assert plan["created"] == [{"kind": "route", "id": "gamma"}]
    assert plan["changed"] == [{"kind": "model", "id": changed["models"][0]["id"]}]
    assert {(c["kind"], c["id"]) for c in plan["deleted"]} == {("team", removed_team["id"]), ("key", document["keys"][0]["id"])}
    applied = admin(gateway, "POST", "/config/import", changed).json()
    assert applied["plan"] == plan and applied["version"] == start + 1
    after = export(gateway)
    assert after["models"][0]["weight"] == 5 and [r["name"] for r in after["routes"]] == ["alpha", "gamma"]
    assert after["teams"] == [] and after["keys"] == []
    diff = admin(gateway, "GET", f"/config/diff?from={start}&to={start + 1}").json()["changes"]
    assert len(diff) == len(plan["created"]) + len(plan["changed"]) + len(plan["deleted"])


def test_an_invalid_import_changes_nothing_and_names_the_field(gateway, mock):
    seed_everything(gateway, mock)
    document = export(gateway)
    cases = [
        ({**document, "format": "other"}, "format"),
        ({**document, "models": document["models"] + [{**document["models"][0], "id": "mdl_new", "provider": "nowhere"}]}, "models[2].provider"),
        ({**document, "models": [{**document["models"][0], "price_schedule": [{"input_per_mtok": -1, "output_per_mtok": 1}]}]},
         "models[0].price_schedule[0].input_per_mtok"),
        ({**document, "teams": document["teams"] * 2}, "teams[1].id"),
        ({**document, "keys": [{**document["keys"][0], "key_hash": "xyz"}]}, "keys[0].key_hash"),
        ({**document, "providers": [{**document["providers"][0], "kind": "telepathy"}]}, "providers[0].kind"),
        ({**document, "routes": "none"}, "routes"),
        ({**document, "surprise": 1}, "surprise"),
    ]
    for bad, field in cases:
        response = admin(gateway, "POST", "/config/import", bad)
        assert response.status == 422, (field, response.body)
        assert response.json()["error"]["field"] == field, response.json()
    assert admin(gateway, "POST", "/config/import", b"not json").status == 400
    assert export(gateway) == document, "nothing was applied"


def test_an_import_cannot_reset_runtime_state(gateway, mock):
    key = seed_everything(gateway, mock)
    for _ in range(3):
        assert http("POST", gateway.data + "/v1/chat/completions", {"model": "alpha", "messages": [{"role": "user", "content": "x"}]},
                    headers={"Authorization": f"Bearer {key['key']}"}).status == 200
    spent = wait_for(lambda: (lambda s: s if s["requests"] == 3 else None)(admin(gateway, "GET", f"/keys/{key['id']}/spend").json()))
    document = export(gateway)
    document["keys"][0]["rpm"] = 200
    assert admin(gateway, "POST", "/config/import", document).status == 200
    after = admin(gateway, "GET", f"/keys/{key['id']}/spend").json()
    assert after["requests"] == 3 and after["spent_usd"] == spent["spent_usd"]
