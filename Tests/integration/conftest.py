"""Fixtures that start the real `switchyard` and `mock-llm` binaries on loopback ports.

Each process listens on port 0 and reports its real address on a ready line, so tests never race for
ports; every process is stopped by PID when its test ends.
"""
import functools
import json
import os
import re
import select
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

ADMIN_TOKEN = "sy-admin-integration-test-token"
# Standard-error files of every gateway the run started, searched for secrets when the run ends.
GATEWAY_LOGS = []
VIRTUAL_KEY = re.compile(rb"sk-sy-[0-9a-f]{64}")


@functools.lru_cache(maxsize=None)
def bin_dir():
    path = os.environ.get("SWITCHYARD_BIN")
    if path:
        return path
    return subprocess.check_output(["swift", "build", "--show-bin-path"], text=True).strip()


class Process:
    """A child process whose ready lines were read from its standard output."""

    def __init__(self, argv, ready_markers, env=None, timeout=30, preexec_fn=None):
        self.argv = argv
        # Standard error goes to a file: a pipe nobody drains would block the process once it filled.
        self.stderr_file = tempfile.NamedTemporaryFile(prefix="switchyard-stderr-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.stderr_file, env=env, preexec_fn=preexec_fn)
        self.lines = []
        deadline = time.monotonic() + timeout
        pending = list(ready_markers)
        buffer = b""
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None:
                err = self.stderr_text() if self.proc.poll() is not None else ""
                self.kill()
                raise RuntimeError(f"{argv[0]} did not become ready: {self.lines} {err}")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                continue
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                text = line.decode()
                self.lines.append(text)
                pending = [m for m in pending if m not in text]

    def stderr_text(self):
        """Everything the process wrote to standard error so far."""
        with open(self.stderr_file.name, "rb") as f:
            return f.read().decode(errors="replace")

    def url(self, marker):
        for line in self.lines:
            if marker in line:
                return line.rsplit(" ", 1)[-1]
        raise KeyError(marker)

    @property
    def pid(self):
        return self.proc.pid

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=35)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.stderr_file.close()


def start_mock(*args):
    process = Process([os.path.join(bin_dir(), "mock-llm"), "--listen", "127.0.0.1:0", *args], ["listening on"])
    process.base = process.url("listening on")
    return process


def start_gateway(data_dir, *args, env_extra=None, unpriced_policy="flag", preexec_fn=None):
    """Starts the gateway; most tests' models have no price, so unpriced ones are served (flagged) unless a
    test asks for another policy (None keeps what the database says: `block` on a new install).
    `preexec_fn` runs in the child before it starts (to lower its resource limits, say)."""
    env = dict(os.environ)
    env["SWITCHYARD_ADMIN_TOKEN"] = ADMIN_TOKEN
    env.pop("OPENAI_API_KEY", None)
    env.update(env_extra or {})
    process = Process([os.path.join(bin_dir(), "switchyard"), "serve", "--data-dir", str(data_dir), "--listen", "127.0.0.1:0",
                       "--admin-listen", "127.0.0.1:0", *args], ["data plane listening on", "admin API listening on"], env=env,
                      preexec_fn=preexec_fn)
    GATEWAY_LOGS.append(process.stderr_file.name)
    process.data = process.url("data plane listening on")
    process.admin = process.url("admin API listening on")
    if unpriced_policy:
        assert admin(process, "PATCH", "/settings", {"unpriced_policy": unpriced_policy}).status == 200
    return process


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body

    def json(self):
        return json.loads(self.body)


def http(method, url, body=None, headers=None, timeout=30):
    """One HTTP request; returns status, headers and body whatever the status."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and "Content-Type" not in (headers or {}):
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Response(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, dict(error.headers), error.read())


def admin(gateway, method, path, body=None, token=ADMIN_TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http(method, gateway.admin + "/admin/v1" + path, body, headers)


def chat(gateway, model, stream=False, **extra):
    body = {"model": model, "messages": [{"role": "user", "content": "say hello to the gateway"}], **extra}
    if stream:
        body["stream"] = True
    return http("POST", gateway.data + "/v1/chat/completions", body)


def sse_events(body):
    """The `data:` payloads of an SSE body."""
    return [line[len(b"data: "):].decode() for line in body.split(b"\n") if line.startswith(b"data: ")]


def wait_for(predicate, timeout=5.0, interval=0.01):
    """Polls `predicate` until it returns a truthy value; fails the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(interval)


def logged_request(gateway, request_id, token=ADMIN_TOKEN):
    """The request-log row of `request_id`, waiting for the background writer to flush it."""
    def fetch():
        response = admin(gateway, "GET", f"/requests/{request_id}", token=token)
        return response.json() if response.status == 200 else None
    return wait_for(fetch)


def add_route(gateway, mock, name="chat", upstream_model="mock-demo", provider="mock", **provider_fields):
    """Registers `mock` as an OpenAI-compatible provider and `name` as a model on it."""
    if admin(gateway, "GET", f"/providers/{provider}").status == 404:
        created = admin(gateway, "POST", "/providers", {"name": provider, "kind": "openai_compatible", "base_url": mock.base + "/v1",
                                                         **provider_fields})
        assert created.status == 201, created.body
    model = admin(gateway, "POST", "/models", {"name": name, "provider": provider, "upstream_model": upstream_model,
                                                "pricing": {"input_per_mtok": 1, "output_per_mtok": 2}})
    assert model.status == 201, model.body
    return model.json()


@pytest.fixture
def mock():
    process = start_mock()
    yield process
    process.kill()


@pytest.fixture
def gateway(tmp_path):
    process = start_gateway(tmp_path / "var")
    yield process
    process.kill()


@pytest.fixture
def new_install(tmp_path):
    """A gateway exactly as a new install starts: no settings changed (so no config version yet)."""
    process = start_gateway(tmp_path / "var", unpriced_policy=None)
    yield process
    process.kill()


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_gateway_log():
    """After the whole run: no gateway ever logged the admin token or a virtual key (test_secrets.py plants
    more; this covers every other test's traffic too)."""
    yield
    leaks = []
    for name in GATEWAY_LOGS:
        with open(name, "rb") as f:
            text = f.read()
        if ADMIN_TOKEN.encode() in text or VIRTUAL_KEY.search(text):
            leaks.append(name)
    assert not leaks, f"a secret reached a gateway log: {leaks}"
