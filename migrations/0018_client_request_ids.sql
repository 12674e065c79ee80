-- A client's own x-request-id is kept beside the row's id instead of being the id. A client may send one id twice
-- (a retry, a reused header), and as the primary key the second request's row was taken for a replay of the first
-- and dropped; each request now has a row under an id of the gateway's, and the client's id finds it.
ALTER TABLE requests ADD COLUMN client_request_id TEXT;
CREATE INDEX requests_by_client_id ON requests (client_request_id, created_at) WHERE client_request_id IS NOT NULL;
