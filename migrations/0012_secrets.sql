-- Secrets referenced as `secret:NAME`: AES-256-GCM under the master key, stored as nonce ‖ ciphertext ‖ tag
-- with the name as associated data. Values are never returned by any endpoint.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
