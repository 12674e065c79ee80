"""Secrets and access: known secret values are planted (admin token, master key, provider keys by env:, file:
and secret: reference, a webhook secret, virtual keys) and every response, header, log line, metrics page,
audit entry and stored byte of a busy session is searched for them. Admin access is refused without the
token, with a wrong one and on the data-plane listener; filters are bound, never spliced into SQL."""
import base64
import hashlib
import json
import sqlite3
import urllib.parse

import pytest

from conftest import admin, http, logged_request, start_gateway, start_mock

ADMIN_TOKEN = "sy-admin-PLANTED-4c1f9a7e2b6d"
MASTER_KEY = base64.b64encode(bytes(range(100, 132))).decode()
ENV_KEY = "sk-PLANTED-env-8d2e4f6a1b3c"
FILE_KEY = "sk-PLANTED-file-5a7c9e1f3b2d"
STORED_KEY = "sk-PLANTED-stored-2b4d6f8a0c1e"
WEBHOOK_SECRET = "whsec-PLANTED-9f8e7d6c5b4a"
WRONG_VIRTUAL_KEY = "sk-sy-PLANTED-not-a-key-3e5d7c9b1a"
RAW_KEY_IN_PAYLOAD = "sk-PLANTED-raw-in-payload-6c8e0a2b4d"


class Recorder:
    """Every response the test sees, as bytes to search."""

    def __init__(self):
        self.seen = []

    def keep(self, label, response):
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.seen.append((label, headers.encode() + b"\n" + response.body))
        return response


def admin_as(gateway, method, path, body=None, token=ADMIN_TOKEN):
    return admin(gateway, method, path, body, token=token)


@pytest.fixture
def planted(tmp_path):
    key_file = tmp_path / "provider.key"
    key_file.write_text(FILE_KEY + "\n")
    mock = start_mock("--require-key", ENV_KEY)
    mock_file = start_mock("--require-key", FILE_KEY)
    mock_stored = start_mock("--require-key", STORED_KEY)
    gateway = start_gateway(tmp_path / "var", "--log-level", "debug",
                            env_extra={"SWITCHYARD_ADMIN_TOKEN": ADMIN_TOKEN, "SWITCHYARD_MASTER_KEY": MASTER_KEY,
                                       "PLANTED_PROVIDER_KEY": ENV_KEY}, unpriced_policy=None)
    yield gateway, (mock, mock_file, mock_stored), key_file, tmp_path / "var"
    for process in (gateway, mock, mock_file, mock_stored):
        process.kill()


def test_no_planted_secret_appears_in_any_response_log_or_stored_byte(planted):
    gateway, (mock, mock_file, mock_stored), key_file, data_dir = planted
    record = Recorder()
    keep = record.keep

    # Configure: three providers whose keys arrive by env:, file: and secret:, a webhook secret, keys and teams.
    assert keep("secret", admin_as(gateway, "PUT", "/secrets/stored-key", {"value": STORED_KEY})).status in (200, 201)
    assert keep("secret", admin_as(gateway, "PUT", "/secrets/hook", {"value": WEBHOOK_SECRET})).status in (200, 201)
    for name, upstream, reference in (("by-env", mock, "env:PLANTED_PROVIDER_KEY"), ("by-file", mock_file, f"file:{key_file}"),
                                      ("by-secret", mock_stored, "secret:stored-key")):
        assert keep("provider", admin_as(gateway, "POST", "/providers", {"name": name, "kind": "openai_compatible",
                                                                         "base_url": upstream.base + "/v1", "api_key_ref": reference})).status == 201
        assert keep("model", admin_as(gateway, "POST", "/models", {"name": name, "provider": name, "upstream_model": "mock-demo",
                                                                   "pricing": {"input_per_mtok": 1, "output_per_mtok": 2}})).status == 201
    assert keep("settings", admin_as(gateway, "PATCH", "/settings", {"alert_webhook": {"url": mock.base + "/hook", "secret_ref": "secret:hook"},
                                                                      "budget": {"limit_usd": 100, "period": "daily", "soft_limit_pct": 1}})).status == 200
    team = keep("team", admin_as(gateway, "POST", "/teams", {"name": "planted-team"})).json()
    created = admin_as(gateway, "POST", "/keys", {"name": "planted", "team": team["id"], "log_bodies": True})
    assert created.status == 201
    virtual_key = created.json()["key"]  # shown once, in this response only: the one place it may appear
    key_id = created.json()["id"]

    # Use it: completions through every provider (the upstreams require the planted keys, so they were sent).
    for model in ("by-env", "by-file", "by-secret"):
        for stream in (False, True):
            response = keep("chat", http("POST", gateway.data + "/v1/chat/completions",
                                         {"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}]},
                                         headers={"Authorization": f"Bearer {virtual_key}", "x-request-id": f"planted-{model}-{stream}"}))
            assert response.status == 200, response.body
    # Failures that quote what went wrong, but must not quote secrets.
    keep("wrong virtual key", http("POST", gateway.data + "/v1/chat/completions", {"model": "by-env", "messages": [{"role": "user", "content": "x"}]},
                                   headers={"Authorization": f"Bearer {WRONG_VIRTUAL_KEY}"}))
    keep("x-api-key", http("POST", gateway.data + "/v1/messages", {"model": "by-env", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]},
                           headers={"x-api-key": WRONG_VIRTUAL_KEY}))
    keep("raw key as reference", admin_as(gateway, "POST", "/providers", {"name": "raw", "kind": "openai", "api_key_ref": RAW_KEY_IN_PAYLOAD}))
    assert keep("provider rejects", admin_as(gateway, "PATCH", "/providers/by-file", {"api_key_ref": "env:PLANTED_PROVIDER_KEY"})).status == 200
    failed = keep("upstream 401", http("POST", gateway.data + "/v1/chat/completions", {"model": "by-file", "messages": [{"role": "user", "content": "x"}]},
                                       headers={"Authorization": f"Bearer {virtual_key}"}))
    assert failed.status >= 400
    # Read everything an operator can read.
    logged_request(gateway, "planted-by-secret-True", token=ADMIN_TOKEN)
    for path in ("/providers", "/providers/by-env", "/providers/by-secret", "/models", "/routes", "/teams", "/keys", f"/keys/{key_id}",
                 f"/keys/{key_id}/spend", "/secrets", "/settings", "/config", "/audit?limit=500", "/health", "/requests?limit=500",
                 "/requests/planted-by-env-False", "/usage", "/usage?group_by=key", "/usage/forecast", "/catalog", "/config/export", "/config/versions", "/config/versions/2",
                 "/config/diff?from=1"):
        assert keep(path, admin_as(gateway, "GET", path)).status == 200, path
    keep("metrics", http("GET", gateway.admin + "/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}))

    planted_values = {"admin token": ADMIN_TOKEN, "master key": MASTER_KEY, "env key": ENV_KEY, "file key": FILE_KEY,
                      "stored key": STORED_KEY, "webhook secret": WEBHOOK_SECRET, "virtual key": virtual_key,
                      "wrong virtual key": WRONG_VIRTUAL_KEY, "raw key in a payload": RAW_KEY_IN_PAYLOAD}
    found = [(what, label) for label, seen in record.seen for what, value in planted_values.items() if value.encode() in seen]
    assert not found, f"secrets in responses: {found}"
    log = gateway.stderr_text()
    assert "planted-by-env" in log, "the request log lines are there to search"
    assert not [what for what, value in planted_values.items() if value in log], "a secret reached the log"
    # Stored bytes: the database, its WAL, any spill file. Keys are hashed, secrets sealed, references kept as references.
    stored = b"".join(path.read_bytes() for path in data_dir.rglob("*") if path.is_file())
    assert not [what for what, value in planted_values.items() if value.encode() in stored], "a secret is stored in clear"
    with sqlite3.connect(data_dir / "switchyard.db") as connection:
        hashes = [row[0] for row in connection.execute("SELECT key_hash FROM api_keys")]

    assert hashlib.sha256(virtual_key.encode()).hexdigest() in hashes


def test_admin_access_needs_the_token_on_the_admin_listener(planted):
    gateway = planted[0]
    assert admin_as(gateway, "GET", "/providers", token=None).status == 401
    assert admin_as(gateway, "GET", "/providers", token="wrong").status == 401
    assert admin_as(gateway, "GET", "/providers", token=ADMIN_TOKEN + "x").status == 401
    assert admin_as(gateway, "GET", "/providers", token=ADMIN_TOKEN[:-1]).status == 401
    assert http("GET", gateway.admin + "/metrics").status == 401
    for path in ("/admin/v1/providers", "/admin/v1/secrets", "/metrics"):
        response = http("GET", gateway.data + path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert response.status in (401, 404), (path, response.status)
        assert b"by-env" not in response.body


INJECTIONS = ["' OR '1'='1", "1; DROP TABLE requests; --", "\" OR 1=1 --", "x') UNION SELECT key_hash FROM api_keys --", "%", "_",
              "model\x00", "../../etc/passwd"]


@pytest.mark.parametrize("path,parameter", [
    ("/requests", "key"), ("/requests", "team"), ("/requests", "provider"), ("/requests", "model"), ("/requests", "error_type"),
    ("/requests", "status"), ("/requests", "from"), ("/requests", "cursor"), ("/usage", "group_by"), ("/usage", "bucket"),
    ("/usage", "model"), ("/usage", "key"), ("/usage", "team"), ("/usage", "from"), ("/audit", "resource"), ("/audit", "cursor"),
    ("/keys", "team"), ("/teams", "cursor"), ("/providers", "limit"),
])
def test_filters_are_bound_not_spliced_into_sql(planted, path, parameter):
    gateway = planted[0]
    for attempt in INJECTIONS:
        response = admin_as(gateway, "GET", f"{path}?{parameter}={urllib.parse.quote(attempt)}")
        assert response.status in (200, 400, 404, 422), (parameter, attempt, response.status, response.body[:200])
        if response.status == 200:
            data = response.json().get("data", [])
            assert not any("key_hash" in json.dumps(item) for item in data)
            assert all(item.get("key_id") in (None, attempt) for item in data if isinstance(item, dict) and path == "/requests")
    assert admin_as(gateway, "GET", "/requests").status == 200, "the tables are all still there"
