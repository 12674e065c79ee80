"""Resource exhaustion through real sockets: slowloris heads, 10,000 idle keep-alive connections, a connection
flood past the file-descriptor limit, bodies at and just over the limit. The gateway keeps serving the
connections it has, stays within its documented memory bound (README, Reliability) and recovers when the
load stops."""
import json
import resource
import socket
import time

import pytest

from conftest import add_route, http, start_gateway, wait_for

BODY = json.dumps({"model": "chat", "messages": [{"role": "user", "content": "x"}]}).encode()
MODELS = b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n"


def address(gateway):
    host, port = gateway.data.split("//")[1].split(":")
    return host, int(port)


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def read_response(sock, timeout=10):
    """One response with a Content-Length body."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed after {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(int(l.split(b":")[1]) for l in head.lower().split(b"\r\n") if l.startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def read_until_closed(sock, timeout=10):
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def timed_models_request(gateway):
    started = time.monotonic()
    assert http("GET", gateway.data + "/v1/models", timeout=5).status == 200
    return time.monotonic() - started


def models_answered(gateway):
    """True when a new connection gets its request answered (while the gateway recovers, it may not)."""
    try:
        return http("GET", gateway.data + "/v1/models", timeout=2).status == 200
    except OSError:
        assert gateway.proc.poll() is None, gateway.stderr_text()[-3000:]
        return False


def raise_descriptor_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"this machine allows only {hard} open files")
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def test_slowloris_heads_time_out_while_other_clients_are_served(tmp_path):
    gateway = start_gateway(tmp_path / "var", "--header-timeout-ms", "1500")
    sockets = []
    try:
        for _ in range(300):
            sock = socket.create_connection(address(gateway))
            sock.sendall(b"GET /v1/models HTTP/1.1\r\n")
            sockets.append(sock)
        started = time.monotonic()
        # A byte at a time from each, while a normal client is still answered at once.
        while time.monotonic() - started < 1.0:
            for sock in sockets:
                sock.send(b"X")
            assert timed_models_request(gateway) < 0.5
            time.sleep(0.1)
        for sock in sockets:
            data = read_until_closed(sock, timeout=5)
            assert data.startswith(b"HTTP/1.1 408 "), data[:80]
        assert time.monotonic() - started < 4
        assert timed_models_request(gateway) < 0.5
    finally:
        for sock in sockets:
            sock.close()
        gateway.kill()


def test_ten_thousand_idle_keep_alive_connections_stay_within_150_mib(tmp_path):
    raise_descriptor_limit(10_500 + 256)
    gateway = start_gateway(tmp_path / "var")
    sockets = []
    try:
        for _ in range(10_000):
            sockets.append(socket.create_connection(address(gateway)))
        # Each has had one request answered and is now an idle keep-alive connection.
        for index in range(0, len(sockets), 500):
            batch = sockets[index:index + 500]
            for sock in batch:
                sock.sendall(MODELS)
            for sock in batch:
                assert read_response(sock)[0].startswith(b"HTTP/1.1 200 ")
        held = rss_mib(gateway.pid)
        assert held <= 150, f"{held:.0f} MiB with 10,000 idle connections"
        assert timed_models_request(gateway) < 0.5
        # The same connections are still usable.
        for sock in sockets[::1000]:
            sock.sendall(MODELS)
            assert read_response(sock)[0].startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in sockets:
            sock.close()
    try:
        assert timed_models_request(gateway) < 0.5
    finally:
        gateway.kill()


def test_a_connection_flood_past_the_descriptor_limit_pauses_accepts_and_recovers(tmp_path, mock):
    raise_descriptor_limit(2_000)
    limit = 128
    gateway = start_gateway(tmp_path / "var", preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit)))
    add_route(gateway, mock)
    kept = socket.create_connection(address(gateway))
    flood = []
    try:
        kept.sendall(MODELS)
        assert read_response(kept)[0].startswith(b"HTTP/1.1 200 ")
        baseline = rss_mib(gateway.pid)
        for _ in range(600):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(address(gateway))  # completes in the kernel's backlog whether or not the gateway accepts
            flood.append(sock)
        wait_for(lambda: "pausing accepts" in gateway.stderr_text(), timeout=10)
        # The connection it already had is still served while it cannot accept more.
        for _ in range(20):
            kept.sendall(MODELS)
            assert read_response(kept, timeout=5)[0].startswith(b"HTTP/1.1 200 ")
        assert rss_mib(gateway.pid) - baseline < 64
    finally:
        for sock in flood:
            sock.close()
        kept.close()
    try:
        # Once the flood is gone it accepts again, completions included.
        wait_for(lambda: models_answered(gateway), timeout=15)
        response = http("POST", gateway.data + "/v1/chat/completions", BODY, timeout=10)
        assert response.status == 200, response.body
        log = gateway.stderr_text()
        assert log.count("pausing accepts") < 10, "one warning per episode, not one per retry"
        assert "accepting again" in log
    finally:
        gateway.kill()


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_bodies_at_the_limit_are_served_and_one_byte_more_gets_413(tmp_path, mock, framing):
    limit = 4096
    gateway = start_gateway(tmp_path / "var", "--max-body-bytes", str(limit))
    try:
        add_route(gateway, mock)
        requests_before = http("GET", mock.base + "/mock/stats").json()["requests"]
        for size, status in ((limit, 200), (limit + 1, 413)):
            body = BODY[:-1] + b" " * (size - len(BODY)) + b"}"
            assert len(body) == size
            sock = socket.create_connection(address(gateway))
            if framing == "chunked":
                half = size // 2
                framed = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (half, body[:half], size - half, body[half:])
                sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + framed)
            else:
                sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (size, body))
            head, response = read_response(sock)
            assert head.startswith(b"HTTP/1.1 %d " % status), (size, head, response[:200])
            if status == 413:
                assert json.loads(response)["error"]["message"]
                assert read_until_closed(sock) == b"", "the connection must close after 413"
            sock.close()
        assert http("GET", mock.base + "/mock/stats").json()["requests"] == requests_before + 1
    finally:
        gateway.kill()
