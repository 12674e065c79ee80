-- Session affinity per route: seconds a session (x-session-id header or the request's `user`) stays on the
-- deployment that served it last, while that deployment stays healthy. NULL: no affinity.
ALTER TABLE routes ADD COLUMN affinity_ttl_s INTEGER;
