"""Upstreams that misbehave at the byte level, served by the scripted raw-socket upstream (what mock-llm's HTTP
layer cannot send: TLS bytes, unrequested gzip, a 10 MiB line, invalid UTF-8), next to mock-llm's own faults
in test_failover.py. Each gives the client a timely, documented error or a correct answer, is logged, and
leaves no worker hung: a healthy request right after is answered at once."""
import gzip as gzip_module
import json
import time
import zlib

import pytest

from conftest import add_route, admin, http, logged_request, sse_events
from scripted_upstream import ScriptedUpstream

COMPLETION = json.dumps({"id": "chatcmpl-f", "object": "chat.completion", "created": 1, "model": "m",
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "fine"}, "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}).encode()


def sse_chunk(content):
    return b"data: " + json.dumps({"id": "chatcmpl-f", "object": "chat.completion.chunk", "created": 1, "model": "m",
                                   "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}]}).encode() + b"\n\n"


def chunk(data):
    return b"%x\r\n%s\r\n" % (len(data), data)


# Each fault as a script for the scripted upstream: it writes what it likes, then the connection closes.
def blackhole(sock, stop):
    stop.wait(30)


def stall_head(sock, stop):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\":")
    stop.wait(30)


def garbage(sock, stop):
    sock.sendall(bytes.fromhex("16030300") + b"\x2a\x02\x00\x00\x26\x03\x03" + bytes(range(256)) * 4)


def gzip(sock, stop):
    body = gzip_module.compress(COMPLETION)
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
                 % (len(body), body))


def deflate(sock, stop):
    body = zlib.compress(COMPLETION)
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: deflate\r\nContent-Length: %d\r\n\r\n%s"
                 % (len(body), body))


def endless_stream(sock, stop):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
    while not stop.wait(0.01):
        sock.sendall(chunk(sse_chunk("more ")))


def endless_body(sock, stop):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(b'{"id":"x","pad":"'))
    piece = chunk(b"a" * 65536)
    while not stop.is_set():
        sock.sendall(piece)


def huge_line(sock, stop):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(sse_chunk("first ")))
    sock.sendall(chunk(b'data: {"pad":"'))
    for _ in range(160):
        sock.sendall(chunk(b"a" * 65536))
    sock.sendall(chunk(b'"}\n\n') + chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")


def bad_utf8_stream(sock, stop):
    events = sse_chunk("ok ") + b'data: {"id":"chatcmpl-f","object":"chat.completion.chunk","created":1,"model":"m","choices":' \
        b'[{"index":0,"delta":{"content":"\xff\xfe\xc0\xaf"},"finish_reason":null}]}\n\n' + b"data: [DONE]\n\n"
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: %d\r\n\r\n%s" % (len(events), events))


def bad_utf8_body(sock, stop):
    body = COMPLETION.replace(b'"fine"', b'"\xff\xfe"')
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def error_200(sock, stop):
    body = b'{"error":{"message":"the model is overloaded","type":"server_error"}}'
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


FAULTS = {name.replace("_", "-"): script for name, script in (
    ("blackhole", blackhole),
    ("stall_head", stall_head),
    ("garbage", garbage),
    ("gzip", gzip),
    ("deflate", deflate),
    ("endless_stream", endless_stream),
    ("endless_body", endless_body),
    ("huge_line", huge_line),
    ("bad_utf8_stream", bad_utf8_stream),
    ("bad_utf8_body", bad_utf8_body),
    ("error_200", error_200),
)}


TIMEOUTS = {"connect_ms": 1000, "first_byte_ms": 700, "total_ms": 3000, "stream_idle_ms": 1000}


@pytest.fixture
def faulty():
    server = ScriptedUpstream(FAULTS)
    yield server
    server.close()


def route(gateway, faulty, fault):
    add_route(gateway, faulty, name=fault, upstream_model=fault, provider="faulty", timeouts=TIMEOUTS)
    return fault


def ask(gateway, model, stream=False, request_id=None):
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    headers = {"x-request-id": request_id} if request_id else {}
    started = time.monotonic()
    response = http("POST", gateway.data + "/v1/chat/completions", body, headers=headers, timeout=20)
    return response, time.monotonic() - started


# (fault, stream, expected status, error code, at most this many seconds)
ERRORS = [
    ("blackhole", False, 504, "upstream_timeout", 2.5),
    ("stall-head", False, 504, "upstream_timeout", 4.5),
    ("garbage", False, 502, "upstream_response_invalid", 2),
    ("gzip", False, 502, "upstream_response_invalid", 2),
    ("deflate", False, 502, "upstream_response_invalid", 2),
    ("endless-body", False, 502, "upstream_error", 4.5),
    ("bad-utf8-body", False, 502, "upstream_response_invalid", 2),
    ("error-200", False, 502, "upstream_error", 2),
    ("blackhole", True, 504, "upstream_timeout", 2.5),
]


@pytest.mark.parametrize("fault,stream,status,code,seconds", ERRORS, ids=[f"{e[0]}{'-stream' if e[1] else ''}" for e in ERRORS])
def test_a_faulty_upstream_gives_a_timely_documented_error(gateway, mock, faulty, fault, stream, status, code, seconds):
    model = route(gateway, faulty, fault)
    request_id = f"fault-{fault}-{int(stream)}"
    response, took = ask(gateway, model, stream=stream, request_id=request_id)
    assert response.status == status, (fault, response.status, response.body[:300])
    error = response.json()["error"]
    assert error["message"] and error.get("code") == code, error
    assert took < seconds, f"{fault}: {took:.1f} s"
    row = logged_request(gateway, request_id)
    assert row["status"] == status and row["error_type"]
    healthy_afterwards(gateway, mock)


# (fault, the stream carries this much good content first, at most this many seconds)
STREAM_ERRORS = [
    ("endless-stream", "more ", 4.5),
    ("huge-line", "first ", 4),
    ("bad-utf8-stream", "ok ", 2),
]


@pytest.mark.parametrize("fault,first,seconds", STREAM_ERRORS, ids=[e[0] for e in STREAM_ERRORS])
def test_a_faulty_stream_ends_with_an_error_event(gateway, mock, faulty, fault, first, seconds):
    model = route(gateway, faulty, fault)
    request_id = f"fault-{fault}"
    response, took = ask(gateway, model, stream=True, request_id=request_id)
    assert response.status == 200
    events = sse_events(response.body)
    assert json.loads(events[0])["choices"][0]["delta"]["content"] == first
    final = json.loads(events[-1])
    assert final["error"]["message"], events[-3:]
    assert took < seconds, f"{fault}: {took:.1f} s"
    row = logged_request(gateway, request_id)
    assert row["error_type"], row
    healthy_afterwards(gateway, mock)


def healthy_afterwards(gateway, mock):
    """No worker is stuck: a normal request is answered at once, and nothing is left in flight but the faulty one."""
    if admin(gateway, "GET", "/models/healthy").status == 404:
        add_route(gateway, mock, name="healthy")
    response, took = ask(gateway, "healthy")
    assert response.status == 200 and took < 1.0, (response.status, took)
