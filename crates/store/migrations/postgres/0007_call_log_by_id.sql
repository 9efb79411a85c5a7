-- The call log is read newest first by id (UUIDv7, time-ordered) and pruned by id, so
-- its index is on (connector_id, id). The old one, on the text timestamp, made every
-- page of a busy connector's log sort all of that connector's calls.
DROP INDEX api_calls_connector;
CREATE INDEX api_calls_connector_id ON api_calls (connector_id, id);
