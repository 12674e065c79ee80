-- Attempts of requests that needed more than one (failover, retries): which provider and model each went
-- to, what came back, and how long it took. A request answered by its first attempt has no rows here:
-- its row in `requests` already says all of it.
CREATE TABLE request_attempts (
    request_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    provider TEXT NOT NULL,
    upstream_model TEXT NOT NULL,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    latency_ms INTEGER NOT NULL,
    PRIMARY KEY (request_id, number)
);
