"""Secrets through real sockets: stored sealed under the master key, referenced as `secret:NAME` by a
provider, never returned or logged, and still readable after `switchyard rotate-master-key`."""
import json
import os
import signal
import sqlite3
import subprocess

from conftest import add_route, admin, bin_dir, chat, start_gateway, start_mock

VALUE = "sk-upstream-very-secret-4711"


def test_secret_references_resolve_and_survive_key_rotation(tmp_path):
    mock = start_mock("--require-key", VALUE)
    try:
        stored_rotated_and_served(tmp_path, mock)
    finally:
        mock.kill()


def stored_rotated_and_served(tmp_path, mock):
    data_dir = tmp_path / "var"
    gateway = start_gateway(data_dir)
    try:
        for name, body, field in (("bad%21name", {"value": "x"}, "name"), ("ok", {"value": ""}, "value"), ("ok", {"valu": "x"}, "valu")):
            response = admin(gateway, "PUT", f"/secrets/{name}", body)
            assert response.status == 422 and response.json()["error"]["field"] == field, response.body
        assert admin(gateway, "PUT", "/secrets/upstream", {"value": VALUE}).status == 201
        assert admin(gateway, "PUT", "/secrets/upstream", {"value": VALUE}).status == 200
        listed = admin(gateway, "GET", "/secrets").json()["data"]
        assert [s["name"] for s in listed] == ["upstream"] and set(listed[0]) == {"name", "created_at", "updated_at"}
        add_route(gateway, mock, name="guarded", api_key_ref="secret:upstream")
        assert chat(gateway, "guarded").status == 200
        missing = admin(gateway, "POST", "/providers", {"name": "other", "kind": "openai_compatible", "base_url": mock.base + "/v1",
                                                        "api_key_ref": "secret:not-stored"})
        assert missing.status == 201
        assert admin(gateway, "POST", "/models", {"name": "unkeyed", "provider": "other", "upstream_model": "mock-demo"}).status == 201
        failed = chat(gateway, "unkeyed")
        assert failed.status == 502 and "secret not-stored is not stored" in failed.json()["error"]["message"]
        everything = b"".join(admin(gateway, "GET", path).body for path in ("/secrets", "/providers", "/config", "/requests"))
        assert VALUE.encode() not in everything
    finally:
        gateway.kill(signal.SIGTERM)
    # At rest the value is sealed: not in the database file in clear.
    database = data_dir / "switchyard.db"
    assert VALUE.encode() not in database.read_bytes()
    sealed = sqlite3.connect(database).execute("SELECT sealed FROM secrets WHERE name = 'upstream'").fetchone()[0]
    old_key = (data_dir / "master-key").read_text()
    rotated = subprocess.run([os.path.join(bin_dir(), "switchyard"), "rotate-master-key", "--data-dir", str(data_dir)],
                             capture_output=True, text=True)
    assert rotated.returncode == 0 and "re-sealed 1 secrets" in rotated.stdout, rotated.stderr
    assert (data_dir / "master-key").read_text() != old_key and not (data_dir / "master-key.next").exists()
    assert sqlite3.connect(database).execute("SELECT sealed FROM secrets").fetchone()[0] != sealed
    assert oct((data_dir / "master-key").stat().st_mode & 0o777) == "0o600"
    gateway = start_gateway(data_dir)
    try:
        assert chat(gateway, "guarded").status == 200
        assert VALUE not in gateway.stderr_text()
    finally:
        gateway.kill()


def test_an_interrupted_rotation_is_finished_or_dropped_at_start(tmp_path):
    data_dir = tmp_path / "var"
    gateway = start_gateway(data_dir)
    try:
        assert admin(gateway, "PUT", "/secrets/s1", {"value": "v1"}).status == 201
    finally:
        gateway.kill(signal.SIGTERM)
    key = (data_dir / "master-key").read_text()
    # A .next that does not open the secrets (the transaction never committed) is dropped.
    (data_dir / "master-key.next").write_text("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
    gateway = start_gateway(data_dir)
    gateway.kill(signal.SIGTERM)
    assert not (data_dir / "master-key.next").exists() and (data_dir / "master-key").read_text() == key
