"""The HTTP/1.1 engine through real sockets: pipelining, framing attacks, limits, timeouts, backpressure."""
import json
import socket
import time

from conftest import add_route, http, start_gateway


def connect(gateway):
    host, port = gateway.data.split("//")[1].split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def read_until_closed(sock, timeout=10):
    sock.settimeout(timeout)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def test_pipelined_requests_are_answered_in_order(gateway, mock):
    add_route(gateway, mock)
    sock = connect(gateway)
    body = json.dumps({"model": "chat", "messages": [{"role": "user", "content": "x"}]}).encode()
    post = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-request-id: first\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)
    sock.sendall(post + b"GET /v1/models HTTP/1.1\r\nHost: x\r\nx-request-id: second\r\n\r\n"
                 + b"GET /v1/models HTTP/1.1\r\nHost: x\r\nx-request-id: third\r\nConnection: close\r\n\r\n")
    data = read_until_closed(sock)
    assert data.count(b"HTTP/1.1 200 OK") == 3
    assert data.index(b"x-request-id: first") < data.index(b"x-request-id: second") < data.index(b"x-request-id: third")


def test_chunked_request_bodies_are_accepted(gateway, mock):
    add_route(gateway, mock)
    sock = connect(gateway)
    body = json.dumps({"model": "chat", "messages": [{"role": "user", "content": "x"}]}).encode()
    half = len(body) // 2
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (half, body[:half], len(body) - half, body[half:])
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked)
    assert read_until_closed(sock).startswith(b"HTTP/1.1 200 OK")


SMUGGLING = [
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
    b"GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
    b"GET /v1/models HTTP/1.1\nHost: x\n\n",
]


def test_ambiguous_framing_gets_400_and_a_closed_connection(gateway):
    for attack in SMUGGLING:
        sock = connect(gateway)
        sock.sendall(attack + b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
        data = read_until_closed(sock)
        assert data.startswith(b"HTTP/1.1 400 "), (attack, data[:100])
        assert data.count(b"HTTP/1.1") == 1, "the smuggled request must not be answered"
        assert b"connection: close" in data.lower()


def test_oversized_heads_get_431(gateway):
    sock = connect(gateway)
    sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
    assert read_until_closed(sock).startswith(b"HTTP/1.1 431 ")


def test_configurable_body_limit(tmp_path, mock):
    gateway = start_gateway(tmp_path / "var", "--max-body-bytes", "2048")
    try:
        response = http("POST", gateway.data + "/v1/chat/completions", b"{" + b" " * 4096 + b"}")
        assert response.status == 413
    finally:
        gateway.kill()


def test_a_stalled_request_head_times_out_with_408(tmp_path):
    gateway = start_gateway(tmp_path / "var", "--header-timeout-ms", "1000")
    try:
        sock = connect(gateway)
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nHo")
        started = time.monotonic()
        data = read_until_closed(sock, timeout=20)
        assert data.startswith(b"HTTP/1.1 408 ")
        assert 0.9 <= time.monotonic() - started < 3
    finally:
        gateway.kill()


def test_idle_keep_alive_connections_are_closed_and_limits_are_configurable(tmp_path):
    gateway = start_gateway(tmp_path / "var", "--idle-timeout-ms", "500", "--max-header-bytes", "2048")
    try:
        sock = connect(gateway)
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
        started = time.monotonic()
        data = read_until_closed(sock, timeout=10)
        assert data.startswith(b"HTTP/1.1 200 OK") and 0.4 <= time.monotonic() - started < 3
        sock = connect(gateway)
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 3000 + b"\r\n\r\n")
        assert read_until_closed(sock).startswith(b"HTTP/1.1 431 ")
    finally:
        gateway.kill()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_a_slow_reader_does_not_make_the_gateway_buffer_the_stream(gateway, mock):
    # About 40 MB of SSE from the upstream as fast as it can send; the client reads nothing for a while.
    add_route(gateway, mock, upstream_model="mock-demo:chunks=2500:interval=0:padding=16000")
    sock = connect(gateway)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    body = json.dumps({"model": "chat", "stream": True, "messages": [{"role": "user", "content": "x"}]}).encode()
    before = rss_kib(gateway.pid)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    time.sleep(3)  # Deliberately not reading: this is the slow client.
    grown = rss_kib(gateway.pid) - before
    assert grown < 16 * 1024, f"gateway RSS grew {grown} KiB while the client was not reading"
    sock.settimeout(30)
    received = 0
    while received < 200_000:
        chunk = sock.recv(1 << 20)
        assert chunk
        received += len(chunk)
    sock.close()
