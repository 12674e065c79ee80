-- Per public model name: how its route group is served. `fallbacks` is a JSON array of other public
-- names tried, in order, after every deployment of this one; `cache` and `hedge` are JSON objects.
CREATE TABLE routes (
    name TEXT PRIMARY KEY,
    strategy TEXT NOT NULL DEFAULT 'priority',
    fallbacks TEXT NOT NULL DEFAULT '[]',
    retries INTEGER,
    timeout_ms INTEGER,
    cache TEXT NOT NULL DEFAULT '{}',
    hedge TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
