-- Every admin write: when, who (the admin token's id), what (resource, id, action), the config version it
-- made, and the resource before and after as the API renders it (so secrets never appear: secrets render
-- as names and times, keys without their secret).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    config_version INTEGER NOT NULL,
    summary TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_by_resource ON audit_log (resource, id);
