"""One control plane, three data planes behind nginx (Debian's), all on loopback: config changes reach every
replica within a second; data planes keep serving when the control plane is killed, and start from their
cached config while it is away; usage they buffered arrives exactly once when it returns; a data plane
killed mid-load is routed around by nginx and ships its rows after it restarts."""
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import ADMIN_TOKEN, Process, add_route, admin, bin_dir, http, wait_for

DATA_PLANE_TOKEN = "sy-dp-integration-test-token-0001"
BODY = {"model": "dist", "messages": [{"role": "user", "content": "x"}]}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def control_plane(data_dir, port):
    env = {**os.environ, "SWITCHYARD_ADMIN_TOKEN": ADMIN_TOKEN, "SWITCHYARD_DATA_PLANE_TOKEN": DATA_PLANE_TOKEN}
    process = Process([os.path.join(bin_dir(), "switchyard"), "serve", "--role", "control-plane", "--data-dir", str(data_dir),
                       "--admin-listen", f"127.0.0.1:{port}"], ["admin API listening on"], env=env)
    process.admin = process.url("admin API listening on")
    return process


def data_plane(data_dir, port, control_port):
    process = Process([os.path.join(bin_dir(), "switchyard"), "serve", "--role", "data-plane", "--data-dir", str(data_dir),
                       "--listen", f"127.0.0.1:{port}", "--control-plane", f"http://127.0.0.1:{control_port}",
                       "--data-plane-token", DATA_PLANE_TOKEN], ["data plane listening on"], env=dict(os.environ))
    process.data = process.url("data plane listening on")
    return process


class Cluster:
    def __init__(self, root, mock):
        self.root = root
        self.control_port = free_port()
        self.data_ports = [free_port() for _ in range(3)]
        self.control = control_plane(root / "cp", self.control_port)
        assert admin(self.control, "PATCH", "/settings", {"unpriced_policy": "flag"}).status == 200
        add_route(self.control, mock, name="dist")
        self.data = [data_plane(root / f"dp{i}", port, self.control_port) for i, port in enumerate(self.data_ports)]
        self.lb_port = free_port()
        self.nginx = self.start_nginx()

    def start_nginx(self):
        directory = self.root / "nginx"
        directory.mkdir()
        servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in self.data_ports)
        (directory / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log error;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {directory};
  proxy_temp_path {directory};
  upstream data_planes {{
{servers}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{self.lb_port};
    location / {{
      proxy_pass http://data_planes;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 non_idempotent;
      proxy_connect_timeout 1s;
    }}
  }}
}}
""")
        process = subprocess.Popen(["nginx", "-p", str(directory), "-c", str(directory / "nginx.conf")], stderr=subprocess.DEVNULL)
        wait_for(lambda: self.try_connect(self.lb_port), timeout=10)
        return process

    @staticmethod
    def try_connect(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def through_lb(self, request_id):
        try:
            return http("POST", f"http://127.0.0.1:{self.lb_port}/v1/chat/completions", BODY, headers={"x-request-id": request_id}, timeout=10)
        except OSError:
            return None

    def close(self):
        self.nginx.terminate()
        self.nginx.wait()
        for process in self.data + [self.control]:
            process.kill()


@pytest.fixture
def cluster(tmp_path, mock):
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed")
    cluster = Cluster(tmp_path, mock)
    yield cluster
    cluster.close()


def control_total(cluster):
    usage = admin(cluster.control, "GET", "/usage?from=0").json()
    return usage["totals"]["requests"]


def test_admin_changes_reach_every_data_plane_within_a_second(cluster, mock):
    for plane in cluster.data:
        assert http("POST", plane.data + "/v1/chat/completions", BODY).status == 200
    started = time.monotonic()
    add_route(cluster.control, mock, name="fresh")
    version = admin(cluster.control, "GET", "/config/export").json()["version"]
    for plane in cluster.data:
        wait_for(lambda: http("GET", plane.data + "/readyz").json().get("config_version") == version, timeout=1.0)
        assert http("POST", plane.data + "/v1/chat/completions", {**BODY, "model": "fresh"}).status == 200
    assert time.monotonic() - started < 1.5
    ready = http("GET", cluster.data[0].data + "/readyz").json()
    assert ready["status"] == "ready" and ready["config_age_ms"] >= 0
    # The data planes do not serve the admin API, and only the data-plane token opens the control plane's channel.
    assert http("GET", cluster.data[0].data + "/admin/v1/providers", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status in (401, 404)
    assert http("GET", cluster.control.admin + "/admin/v1/config/watch?after=0&timeout_s=0").status == 401


def test_data_planes_outlive_the_control_plane_and_their_usage_arrives_exactly_once(cluster, tmp_path):
    served = []
    for i in range(30):
        response = cluster.through_lb(f"before-{i}")
        assert response is not None and response.status == 200
        served.append(f"before-{i}")
    cluster.control.kill()
    # Every data plane keeps serving with the config it has.
    for i in range(60):
        response = cluster.through_lb(f"away-{i}")
        assert response is not None and response.status == 200, response and response.body
        served.append(f"away-{i}")
    # A data plane restarted (cleanly: its log is flushed) while the control plane is away starts from its cached config.
    cluster.data[0].kill(signal.SIGTERM)
    cluster.data[0] = data_plane(tmp_path / "dp0", cluster.data_ports[0], cluster.control_port)
    assert http("GET", cluster.data[0].data + "/readyz").json()["status"] == "ready"
    assert http("POST", cluster.data[0].data + "/v1/chat/completions", BODY, headers={"x-request-id": "cached-0"}).status == 200
    served.append("cached-0")
    # The control plane returns: everything buffered arrives, once.
    cluster.control = control_plane(tmp_path / "cp", cluster.control_port)
    wait_for(lambda: control_total(cluster) >= len(served), timeout=15)
    time.sleep(1.0)  # nothing more may arrive: a duplicate would show here
    assert control_total(cluster) == len(served)
    logged = {row["client_request_id"] for row in admin(cluster.control, "GET", "/requests?limit=1000").json()["data"]}
    assert set(served) <= logged


def test_a_data_plane_killed_mid_load_is_routed_around_and_ships_its_rows_after_restart(cluster, tmp_path):
    results, stop = [], threading.Event()

    def load():
        index = 0
        while not stop.is_set():
            request_id = f"load-{index}"
            response = cluster.through_lb(request_id)
            results.append((request_id, response.status if response else None, time.monotonic()))
            index += 1

    thread = threading.Thread(target=load)
    thread.start()
    time.sleep(1.0)
    cluster.data[1].kill()
    killed_at = time.monotonic()
    time.sleep(1.5)
    stop.set()
    thread.join()
    after = [status for _, status, at in results if at > killed_at]
    assert after and all(status == 200 for status in after), "nginx routed around the dead data plane"
    cluster.data[1] = data_plane(tmp_path / "dp1", cluster.data_ports[1], cluster.control_port)
    ok = [request_id for request_id, status, _ in results if status == 200]
    # Rows the dead replica had written before it died arrive once it is back (only its last flush window may
    # be lost): what the control plane holds converges to exactly what the data planes logged, none twice.
    def local_ids():
        found = set()
        for i in range(3):
            with sqlite3.connect(tmp_path / f"dp{i}" / "switchyard.db") as connection:
                found |= {row[0] for row in connection.execute("SELECT client_request_id FROM requests WHERE client_request_id LIKE 'load-%'")}
        return found

    def control_ids():
        found, cursor = set(), ""
        while cursor is not None:
            page = admin(cluster.control, "GET", f"/requests?limit=1000&cursor={cursor}").json()
            found |= {row["client_request_id"] for row in page["data"] if (row["client_request_id"] or "").startswith("load-")}
            cursor = page["next_cursor"]
        return found

    wait_for(lambda: local_ids() == control_ids(), timeout=15)
    at_control = control_ids()
    assert control_total(cluster) == len(at_control), "the usage rollups count every row once"
    early = [request_id for request_id, status, at in results if status == 200 and at < killed_at - 0.5]
    assert set(early) <= at_control
    assert len(ok) - len(at_control & set(ok)) <= 50


def test_a_budget_set_on_the_control_plane_stops_the_key_on_every_replica(cluster):
    limit = 0.002
    key = admin(cluster.control, "POST", "/keys", {"name": "shared", "budget": {"limit_usd": limit, "period": "daily"}}).json()
    headers = {"Authorization": f"Bearer {key['key']}"}
    body = {**BODY, "max_tokens": 16}
    for plane in cluster.data:
        wait_for(lambda: http("POST", plane.data + "/v1/chat/completions", body, headers=headers).status == 200, timeout=3)
    # Paced load through nginx, spread over the three replicas, until one refuses.
    refused_at = None
    for i in range(2_000):
        response = http("POST", f"http://127.0.0.1:{cluster.lb_port}/v1/chat/completions", body, headers=headers)
        if response.status == 429:
            assert response.json()["error"]["code"] == "budget_exceeded"
            refused_at = time.monotonic()
            break
        assert response.status == 200, response.body
        time.sleep(0.03)
    assert refused_at, "the budget never ran out"
    # Within the documented bound (README: one budget sync, 1 s, plus shipping) every replica refuses the key.
    for plane in cluster.data:
        wait_for(lambda: http("POST", plane.data + "/v1/chat/completions", body, headers=headers).status == 429, timeout=2.5)
    assert time.monotonic() - refused_at < 3.5
    spent = wait_for(lambda: (lambda s: s if s["requests"] > 0 else None)(admin(cluster.control, "GET", f"/keys/{key['id']}/spend").json()))
    time.sleep(1.0)
    spent = admin(cluster.control, "GET", f"/keys/{key['id']}/spend").json()
    assert spent["spent_usd"] <= limit * 1.5, spent


def test_rate_limits_are_split_across_live_replicas(cluster):
    key = admin(cluster.control, "POST", "/keys", {"name": "limited", "rpm": 30}).json()
    headers = {"Authorization": f"Bearer {key['key']}"}
    for plane in cluster.data:
        wait_for(lambda: http("GET", plane.data + "/readyz").json().get("rate_limit_replicas") == 3, timeout=5)
    # A burst of 90 through nginx (round robin): each replica admits its share of 30 per minute, 10.
    statuses = [http("POST", f"http://127.0.0.1:{cluster.lb_port}/v1/chat/completions", BODY, headers=headers).status for _ in range(90)]
    admitted = statuses.count(200)
    assert set(statuses) <= {200, 429}
    assert 27 <= admitted <= 33, f"{admitted} admitted for an rpm of 30 over three replicas"
