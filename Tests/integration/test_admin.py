"""The admin API: auth, validation, CRUD, config versions, request-log listing."""
from conftest import ADMIN_TOKEN, add_route, admin, chat, http


def test_admin_requires_the_token(gateway):
    assert admin(gateway, "GET", "/providers", token=None).status == 401
    assert admin(gateway, "GET", "/providers", token="wrong-token-wrong-token").status == 401
    assert admin(gateway, "GET", "/providers").status == 200
    assert http("GET", gateway.admin + "/healthz").json() == {"status": "ok"}
    assert http("GET", gateway.admin + "/readyz").json()["status"] == "ready"


def test_bad_admin_payloads_name_the_field(new_install, mock):
    gateway = new_install
    cases = [
        (b"{nope", 400, None),
        ({"name": "x"}, 422, "kind"),
        ({"name": "Upper Case", "kind": "openai"}, 422, "name"),
        ({"name": "x", "kind": "openai", "api_key_ref": "sk-plain-key"}, 422, "api_key_ref"),
        ({"name": "x", "kind": "openai", "surprise": 1}, 422, "surprise"),
        ({"name": "x", "kind": "openai", "timeouts": {"connect_ms": -5}}, 422, "timeouts.connect_ms"),
    ]
    for payload, status, field in cases:
        response = admin(gateway, "POST", "/providers", payload)
        assert response.status == status, (payload, response.body)
        assert response.json()["error"]["field"] == field
        assert "message" in response.json()["error"]
    assert admin(gateway, "POST", "/models", {"name": "m", "provider": "missing"}).json()["error"]["field"] == "provider"
    assert admin(gateway, "GET", "/providers/prv_missing").status == 404
    assert admin(gateway, "PATCH", "/models/mdl_missing", {"enabled": False}).status == 404
    assert admin(gateway, "GET", "/providers?limit=0").status == 400
    # Nothing above changed the config.
    assert admin(gateway, "GET", "/config").json()["version"] == 0


def test_crud_conflicts_versions_and_pagination(new_install, mock):
    gateway = new_install
    add_route(gateway, mock)
    duplicate = admin(gateway, "POST", "/providers", {"name": "mock", "kind": "openai_compatible", "base_url": mock.base + "/v1"})
    assert duplicate.status == 409 and duplicate.json()["error"]["field"] == "name"
    assert admin(gateway, "DELETE", "/providers/mock").status == 409
    same_deployment = admin(gateway, "POST", "/models", {"name": "chat", "provider": "mock", "upstream_model": "mock-demo"})
    assert same_deployment.status == 409

    config = admin(gateway, "GET", "/config").json()
    assert config["version"] == 2 and len(config["providers"]) == 1 and len(config["models"]) == 1
    provider = admin(gateway, "GET", "/providers/mock").json()
    assert admin(gateway, "PATCH", f"/providers/{provider['id']}", {"rpm": 100}).json()["rpm"] == 100
    assert admin(gateway, "GET", "/config").json()["version"] == 3

    for index in range(4):
        admin(gateway, "POST", "/providers", {"name": f"extra-{index}", "kind": "vllm"})
    first = admin(gateway, "GET", "/providers?limit=2").json()
    second = admin(gateway, "GET", f"/providers?limit=2&cursor={first['next_cursor']}").json()
    third = admin(gateway, "GET", f"/providers?limit=2&cursor={second['next_cursor']}").json()
    names = [p["name"] for p in first["data"] + second["data"] + third["data"]]
    assert names == ["mock", "extra-0", "extra-1", "extra-2", "extra-3"] and third["next_cursor"] is None
    assert admin(gateway, "DELETE", "/providers/extra-3").status == 204
    assert admin(gateway, "GET", "/providers/extra-3").status == 404


def test_request_log_lists_newest_first_with_filters(gateway, mock):
    add_route(gateway, mock)
    ids = [chat(gateway, "chat").headers["x-request-id"] for _ in range(3)]
    missing = chat(gateway, "nope").headers["x-request-id"]

    from conftest import wait_for
    rows = wait_for(lambda: (lambda d: d if len(d) >= 4 else None)(admin(gateway, "GET", "/requests").json()["data"]))
    assert [r["id"] for r in rows[:4]] == [missing] + ids[::-1]
    only_ok = admin(gateway, "GET", "/requests?status=200&model=chat&limit=2").json()
    assert [r["id"] for r in only_ok["data"]] == ids[::-1][:2] and only_ok["next_cursor"]
    rest = admin(gateway, "GET", f"/requests?status=200&model=chat&limit=2&cursor={only_ok['next_cursor']}").json()
    assert [r["id"] for r in rest["data"]] == [ids[0]]
    assert all(r["input_tokens"] and r["output_tokens"] for r in only_ok["data"] + rest["data"])
    assert admin(gateway, "GET", "/requests?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z").json()["data"] == []
    assert admin(gateway, "GET", "/requests?from=soon").status == 400
