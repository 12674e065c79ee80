-- Per route: connect, first-byte and stream-idle timeouts that override each provider's for requests to
-- this public name (JSON object: connect_ms, first_byte_ms, stream_idle_ms).
ALTER TABLE routes ADD COLUMN timeouts TEXT NOT NULL DEFAULT '{}';
