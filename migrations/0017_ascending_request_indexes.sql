-- The request indexes become ascending. New rows carry the newest created_at, and in a descending index that is
-- the left edge, where SQLite's page balancing packs the leftmost page full again after every split: the writer
-- rebalanced an index page every few rows and the pages stayed half empty. Ascending, the same inserts append at
-- the right edge (one split a page). SQLite reads an index backwards as cheaply, so "newest first" queries keep
-- using these.
DROP INDEX requests_by_time;
CREATE INDEX requests_by_time ON requests (created_at);
DROP INDEX requests_by_key;
CREATE INDEX requests_by_key ON requests (key_id, created_at);
