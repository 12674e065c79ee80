"""The response cache through real sockets: hits answered without the upstream (and replayed as a stream),
logged free; TTL expiry; cache-control no-cache / no-store; ten identical concurrent misses make one
upstream call."""
import concurrent.futures
import json
import time

from conftest import add_route, admin, http, logged_request, sse_events, wait_for


def upstream_requests(mock):
    return json.loads(http("GET", mock.base + "/mock/stats").body)["requests"]


def ask(gateway, content="what is cached?", stream=False, headers=None, **extra):
    body = {"model": "cached", "messages": [{"role": "user", "content": content}], **extra}
    if stream:
        body["stream"] = True
    return http("POST", gateway.data + "/v1/chat/completions", body, headers=headers or {})


def cached_route(gateway, mock, ttl=60, upstream_model="mock-demo"):
    add_route(gateway, mock, name="cached", upstream_model=upstream_model)
    assert admin(gateway, "PUT", "/routes/cached", {"cache": {"enabled": True, "ttl_s": ttl}}).status == 201


def test_a_repeated_request_is_answered_from_the_cache_for_free(gateway, mock):
    cached_route(gateway, mock)
    first = ask(gateway)
    assert first.status == 200 and first.headers["x-switchyard-cache"] == "miss"
    second = ask(gateway, user="someone-else")  # `user` does not change the answer
    assert second.status == 200 and second.headers["x-switchyard-cache"] == "hit"
    assert second.json()["choices"] == first.json()["choices"] and upstream_requests(mock) == 1
    assert second.headers["x-switchyard-provider"] == "mock" and second.headers["x-switchyard-attempts"] == "0"
    row = logged_request(gateway, second.headers["x-request-id"])
    assert row["cache_hit"] is True and row["cost_usd"] == 0 and row["status"] == 200 and row["provider"] == "mock"
    assert row["input_tokens"] == first.json()["usage"]["prompt_tokens"] and row["attempts"] == 0
    assert logged_request(gateway, first.headers["x-request-id"])["cache_hit"] is False
    assert ask(gateway, content="something else").headers["x-switchyard-cache"] == "miss"
    assert ask(gateway, temperature=0.5).headers["x-switchyard-cache"] == "miss"
    # A stream of the same request is replayed from the cached answer.
    replay = ask(gateway, stream=True, stream_options={"include_usage": True})
    assert replay.headers["x-switchyard-cache"] == "hit" and replay.headers["content-type"].startswith("text/event-stream")
    events = sse_events(replay.body)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == first.json()["choices"][0]["message"]["content"]
    assert chunks[-1]["usage"]["completion_tokens"] == first.json()["usage"]["completion_tokens"]
    assert upstream_requests(mock) == 3
    usage = wait_for(lambda: (lambda u: u if u["totals"]["cache_hits"] == 2 else None)(admin(gateway, "GET", "/usage").json()))
    assert usage["totals"]["requests"] == 5


def test_cache_control_and_ttl(gateway, mock):
    cached_route(gateway, mock, ttl=1)
    assert ask(gateway).headers["x-switchyard-cache"] == "miss"
    assert ask(gateway, headers={"Cache-Control": "no-cache"}).headers["x-switchyard-cache"] == "miss"
    assert ask(gateway, headers={"Cache-Control": "no-store"}).headers["x-switchyard-cache"] == "miss"
    assert upstream_requests(mock) == 3
    assert ask(gateway).headers["x-switchyard-cache"] == "hit"
    time.sleep(1.1)  # the TTL is a lower bound on time, so this cannot be flaky the other way
    assert ask(gateway).headers["x-switchyard-cache"] == "miss" and upstream_requests(mock) == 4


def test_identical_concurrent_misses_make_one_upstream_call(gateway, mock):
    cached_route(gateway, mock, upstream_model="mock-demo:latency=400")
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(lambda _: ask(gateway, content="coalesce me"), range(10)))
    assert all(r.status == 200 for r in responses)
    assert upstream_requests(mock) == 1
    assert sorted(r.headers["x-switchyard-cache"] for r in responses) == ["hit"] * 9 + ["miss"]
    assert len({r.json()["choices"][0]["message"]["content"] for r in responses}) == 1


def test_a_failed_leader_lets_the_waiters_fetch_themselves(gateway, mock):
    cached_route(gateway, mock, upstream_model="mock-demo:latency=300:status=400")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda _: ask(gateway, content="fails"), range(4)))
    assert [r.status for r in responses] == [400] * 4 and upstream_requests(mock) == 4
