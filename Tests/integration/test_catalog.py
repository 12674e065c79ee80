"""The model catalog: seeded list prices and context windows, defaults for models created without
pricing, and edits through /admin/v1/catalog."""
from conftest import admin


def entries(gateway, kind):
    listed = admin(gateway, "GET", f"/catalog?kind={kind}&limit=1000")
    assert listed.status == 200
    return {entry["model"]: entry for entry in listed.json()["data"]}


def test_the_seeded_catalog_lists_well_known_models_per_kind(gateway):
    openai = entries(gateway, "openai")
    assert openai["gpt-4o"]["pricing"] == {"input_per_mtok": 2.5, "output_per_mtok": 10, "cached_input_per_mtok": 1.25}
    assert openai["gpt-4o"]["context_window"] == 128000 and openai["gpt-4o"]["source"] == "seed"
    for kind in ("anthropic", "gemini", "cohere", "mistral", "deepseek", "groq", "bedrock", "ollama"):
        assert entries(gateway, kind), kind
    first = admin(gateway, "GET", "/catalog?limit=2").json()
    assert len(first["data"]) == 2 and first["next_cursor"]
    second = admin(gateway, "GET", f"/catalog?limit=2&cursor={first['next_cursor']}").json()
    assert {e["id"] for e in first["data"]}.isdisjoint(e["id"] for e in second["data"])


def test_models_without_pricing_take_the_catalog_defaults(gateway):
    assert admin(gateway, "POST", "/providers", {"name": "oa", "kind": "openai", "api_key_ref": "env:OPENAI_API_KEY"}).status == 201
    plain = admin(gateway, "POST", "/models", {"name": "mini", "provider": "oa", "upstream_model": "gpt-4o-mini"}).json()
    assert plain["pricing"] == {"input_per_mtok": 0.15, "output_per_mtok": 0.6, "cached_input_per_mtok": 0.075,
                                "reasoning_per_mtok": 0.6, "effective_from": "1970-01-01T00:00:00.000Z"}
    assert (plain["context_window"], plain["max_output_tokens"]) == (128000, 16384)
    explicit = admin(gateway, "POST", "/models", {"name": "mini-deal", "provider": "oa", "upstream_model": "gpt-4o-mini",
                                                  "pricing": {"input_per_mtok": 0.1, "output_per_mtok": 0.5}, "context_window": 64000}).json()
    assert explicit["pricing"]["input_per_mtok"] == 0.1 and explicit["context_window"] == 64000
    unknown = admin(gateway, "POST", "/models", {"name": "custom", "provider": "oa", "upstream_model": "ft:gpt-4o:acme"}).json()
    assert unknown["pricing"] is None and unknown["price_schedule"] == [] and unknown["context_window"] is None


def test_catalog_edits_apply_to_models_created_afterwards(gateway):
    entry = entries(gateway, "openai")["gpt-4.1"]
    patched = admin(gateway, "PATCH", f"/catalog/{entry['id']}", {"pricing": {"input_per_mtok": 1.9, "output_per_mtok": 7.5}})
    assert patched.status == 200 and patched.json()["source"] == "admin"
    assert patched.json()["pricing"]["input_per_mtok"] == 1.9 and patched.json()["context_window"] == entry["context_window"]
    admin(gateway, "POST", "/providers", {"name": "oa2", "kind": "openai", "api_key_ref": "env:OPENAI_API_KEY"})
    model = admin(gateway, "POST", "/models", {"name": "g41", "provider": "oa2", "upstream_model": "gpt-4.1"}).json()
    assert model["pricing"]["input_per_mtok"] == 1.9

    added = admin(gateway, "POST", "/catalog", {"kind": "vllm", "model": "qwen3-32b", "context_window": 32768,
                                                 "pricing": {"input_per_mtok": 0.05, "output_per_mtok": 0.1}})
    assert added.status == 201 and added.json()["source"] == "admin"
    assert admin(gateway, "POST", "/catalog", {"kind": "vllm", "model": "qwen3-32b"}).status == 409
    assert admin(gateway, "GET", f"/catalog/{added.json()['id']}").json()["model"] == "qwen3-32b"
    assert admin(gateway, "DELETE", f"/catalog/{added.json()['id']}").status == 204
    assert admin(gateway, "GET", f"/catalog/{added.json()['id']}").status == 404


def test_bad_catalog_payloads_name_the_field(gateway):
    for payload, status, field in (({"model": "x"}, 422, "kind"), ({"kind": "nope", "model": "x"}, 422, "kind"),
                                   ({"kind": "openai", "model": "has space"}, 422, "model"),
                                   ({"kind": "openai", "model": "x", "pricing": {"input_per_mtok": -1}}, 422, "pricing.input_per_mtok"),
                                   ({"kind": "openai", "model": "x", "colour": 1}, 422, "colour")):
        response = admin(gateway, "POST", "/catalog", payload)
        assert response.status == status and response.json()["error"]["field"] == field, (payload, response.body)
    assert admin(gateway, "GET", "/catalog/abc").status == 404
