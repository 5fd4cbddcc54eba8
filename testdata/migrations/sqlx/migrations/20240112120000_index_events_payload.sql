-- sqlx runs this file in a transaction: CONCURRENTLY fails.
CREATE INDEX CONCURRENTLY events_payload_idx ON events USING gin (payload);
