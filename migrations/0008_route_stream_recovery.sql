-- Per route: `continue` resumes a stream cut after its first event on the next deployment, sending it the
-- conversation plus the partial answer and splicing its continuation into the client's stream; `off` ends
-- such a stream with an error event.
ALTER TABLE routes ADD COLUMN stream_recovery TEXT NOT NULL DEFAULT 'off';
