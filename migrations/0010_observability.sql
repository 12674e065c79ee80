-- The request log grows into the observability record: who asked (key, team), which deployment answered,
-- exact cost (picodollars: tokens × micro-dollars per million tokens), cache, timings per step, the trace id,
-- and bodies for keys that log them. Attempts are kept for every request, not only for failovers.
ALTER TABLE requests ADD COLUMN endpoint TEXT NOT NULL DEFAULT 'chat';
ALTER TABLE requests ADD COLUMN key_id TEXT;
ALTER TABLE requests ADD COLUMN team TEXT;
ALTER TABLE requests ADD COLUMN deployment_id TEXT;
ALTER TABLE requests ADD COLUMN cached_tokens INTEGER;
ALTER TABLE requests ADD COLUMN reasoning_tokens INTEGER;
ALTER TABLE requests ADD COLUMN cost_pusd INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN unpriced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN queue_ms INTEGER;
ALTER TABLE requests ADD COLUMN connect_ms INTEGER;
ALTER TABLE requests ADD COLUMN error_message TEXT;
ALTER TABLE requests ADD COLUMN trace_id TEXT;
ALTER TABLE requests ADD COLUMN request_body TEXT;
ALTER TABLE requests ADD COLUMN response_body TEXT;
CREATE INDEX requests_by_key ON requests (key_id, created_at DESC);

ALTER TABLE request_attempts ADD COLUMN deployment_id TEXT;
ALTER TABLE request_attempts ADD COLUMN error TEXT;
ALTER TABLE request_attempts ADD COLUMN connect_ms INTEGER;
ALTER TABLE request_attempts ADD COLUMN ttft_ms INTEGER;

-- Usage aggregates kept incrementally by the request-log writer, in the same transaction as the rows they
-- count: one row per (granularity, bucket, model, provider, deployment, key, team, status). Granularity is
-- the bucket width in ms (60000, 3600000, 86400000). Three levels of detail: per key (days only),
-- per team (key_id '*') and overall (key_id and team '*'), so a query reads no more rows than its grouping
-- needs. Unknown dimensions are '' so they take part in the key. latency_hist / ttft_hist are sparse
-- LatencyHistogram counts (a format byte, then index and u32 count per non-empty bucket), merged in SQL by
-- hist_merge / hist_add.
CREATE TABLE usage_rollups (
    granularity INTEGER NOT NULL,
    bucket_start INTEGER NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    team TEXT NOT NULL,
    status INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cost_pusd INTEGER NOT NULL,
    unpriced INTEGER NOT NULL,
    cache_hits INTEGER NOT NULL,
    latency_hist BLOB NOT NULL,
    ttft_hist BLOB NOT NULL,
    PRIMARY KEY (granularity, bucket_start, model, provider, deployment_id, key_id, team, status)
) WITHOUT ROWID;
