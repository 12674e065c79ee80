"""The gateway's own HTTP/1.1 client for plain upstreams, against a scripted upstream that answers
each connection with canned bytes: every body framing, interim responses, closed keep-alive
connections and responses it must refuse."""
import json

from conftest import add_route, chat, sse_events
from scripted_upstream import ScriptedUpstream

COMPLETION = json.dumps({"id": "c1", "object": "chat.completion", "model": "m", "choices": [
    {"index": 0, "message": {"role": "assistant", "content": "framed"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}).encode()


def chunked(body, size=7):
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\nx-trailer: t\r\n\r\n"


def sse(body):
    chunk = {"id": "c1", "object": "chat.completion.chunk", "model": "m",
             "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}]}
    return (b"data: " + json.dumps(chunk).encode() + b"\n\n") * 3 + b"data: [DONE]\n\n"


RESPONSES = {
    "length": b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(COMPLETION), COMPLETION),
    "chunked": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(COMPLETION),
    "interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
               % (len(COMPLETION), COMPLETION),
    "until-close": b"HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n" + COMPLETION,
    "stream": b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" + chunked(sse(b""), 50),
    "gzip": b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: 4\r\n\r\nabcd",
    "two-lengths": b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\ncontent-length: 5\r\n\r\nabcde",
    "garbage": b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
    "truncated": b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"partial\":",
}


def scripted(requests_per_connection=100, split=False):
    return ScriptedUpstream(RESPONSES, requests_per_connection, split, closing=("until-close", "truncated", "garbage"))


def route_all(gateway, upstream):
    for name in RESPONSES:
        add_route(gateway, upstream, name=name, upstream_model=name, provider="scripted")


def test_every_body_framing_is_read_whole_even_a_byte_at_a_time(gateway):
    for split in (False, True):
        upstream = scripted(split=split)
        try:
            if not split:
                route_all(gateway, upstream)
            else:
                from conftest import admin
                assert admin(gateway, "PATCH", "/providers/scripted", {"base_url": upstream.base + "/v1"}).status == 200
            for name in ("length", "chunked", "interim", "until-close", "length"):
                response = chat(gateway, name)
                assert response.status == 200, (split, name, response.body)
                assert response.json()["choices"][0]["message"]["content"] == "framed"
            events = sse_events(chat(gateway, "stream", stream=True).body)
            assert events[-1] == "[DONE]" and len(events) == 4
        finally:
            upstream.close()


def test_an_upstream_closing_idle_connections_does_not_fail_requests(gateway):
    upstream = scripted(requests_per_connection=1)
    try:
        route_all(gateway, upstream)
        for _ in range(10):
            assert chat(gateway, "length").status == 200
        assert upstream.connections == 10
    finally:
        upstream.close()


def test_responses_that_cannot_be_read_safely_are_refused_with_502(gateway):
    upstream = scripted()
    try:
        route_all(gateway, upstream)
        for name, why, code in (("gzip", "Content-Encoding", "upstream_response_invalid"),
                                ("two-lengths", "Content-Length", "upstream_response_invalid"),
                                ("garbage", "status line", "upstream_response_invalid"),
                                ("truncated", "closed the connection", "upstream_unreachable")):
            response = chat(gateway, name)
            assert response.status == 502, (name, response.body)
            error = response.json()["error"]
            assert error["code"] == code and why in error["message"], (name, error)
        # The pool is still healthy afterwards.
        assert chat(gateway, "length").status == 200
    finally:
        upstream.close()
