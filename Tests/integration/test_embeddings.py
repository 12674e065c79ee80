"""`POST /v1/embeddings` through the OpenAI SDK for every provider family with an embeddings API,
against mock-llm checking each format's auth and fields: vectors in input order, exact usage where the
provider reports it, base64 (the SDK's default) and float encodings, and a clear 400 where there is none."""
import base64
import struct

import pytest

from conftest import admin, logged_request, start_gateway, start_mock
from test_provider_families import FAMILIES, KEY, provider_payload

# public name -> (kind, upstream model, inputs, expected prompt tokens)
ROUTES = {
    "openai_compatible": ("openai_compatible", "text-embedding-3-small", ["hello big world", "one"], 4),
    "azure_openai": ("azure_openai", "embed-deployment", ["hello big world", "one"], 4),
    "gemini": ("gemini", "text-embedding-004", ["hello big world", "one"], 0),  # Gemini reports no token counts
    "cohere": ("cohere", "embed-v4.0", ["hello big world", "one"], 4),
    "ollama": ("ollama", "nomic-embed-text", ["hello big world", "one"], 4),
    "bedrock-titan": ("bedrock", "amazon.titan-embed-text-v2:0", ["hello big world"], 3),
    "bedrock-cohere": ("bedrock", "cohere.embed-english-v3", ["hello big world", "one"], 0),
}


@pytest.fixture(scope="module")
def embed_gateway(tmp_path_factory):
    mock = start_mock("--require-key", KEY)
    gateway = start_gateway(tmp_path_factory.mktemp("embed") / "var", env_extra={"FAMILY_KEY": KEY})
    for kind in FAMILIES:
        assert admin(gateway, "POST", "/providers", provider_payload(kind, mock.base)).status == 201
    for name, (kind, upstream, _, _) in ROUTES.items():
        assert admin(gateway, "POST", "/models", {"name": name, "provider": kind.replace("_", "-"), "upstream_model": upstream}).status == 201
    assert admin(gateway, "POST", "/models", {"name": "claude", "provider": "anthropic", "upstream_model": "claude-x"}).status == 201
    yield gateway
    gateway.kill()
    mock.kill()


def client(gateway):
    from openai import OpenAI
    return OpenAI(base_url=gateway.data + "/v1", api_key="loopback", max_retries=0)


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("encoding", [None, "base64", "float"])
def test_vectors_in_input_order_with_usage(embed_gateway, name, encoding):
    """None is the SDK's default: it asks for base64 and decodes it; an explicit base64 comes back as text."""
    _, _, inputs, tokens = ROUTES[name]
    extra = {"encoding_format": encoding} if encoding else {}
    raw = client(embed_gateway).embeddings.with_raw_response.create(model=name, input=inputs, **extra)
    result = raw.parse()
    # mock-llm's vector for a text of w words is [(w + i) / 10 for i in range(4)].
    for index, text in enumerate(inputs):
        assert result.data[index].index == index
        vector = result.data[index].embedding
        if encoding == "base64":
            packed = base64.b64decode(vector)
            vector = list(struct.unpack("<%df" % (len(packed) // 4), packed))
        assert vector == pytest.approx([(len(text.split()) + i) / 10 for i in range(4)])
    assert result.usage.prompt_tokens == tokens
    row = logged_request(embed_gateway, raw.headers["x-request-id"])
    assert (row["status"], row["input_tokens"]) == (200, tokens)


@pytest.mark.parametrize("name", ["openai_compatible", "gemini", "cohere", "ollama", "bedrock-titan"])
def test_dimensions_reach_the_provider(embed_gateway, name):
    result = client(embed_gateway).embeddings.create(model=name, input="hello", dimensions=8, encoding_format="float")
    assert len(result.data[0].embedding) == 8


def test_providers_without_embeddings_and_bad_inputs_get_a_400(embed_gateway):
    from openai import BadRequestError
    with pytest.raises(BadRequestError) as raised:
        client(embed_gateway).embeddings.create(model="claude", input="hello")
    assert raised.value.body["code"] == "embeddings_unsupported"
    with pytest.raises(BadRequestError) as raised:
        client(embed_gateway).embeddings.create(model="bedrock-titan", input=["a", "b"])
    assert "one input per request" in raised.value.body["message"]
    with pytest.raises(BadRequestError) as raised:
        client(embed_gateway).embeddings.create(model="cohere", input=[[1, 2, 3]])
    assert raised.value.body["param"] == "input"
    with pytest.raises(BadRequestError):
        client(embed_gateway).embeddings.create(model="cohere", input=[])
