-- The config as numbered versions: each committed version records the config objects it changed (their
-- rendering as in GET /admin/v1/config/export; NULL when deleted), so the whole config at any recorded
-- version can be rebuilt, diffed and rolled back to. Versions committed before this migration are not
-- recorded; the first commit after it records every object (the baseline).
CREATE TABLE config_objects (
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT,
    PRIMARY KEY (kind, id, version)
) WITHOUT ROWID;

CREATE INDEX config_objects_by_version ON config_objects (version);
