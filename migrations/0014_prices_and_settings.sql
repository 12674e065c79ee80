-- Effective-dated prices: each model deployment has a schedule of prices, each in force from its
-- `effective_from` (Unix milliseconds; 0 = always) until the next one. A request is costed at the price in
-- force when it arrives and its cost is stored with it, so a price change never alters past costs. A model
-- without any price is unpriced: refused or served and flagged, per the `unpriced_policy` setting. A zero
-- price is a price (local models cost nothing). Cached input at 0 costs the input price; reasoning output
-- without its own price costs the output price.
CREATE TABLE model_prices (
    model_id TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    effective_from INTEGER NOT NULL,
    input_per_mtok_micros INTEGER NOT NULL,
    output_per_mtok_micros INTEGER NOT NULL,
    cached_input_per_mtok_micros INTEGER NOT NULL DEFAULT 0,
    reasoning_per_mtok_micros INTEGER,
    PRIMARY KEY (model_id, effective_from)
) WITHOUT ROWID;

-- Until now a model with every price at zero was the unpriced one; any other price becomes its first,
-- in force since always.
INSERT INTO model_prices (model_id, effective_from, input_per_mtok_micros, output_per_mtok_micros, cached_input_per_mtok_micros)
SELECT id, 0, input_per_mtok_micros, output_per_mtok_micros, cached_input_per_mtok_micros FROM models
WHERE input_per_mtok_micros > 0 OR output_per_mtok_micros > 0 OR cached_input_per_mtok_micros > 0;

ALTER TABLE models DROP COLUMN input_per_mtok_micros;
ALTER TABLE models DROP COLUMN output_per_mtok_micros;
ALTER TABLE models DROP COLUMN cached_input_per_mtok_micros;

-- Gateway-wide settings, one JSON value per name: `unpriced_policy` ("block" or "flag"), `budget` (the
-- global budget, as a key's), `alert_webhook` ({url, secret_ref}).
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- New installs refuse unpriced models; an install that already serves models keeps serving them, flagged.
INSERT INTO settings (name, value)
SELECT 'unpriced_policy', CASE WHEN EXISTS (SELECT 1 FROM models) THEN '"flag"' ELSE '"block"' END;
