"""`POST /v1/messages` through the official anthropic SDK, routed to every provider family on mock-llm
(each checking its own wire format strictly): answers, streams with tool use, usage and errors come back
in Anthropic's shapes whatever the provider speaks."""
import json

import pytest

from conftest import admin, http, logged_request, start_gateway, start_mock
from test_provider_families import FAMILIES, KEY, provider_payload

TOOLS = [{"name": "lookup", "description": "Look something up",
          "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}]


@pytest.fixture(scope="module")
def ingress_gateway(tmp_path_factory):
    mock = start_mock("--require-key", KEY)
    gateway = start_gateway(tmp_path_factory.mktemp("ingress") / "var", env_extra={"FAMILY_KEY": KEY})
    for kind in FAMILIES:
        assert admin(gateway, "POST", "/providers", provider_payload(kind, mock.base)).status == 201
        for name, upstream in ((kind, "mock-model"), (kind + "-fails", "mock-model:status=429"), (kind + "-drops", "mock-model:fault=drop")):
            assert admin(gateway, "POST", "/models", {"name": name, "provider": kind.replace("_", "-"), "upstream_model": upstream}).status == 201
    yield gateway
    gateway.kill()
    mock.kill()


def client(gateway):
    from anthropic import Anthropic
    return Anthropic(base_url=gateway.data, api_key="loopback", max_retries=0)


@pytest.mark.parametrize("kind", FAMILIES)
def test_a_message_with_exact_usage(ingress_gateway, kind):
    raw = client(ingress_gateway).messages.with_raw_response.create(
        model=kind, max_tokens=100, system="be brief", messages=[{"role": "user", "content": "say hello please"}])
    message = raw.parse()
    assert message.type == "message" and message.role == "assistant"
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == "Hello" + "".join(f" word{i}" for i in range(1, 8))
    assert message.stop_reason == "end_turn"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (5, 8)
    row = logged_request(ingress_gateway, raw.headers["x-request-id"])
    assert (row["status"], row["input_tokens"], row["output_tokens"]) == (200, 5, 8)


@pytest.mark.parametrize("kind", FAMILIES)
def test_a_streamed_tool_use_then_its_result(ingress_gateway, kind):
    messages = [{"role": "user", "content": "find mock"}]
    with client(ingress_gateway).messages.stream(model=kind, max_tokens=100, messages=messages, tools=TOOLS) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    uses = [block for block in final.content if block.type == "tool_use"]
    assert len(uses) == 1 and uses[0].name == "lookup" and uses[0].input == {"query": "mock"} and uses[0].id
    assert (final.usage.input_tokens, final.usage.output_tokens) == (2, 2)
    messages += [{"role": "assistant", "content": [{"type": "tool_use", "id": uses[0].id, "name": "lookup", "input": uses[0].input}]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": uses[0].id, "content": "42"}]}]
    with client(ingress_gateway).messages.stream(model=kind, max_tokens=100, messages=messages, tools=TOOLS) as stream:
        text = "".join(stream.text_stream)
        answer = stream.get_final_message()
    assert text.startswith("Hello") and answer.stop_reason == "end_turn"


@pytest.mark.parametrize("kind", FAMILIES)
def test_upstream_errors_come_back_in_anthropic_shape(ingress_gateway, kind):
    from anthropic import RateLimitError
    with pytest.raises(RateLimitError) as raised:
        client(ingress_gateway).messages.create(model=kind + "-fails", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert raised.value.body["type"] == "error" and raised.value.body["error"]["type"] == "rate_limit_error"
    assert raised.value.response.headers.get("retry-after") == "1"


@pytest.mark.parametrize("kind", ["openai_compatible", "gemini"])
def test_a_stream_cut_short_ends_with_an_error_event(ingress_gateway, kind):
    events = []
    with client(ingress_gateway).messages.with_streaming_response.create(
            model=kind + "-drops", max_tokens=10, messages=[{"role": "user", "content": "hi"}], stream=True) as response:
        for line in response.iter_lines():
            if line.startswith("event: "):
                events.append(line[7:])
    assert events[0] == "message_start" and events[-1] == "error" and "message_stop" not in events


def test_bad_requests_and_unknown_models_get_anthropic_errors(ingress_gateway):
    from anthropic import NotFoundError
    with pytest.raises(NotFoundError) as raised:
        client(ingress_gateway).messages.create(model="nope", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert raised.value.body["error"]["type"] == "not_found_error"
    for body, fragment in (({"model": "gemini", "messages": [{"role": "user", "content": "hi"}]}, "max_tokens"),
                           ({"model": "gemini", "max_tokens": 5, "messages": []}, "messages"),
                           ({"model": "gemini", "max_tokens": 5, "messages": [{"role": "system", "content": "x"}]}, "role"),
                           ({"model": "gemini", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "video"}]}]}, "content.0")):
        response = http("POST", ingress_gateway.data + "/v1/messages", json.dumps(body).encode(), {"content-type": "application/json"})
        error = json.loads(response.body)
        assert response.status == 400 and error["type"] == "error" and error["error"]["type"] == "invalid_request_error", response.body
        assert fragment in error["error"]["message"]
    response = http("POST", ingress_gateway.data + "/v1/messages", b"{not json", {"content-type": "application/json"})
    assert response.status == 400 and json.loads(response.body)["error"]["type"] == "invalid_request_error"
