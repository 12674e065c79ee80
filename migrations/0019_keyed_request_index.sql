-- The per-key request index holds only rows made with a virtual key. Rows without one (a gateway that uses no keys
-- writes nothing else) no longer cost the request-log writer a fourth B-tree insert each, and listing requests by key,
-- whose query now names only the filters given, reads this index instead of scanning the time index.
DROP INDEX requests_by_key;
CREATE INDEX requests_by_key ON requests (key_id, created_at) WHERE key_id IS NOT NULL;
