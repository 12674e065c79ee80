"""Process lifecycle: durability of admin writes across kill -9, graceful drain on SIGTERM, the demo route."""
import json
import os
import signal
import socket
import threading
import time

from conftest import add_route, admin, chat, http, logged_request, sse_events, start_gateway, start_mock


def test_admin_write_survives_kill_9_with_the_same_config_version(tmp_path, mock):
    gateway = start_gateway(tmp_path / "var", unpriced_policy=None)
    add_route(gateway, mock)
    created = admin(gateway, "POST", "/providers", {"name": "last-write", "kind": "vllm"})
    assert created.status == 201
    version = admin(gateway, "GET", "/config").json()["version"]
    gateway.kill(signal.SIGKILL)

    restarted = start_gateway(tmp_path / "var", unpriced_policy=None)
    try:
        assert admin(restarted, "GET", "/providers/last-write").json()["id"] == created.json()["id"]
        assert admin(restarted, "GET", "/config").json()["version"] == version
        assert chat(restarted, "chat").status == 200
    finally:
        restarted.kill()


def test_write_immediately_followed_by_kill_9_is_durable(tmp_path):
    gateway = start_gateway(tmp_path / "var", unpriced_policy=None)
    response = admin(gateway, "POST", "/providers", {"name": "raced", "kind": "vllm"})
    gateway.kill(signal.SIGKILL)
    assert response.status == 201
    restarted = start_gateway(tmp_path / "var", unpriced_policy=None)
    try:
        assert admin(restarted, "GET", "/providers/raced").status == 200
        assert admin(restarted, "GET", "/config").json()["version"] == 1
    finally:
        restarted.kill()


def test_sigterm_lets_an_in_flight_stream_finish_then_exits_zero(tmp_path, mock):
    gateway = start_gateway(tmp_path / "var")
    add_route(gateway, mock, upstream_model="mock-demo:chunks=40:interval=25")
    result = {}

    def stream():
        result["response"] = chat(gateway, "chat", stream=True)

    worker = threading.Thread(target=stream)
    worker.start()
    stats = lambda: json.loads(http("GET", mock.base + "/mock/stats").body)
    deadline = time.monotonic() + 5
    while stats()["active_streams"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    gateway.proc.send_signal(signal.SIGTERM)
    worker.join(timeout=30)
    assert gateway.proc.wait(timeout=35) == 0
    events = sse_events(result["response"].body)
    assert events[-1] == "[DONE]" and len(events) == 42
    # New connections are refused once draining started.
    host, port = gateway.data.split("//")[1].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        refused = False
    except OSError:
        refused = True
    assert refused
    # The request log was flushed before exit.
    restarted = start_gateway(tmp_path / "var")
    try:
        assert logged_request(restarted, result["response"].headers["x-request-id"])["status"] == 200
    finally:
        restarted.kill()


def test_demo_route_works_with_no_configuration(tmp_path, mock):
    gateway = start_gateway(tmp_path / "var", "--demo-upstream", mock.base + "/v1")
    try:
        response = chat(gateway, "demo")
        assert response.status == 200 and response.json()["choices"][0]["message"]["content"].startswith("Hello")
    finally:
        gateway.kill()


def test_conventional_key_variables_register_providers_as_env_references(tmp_path):
    gateway = start_gateway(tmp_path / "var", env_extra={"OPENAI_API_KEY": "sk-not-a-real-key", "GROQ_API_KEY": "gsk-fake"})
    try:
        providers = {p["name"]: p for p in admin(gateway, "GET", "/providers").json()["data"]}
        assert providers["openai"]["api_key_ref"] == "env:OPENAI_API_KEY"
        assert providers["groq"]["api_key_ref"] == "env:GROQ_API_KEY"
        models = [m["name"] for m in admin(gateway, "GET", "/models?limit=1000").json()["data"]]
        assert "gpt-4o-mini" in models
        assert b"sk-not-a-real-key" not in admin(gateway, "GET", "/config").body
    finally:
        gateway.kill()


def test_start_up_refuses_a_changed_applied_migration(tmp_path):
    import shutil
    import subprocess
    from conftest import bin_dir

    migrations = tmp_path / "migrations"
    shutil.copytree(os.path.join(os.path.dirname(__file__), "..", "..", "migrations"), migrations)
    gateway = start_gateway(tmp_path / "var", "--migrations-dir", str(migrations))
    gateway.kill()
    first = sorted(migrations.iterdir())[0]
    first.write_text(first.read_text() + "\n-- edited after it was applied\n")
    result = subprocess.run([os.path.join(bin_dir(), "switchyard"), "serve", "--data-dir", str(tmp_path / "var"), "--listen", "127.0.0.1:0",
                             "--admin-listen", "127.0.0.1:0", "--migrations-dir", str(migrations)],
                            capture_output=True, text=True, timeout=30, env={**os.environ, "SWITCHYARD_ADMIN_TOKEN": "x" * 20})
    assert result.returncode != 0
    assert "checksum mismatch" in result.stderr and first.name in result.stderr
