-- Virtual keys and teams. A key is stored only as the SHA-256 of its secret (hex); `prefix` keeps its first
-- characters for people to recognise it. Budgets: a hard limit in micro-dollars per UTC period (daily,
-- weekly from Monday, monthly, or total) and a soft alert percentage; NULL limit means no budget.
CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    rpm INTEGER,
    tpm INTEGER,
    budget_limit_micros INTEGER,
    budget_period TEXT,
    budget_soft_limit_pct INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    team_id TEXT REFERENCES teams(id),
    allowed_models TEXT NOT NULL DEFAULT '[]',
    rpm INTEGER,
    tpm INTEGER,
    budget_limit_micros INTEGER,
    budget_period TEXT,
    budget_soft_limit_pct INTEGER,
    expires_at INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1,
    log_bodies INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX api_keys_by_team ON api_keys (team_id);
