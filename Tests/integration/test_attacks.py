"""HTTP attack suite against the real data-plane listener: request smuggling shapes, odd targets, oversized
lines and bodies that are not JSON. Each gets its documented 4xx, a closed connection where framing can no
longer be trusted, and nothing reaches the upstream (mock-llm counts what it receives)."""
import json
import re
import socket

import pytest

from conftest import add_route, http

CHAT = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
BODY = json.dumps({"model": "chat", "messages": [{"role": "user", "content": "x"}]}).encode()
# A valid request sent after each attack on the same connection: answered only if the parser was fooled.
SMUGGLED = CHAT + b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY


STATUS_LINE = re.compile(rb"HTTP/1\.[01] \d{3} ")


def head(*lines):
    return b"\r\n".join(lines) + b"\r\n\r\n"


# (name, bytes, allowed statuses, the connection must close: else the framing was sound, and the request
# behind it is answered as the next one)
FRAMING = [
    ("CL then TE", CHAT + head(b"Content-Length: 4", b"Transfer-Encoding: chunked") + b"0\r\n\r\n", {400}, True),
    ("TE then CL", CHAT + head(b"Transfer-Encoding: chunked", b"Content-Length: 4") + b"0\r\n\r\n", {400}, True),
    ("two Content-Lengths", CHAT + head(b"Content-Length: 4", b"Content-Length: 5") + b"abcde", {400}, True),
    ("equal Content-Lengths", CHAT + head(b"Content-Length: 5", b"Content-Length: 5") + b"abcde", {400}, True),
    ("comma-listed Content-Length", CHAT + head(b"Content-Length: 5, 5") + b"abcde", {400}, True),
    ("negative Content-Length", CHAT + head(b"Content-Length: -1"), {400}, True),
    ("signed Content-Length", CHAT + head(b"Content-Length: +5") + b"abcde", {400}, True),
    ("hex Content-Length", CHAT + head(b"Content-Length: 0x5") + b"abcde", {400}, True),
    ("overflowing Content-Length", CHAT + head(b"Content-Length: 99999999999999999999999999"), {400, 413}, True),
    ("space before the colon", CHAT + head(b"Content-Length : 5") + b"abcde", {400}, True),
    ("chunked not last", CHAT + head(b"Transfer-Encoding: chunked, gzip") + b"0\r\n\r\n", {400, 501}, True),
    ("two Transfer-Encodings", CHAT + head(b"Transfer-Encoding: gzip", b"Transfer-Encoding: chunked") + b"0\r\n\r\n", {400, 501}, True),
    ("unknown transfer coding", CHAT + head(b"Transfer-Encoding: identity") + b"abcde", {400, 501}, True),
    ("chunked on HTTP/1.0", b"POST /v1/chat/completions HTTP/1.0\r\n" + head(b"Transfer-Encoding: chunked") + b"0\r\n\r\n", {400}, True),
    ("oversized chunk size", CHAT + head(b"Transfer-Encoding: chunked") + b"f" * 40 + b"\r\n", {400, 413}, True),
    ("hex-overflow chunk size", CHAT + head(b"Transfer-Encoding: chunked") + b"ffffffffffffffffff1\r\nx\r\n", {400, 413}, True),
    ("negative chunk size", CHAT + head(b"Transfer-Encoding: chunked") + b"-1\r\nx\r\n", {400}, True),
    ("chunk without CRLF", CHAT + head(b"Transfer-Encoding: chunked") + b"1\r\nxy0\r\n\r\n", {400}, True),
    ("obs-fold", CHAT + head(b"X-Folded: a", b" b", b"Content-Length: 0"), {400}, True),
    ("bare LF line ends", b"POST /v1/chat/completions HTTP/1.1\nHost: x\nContent-Length: 0\n\n", {400}, True),
    ("bare CR in a header", CHAT + head(b"X-A: a\rb", b"Content-Length: 0"), {400}, True),
    ("NUL in a header", CHAT + head(b"X-A: a\x00b", b"Content-Length: 0"), {400}, True),
    ("NUL in the target", b"POST /v1/chat\x00/completions HTTP/1.1\r\n" + head(b"Host: x", b"Content-Length: 0"), {400}, True),
    ("absolute-form target", b"POST http://upstream.example/v1/chat/completions HTTP/1.1\r\n" + head(b"Host: x", b"Content-Length: 0"),
     {400}, True),
    ("CONNECT", b"CONNECT upstream.example:443 HTTP/1.1\r\n" + head(b"Host: upstream.example:443"), {400, 405, 501}, True),
    ("asterisk target on POST", b"POST * HTTP/1.1\r\n" + head(b"Host: x", b"Content-Length: 0"), {400}, True),
    ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400, 505}, True),
    ("unknown version", b"POST /v1/chat/completions HTTP/1.7\r\n" + head(b"Host: x", b"Content-Length: 0"), {400, 505}, True),
    ("lower-case method", b"post /v1/chat/completions HTTP/1.1\r\n" + head(b"Host: x", b"Content-Length: 0"), {405, 501}, False),
    ("very long URL", b"GET /v1/models?" + b"a" * 70_000 + b" HTTP/1.1\r\n" + head(b"Host: x"), {414, 431}, True),
    ("too many headers", b"GET /v1/models HTTP/1.1\r\n" + head(*[b"X-H%d: v" % i for i in range(500)]), {431}, True),
    ("huge header", b"GET /v1/models HTTP/1.1\r\n" + head(b"X-Big: " + b"a" * 70_000), {431}, True),
    ("body over the limit", CHAT + head(b"Content-Length: %d" % (64 * 1024 * 1024)), {413}, True),
]


def connect(gateway):
    host, port = gateway.data.split("//")[1].split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def exchange(gateway, data, timeout=10):
    """Sends `data` and reads until the gateway closes or goes quiet; returns (bytes, closed)."""
    sock = connect(gateway)
    try:
        sock.sendall(data)
    except OSError:
        pass  # the gateway may answer and close before reading everything
    sock.settimeout(timeout)
    received = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received, True
            received += chunk
            if STATUS_LINE.search(received) and not gateway_may_send_more(received):
                sock.settimeout(0.5)
    except socket.timeout:
        return received, False
    except ConnectionResetError:
        return received, True
    finally:
        sock.close()


def gateway_may_send_more(received):
    """True until one complete response with a Content-Length body arrived."""
    head_end = received.find(b"\r\n\r\n")
    if head_end < 0:
        return True
    lines = received[:head_end].decode("latin-1").lower().split("\r\n")
    length = next((int(l.split(":", 1)[1]) for l in lines if l.startswith("content-length:")), 0)
    return len(received) < head_end + 4 + length


def upstream_requests(mock):
    return http("GET", mock.base + "/mock/stats").json()["requests"]


@pytest.fixture
def routed(gateway, mock):
    add_route(gateway, mock)
    return gateway


@pytest.mark.parametrize("name,attack,statuses,closes", FRAMING, ids=[case[0] for case in FRAMING])
def test_framing_attacks_get_a_4xx_and_reach_no_upstream(routed, mock, name, attack, statuses, closes):
    before = upstream_requests(mock)
    received, closed = exchange(routed, attack + SMUGGLED)
    status = int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/1.") else None
    assert status in statuses, (name, received[:200])
    if not closes:
        assert len(STATUS_LINE.findall(received)) == 2 and b"chat.completion" in received, (name, received[-300:])
        assert upstream_requests(mock) == before + 1
        return
    assert len(STATUS_LINE.findall(received)) == 1, f"{name}: the request behind the attack was answered too"
    assert closed, f"{name}: the connection stayed open after ambiguous framing"
    assert b"connection: close" in received.lower()
    # The error body is JSON in the documented shape.
    assert json.loads(received.split(b"\r\n\r\n", 1)[1])["error"]["message"]
    assert upstream_requests(mock) == before, f"{name}: something reached the upstream"


# (name, body, the error's param or code) — framing is fine, the JSON is not: 400, and the connection stays usable.
BODIES = [
    ("invalid UTF-8 in a string", b'{"model":"chat","messages":[{"role":"user","content":"\xff\xfe"}]}', "invalid_json"),
    ("overlong UTF-8", b'{"model":"chat","messages":[{"role":"user","content":"\xc0\xaf"}]}', "invalid_json"),
    ("lone surrogate escape", b'{"model":"chat","messages":[{"role":"user","content":"\\ud800"}]}', "invalid_json"),
    ("deeply nested arrays", b'{"model":"chat","messages":[{"role":"user","content":"x"}],"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "invalid_json"),
    ("deeply nested objects", b'{"model":"chat","messages":[{"role":"user","content":"x"}],"x":' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}",
     "invalid_json"),
    ("huge max_tokens", b'{"model":"chat","messages":[{"role":"user","content":"x"}],"max_tokens":1e999999}', "max_tokens"),
    ("max_tokens past Int64", b'{"model":"chat","messages":[{"role":"user","content":"x"}],"max_tokens":99999999999999999999999}', "max_tokens"),
    ("negative max_tokens", b'{"model":"chat","messages":[{"role":"user","content":"x"}],"max_tokens":-5}', "max_tokens"),
    ("fractional max_tokens", b'{"model":"chat","messages":[{"role":"user","content":"x"}],"max_tokens":1.5}', "max_tokens"),
    ("huge temperature", b'{"model":"chat","messages":[{"role":"user","content":"x"}],"temperature":1e308}', "temperature"),
    ("infinite top_p", b'{"model":"chat","messages":[{"role":"user","content":"x"}],"top_p":-1e999}', "top_p"),
    ("n of a million", b'{"model":"chat","messages":[{"role":"user","content":"x"}],"n":1000000}', "n"),
    ("a 10,000-digit number", b'{"model":"chat","messages":[{"role":"user","content":"x"}],"seed":' + b"9" * 10_000 + b"}", "invalid_json"),
    ("trailing bytes", b'{"model":"chat","messages":[{"role":"user","content":"x"}]} {}', "invalid_json"),
    ("not an object", b'[{"model":"chat"}]', "invalid_json"),
    ("empty body", b"", "invalid_json"),
    ("NUL byte", b'{"model":"chat","messages":[{"role":"user","content":"x"}]}\x00', "invalid_json"),
]


@pytest.mark.parametrize("name,body,where", BODIES, ids=[case[0] for case in BODIES])
def test_bad_json_bodies_get_400_and_reach_no_upstream(routed, mock, name, body, where):
    before = upstream_requests(mock)
    response = http("POST", routed.data + "/v1/chat/completions", body)
    assert response.status == 400, (name, response.body[:300])
    error = response.json()["error"]
    assert where in (error.get("code"), error.get("param")), (name, error)
    assert upstream_requests(mock) == before, f"{name}: something reached the upstream"
