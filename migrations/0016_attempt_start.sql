-- When each attempt started, in ms after the request arrived, so a request's attempts can be drawn as a
-- timeline (hedged attempts overlap; retries follow their backoff). NULL for attempts logged before this.
ALTER TABLE request_attempts ADD COLUMN started_ms INTEGER;
