-- The longest gap allowed between two pieces of an upstream stream before it counts as stalled.
ALTER TABLE providers ADD COLUMN stream_idle_timeout_ms INTEGER;
