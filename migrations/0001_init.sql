-- Providers, model deployments, numbered config versions and the request log.

CREATE TABLE providers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    base_url TEXT NOT NULL,
    api_key_ref TEXT,
    settings TEXT NOT NULL DEFAULT '{}',
    rpm INTEGER,
    tpm INTEGER,
    connect_timeout_ms INTEGER,
    first_byte_timeout_ms INTEGER,
    total_timeout_ms INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE models (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers(id),
    upstream_model TEXT NOT NULL,
    input_per_mtok_micros INTEGER NOT NULL DEFAULT 0,
    output_per_mtok_micros INTEGER NOT NULL DEFAULT 0,
    cached_input_per_mtok_micros INTEGER NOT NULL DEFAULT 0,
    context_window INTEGER,
    max_output_tokens INTEGER,
    weight INTEGER NOT NULL DEFAULT 1,
    priority INTEGER NOT NULL DEFAULT 0,
    rpm INTEGER,
    tpm INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (name, provider_id, upstream_model)
);
CREATE INDEX models_by_name ON models (name);
CREATE INDEX models_by_provider ON models (provider_id);

-- One row per committed configuration change; the newest version is the live one.
CREATE TABLE config_versions (
    version INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    author TEXT NOT NULL,
    summary TEXT NOT NULL
);

-- One row per client request, written in batches by the background request-log writer.
CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    model TEXT NOT NULL,
    provider TEXT,
    upstream_model TEXT,
    status INTEGER NOT NULL,
    error_type TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    stream INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    latency_ms INTEGER NOT NULL,
    ttft_ms INTEGER
);
CREATE INDEX requests_by_time ON requests (created_at DESC);
