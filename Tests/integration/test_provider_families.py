"""Every translated provider family through real sockets: the official OpenAI SDK against the gateway,
the gateway against mock-llm speaking that provider's wire format strictly (auth header, required
fields, exact response and stream framing), so a translation error fails here."""
import json

import pytest

from conftest import admin, logged_request, start_gateway, start_mock

# Bedrock reads the key as AWS credentials (ACCESS_KEY_ID:SECRET) and signs with SigV4; the others send it as is.
KEY = "AKIDFAMILY:sk-family-secret"
# kind -> base URL path on mock-llm
FAMILIES = {"openai_compatible": "/v1", "azure_openai": "", "anthropic": "/v1", "gemini": "/v1beta", "cohere": "/v2", "ollama": "", "bedrock": ""}
TOOLS = [{"type": "function", "function": {"name": "lookup", "description": "Look something up",
                                           "parameters": {"type": "object", "properties": {"query": {"type": "string"}},
                                                          "required": ["query"], "additionalProperties": False}}}]


@pytest.fixture(scope="module")
def strict_mock():
    process = start_mock("--require-key", KEY)
    yield process
    process.kill()


@pytest.fixture(scope="module")
def family_gateway(tmp_path_factory, strict_mock):
    gateway = start_gateway(tmp_path_factory.mktemp("families") / "var", env_extra={"FAMILY_KEY": KEY})
    for kind in FAMILIES:
        created = admin(gateway, "POST", "/providers", provider_payload(kind, strict_mock.base))
        assert created.status == 201, created.body
        for name, upstream in ((kind, "mock-model"), (kind + "-fails", "mock-model:status=429"), (kind + "-drops", "mock-model:fault=drop")):
            model = admin(gateway, "POST", "/models", {"name": name, "provider": kind.replace("_", "-"), "upstream_model": upstream,
                                                       "pricing": {"input_per_mtok": 1, "output_per_mtok": 2}})
            assert model.status == 201, model.body
    yield gateway
    gateway.kill()


def provider_payload(kind, base):
    payload = {"name": kind.replace("_", "-"), "kind": kind, "base_url": base + FAMILIES[kind], "api_key_ref": "env:FAMILY_KEY"}
    if kind == "bedrock":
        payload["settings"] = {"region": "us-east-1"}
    return payload


def client(gateway):
    from openai import OpenAI
    return OpenAI(base_url=gateway.data + "/v1", api_key="loopback", max_retries=0)


@pytest.mark.parametrize("kind", FAMILIES)
def test_non_streamed_completion_with_exact_usage(family_gateway, kind):
    raw = client(family_gateway).chat.completions.with_raw_response.create(
        model=kind, messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": "say hello please"}])
    completion = raw.parse()
    assert completion.choices[0].message.content == "Hello" + "".join(f" word{i}" for i in range(1, 8))
    assert completion.choices[0].finish_reason == "stop"
    # mock-llm counts one token per prompt word (system prompt included) and one per output word.
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (5, 8)
    row = logged_request(family_gateway, raw.headers["x-request-id"])
    assert (row["status"], row["input_tokens"], row["output_tokens"]) == (200, 5, 8)


@pytest.mark.parametrize("kind", FAMILIES)
def test_streamed_tool_call_then_the_tool_result_round_trip(family_gateway, kind):
    messages = [{"role": "user", "content": "find mock"}]
    calls = {}
    finish = None
    usage = None
    for chunk in client(family_gateway).chat.completions.create(model=kind, messages=messages, tools=TOOLS, stream=True,
                                                                stream_options={"include_usage": True}):
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for call in choice.delta.tool_calls or []:
                entry = calls.setdefault(call.index, {"id": None, "name": None, "arguments": ""})
                entry["id"] = call.id or entry["id"]
                entry["name"] = (call.function.name if call.function else None) or entry["name"]
                entry["arguments"] += (call.function.arguments or "") if call.function else ""
    assert finish == "tool_calls"
    assert list(calls) == [0] and calls[0]["name"] == "lookup" and json.loads(calls[0]["arguments"]) == {"query": "mock"}
    assert calls[0]["id"]
    assert usage is not None and usage.prompt_tokens == 2 and usage.completion_tokens == 2
    # Sending the result back must be accepted by the provider's strict validation (tool_result / functionResponse pairing).
    messages += [{"role": "assistant", "content": None, "tool_calls": [
                     {"id": calls[0]["id"], "type": "function", "function": {"name": "lookup", "arguments": calls[0]["arguments"]}}]},
                 {"role": "tool", "tool_call_id": calls[0]["id"], "content": "{\"answer\": 42}"}]
    answer = client(family_gateway).chat.completions.create(model=kind, messages=messages, tools=TOOLS)
    assert answer.choices[0].message.content.startswith("Hello") and answer.choices[0].finish_reason == "stop"


@pytest.mark.parametrize("kind", FAMILIES)
def test_upstream_errors_map_to_the_openai_shape(family_gateway, kind):
    from openai import RateLimitError
    with pytest.raises(RateLimitError) as raised:
        client(family_gateway).chat.completions.create(model=kind + "-fails", messages=[{"role": "user", "content": "hi"}])
    assert raised.value.response.headers.get("x-request-id")
    # The provider's retry-after (mock-llm sends 1) reaches the client.
    assert raised.value.response.headers.get("retry-after") == "1"
    assert raised.value.body["type"] == "rate_limit_error"


@pytest.mark.parametrize("kind", FAMILIES)
def test_a_stream_cut_short_ends_with_an_error_event(family_gateway, kind):
    events = []
    with client(family_gateway).chat.completions.with_streaming_response.create(
            model=kind + "-drops", messages=[{"role": "user", "content": "hi"}], stream=True) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(line[6:])
    assert events and events[-1] != "[DONE]"
    assert json.loads(events[-1])["error"]["code"] == "upstream_stream_interrupted"


def test_wrong_credentials_are_reported_as_a_provider_auth_failure(tmp_path, strict_mock):
    gateway = start_gateway(tmp_path / "var", env_extra={"FAMILY_KEY": "sk-wrong"})
    try:
        for kind in FAMILIES:
            admin(gateway, "POST", "/providers", provider_payload(kind, strict_mock.base))
            admin(gateway, "POST", "/models", {"name": kind, "provider": kind.replace("_", "-"), "upstream_model": "mock-model"})
            from openai import APIStatusError
            with pytest.raises(APIStatusError) as raised:
                client(gateway).chat.completions.create(model=kind, messages=[{"role": "user", "content": "hi"}])
            # Gemini answers a bad key with 400 INVALID_ARGUMENT, the others with 401: all are the provider's auth failure.
            assert raised.value.status_code == 502 and raised.value.body["code"] == "provider_auth_failed", (kind, raised.value.body)
            assert "sk-wrong" not in json.dumps(raised.value.body)
    finally:
        gateway.kill()


@pytest.mark.parametrize("secret", ["AKIDFAMILY:wrong-secret", "AKIDOTHER:sk-family-secret", "sk-family-secret"])
def test_bedrock_refuses_a_bad_signature_or_unknown_key_as_an_auth_failure(tmp_path, strict_mock, secret):
    gateway = start_gateway(tmp_path / "var", env_extra={"FAMILY_KEY": secret})
    try:
        admin(gateway, "POST", "/providers", provider_payload("bedrock", strict_mock.base))
        admin(gateway, "POST", "/models", {"name": "bedrock", "provider": "bedrock", "upstream_model": "anthropic.claude-3-haiku-20240307-v1:0"})
        from openai import APIStatusError
        with pytest.raises(APIStatusError) as raised:
            client(gateway).chat.completions.create(model="bedrock", messages=[{"role": "user", "content": "hi"}])
        assert raised.value.status_code == 502 and raised.value.body["code"] == "provider_auth_failed"
        assert secret.split(":")[-1] not in json.dumps(raised.value.body)
    finally:
        gateway.kill()


def test_bedrock_signs_model_ids_that_need_encoding(family_gateway):
    """An inference-profile ARN holds ':' and '/', which travel encoded once and are signed encoded twice."""
    admin(family_gateway, "POST", "/models", {"name": "bedrock-arn", "provider": "bedrock",
                                              "upstream_model": "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.mock-v1:0"})
    answer = client(family_gateway).chat.completions.create(model="bedrock-arn", messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content.startswith("Hello")
