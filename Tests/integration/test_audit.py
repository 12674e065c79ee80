"""The audit log: every admin write with who, what, the config version, and the resource before and after,
with no secret in it; a refused write leaves no entry."""
from conftest import add_route, admin


def test_every_admin_write_is_audited_without_secrets(new_install, mock):
    gateway = new_install
    add_route(gateway, mock, name="m1")
    provider = admin(gateway, "GET", "/providers/mock").json()
    assert admin(gateway, "PATCH", f"/providers/{provider['id']}", {"rpm": 99}).status == 200
    key = admin(gateway, "POST", "/keys", {"name": "audited"}).json()
    assert admin(gateway, "PUT", "/secrets/s1", {"value": "super-secret-value-123"}).status == 201
    assert admin(gateway, "PUT", "/routes/m1", {"strategy": "round_robin"}).status == 201
    assert admin(gateway, "DELETE", f"/keys/{key['id']}").status == 204
    assert admin(gateway, "POST", "/providers", {"name": "mock", "kind": "openai_compatible", "base_url": "http://x"}).status == 409
    entries = admin(gateway, "GET", "/audit").json()["data"]
    summary = [(e["action"], e["resource"]) for e in entries]
    assert summary == [("delete", "key"), ("create", "route"), ("create", "secret"), ("create", "key"),
                       ("update", "provider"), ("create", "model"), ("create", "provider")]
    update = entries[4]
    assert update["before"]["rpm"] is None and update["after"]["rpm"] == 99 and update["resource_id"] == provider["id"]
    assert all(e["actor"].startswith("admin-token:") and e["config_version"] > 0 for e in entries)
    versions = [e["config_version"] for e in entries]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert entries[0]["before"]["name"] == "audited" and entries[0]["after"] is None
    body = admin(gateway, "GET", "/audit?limit=1000").body
    assert b"super-secret-value-123" not in body and key["key"].encode() not in body
    page = admin(gateway, "GET", "/audit?limit=2").json()
    assert len(page["data"]) == 2 and page["next_cursor"]
    rest = admin(gateway, "GET", f"/audit?limit=100&cursor={page['next_cursor']}").json()["data"]
    assert [e["id"] for e in page["data"] + rest] == [e["id"] for e in entries]
    assert [e["resource"] for e in admin(gateway, "GET", "/audit?resource=key").json()["data"]] == ["key", "key"]
