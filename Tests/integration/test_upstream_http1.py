"""The gateway's own HTTP/1.1 client for plain upstreams, against a scripted upstream that answers
each connection with canned bytes: every body framing, interim responses, closed keep-alive
connections and responses it must refuse."""
import json
import socket
import threading

from conftest import add_route, chat, sse_events

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


class ScriptedUpstream:
    """Answers each request with RESPONSES[model], byte by byte when `split` is set, then closes the
    connection after `requests_per_connection` answers (without saying so, as an idle timeout would)."""

    def __init__(self, requests_per_connection=100, split=False):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.base = "http://127.0.0.1:%d" % self.listener.getsockname()[1]
        self.requests_per_connection = requests_per_connection
        self.split = split
        self.connections = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn):
        buffer = b""
        with conn:
            for _ in range(self.requests_per_connection):
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
                while len(buffer) < length:
                    buffer += conn.recv(65536)
                body, buffer = json.loads(buffer[:length]), buffer[length:]
                reply = RESPONSES[body["model"]]
                if self.split:
                    for i in range(len(reply)):
                        conn.sendall(reply[i:i + 1])
                else:
                    conn.sendall(reply)
                if body["model"] in ("until-close", "truncated", "garbage"):
                    return

    def close(self):
        self.listener.close()


def route_all(gateway, upstream):
    for name in RESPONSES:
        add_route(gateway, upstream, name=name, upstream_model=name, provider="scripted")


def test_every_body_framing_is_read_whole_even_a_byte_at_a_time(gateway):
    for split in (False, True):
        upstream = ScriptedUpstream(split=split)
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
    upstream = ScriptedUpstream(requests_per_connection=1)
    try:
        route_all(gateway, upstream)
        for _ in range(10):
            assert chat(gateway, "length").status == 200
        assert upstream.connections == 10
    finally:
        upstream.close()


def test_responses_that_cannot_be_read_safely_are_refused_with_502(gateway):
    upstream = ScriptedUpstream()
    try:
        route_all(gateway, upstream)
        for name, why in (("gzip", "Content-Encoding"), ("two-lengths", "Content-Length"), ("garbage", "status line"),
                          ("truncated", "closed the connection")):
            response = chat(gateway, name)
            assert response.status == 502, (name, response.body)
            error = response.json()["error"]
            assert error["code"] == "upstream_unreachable" and why in error["message"], (name, error)
        # The pool is still healthy afterwards.
        assert chat(gateway, "length").status == 200
    finally:
        upstream.close()
