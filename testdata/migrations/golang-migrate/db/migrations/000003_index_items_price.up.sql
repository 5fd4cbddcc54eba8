-- Two statements in one query string: one implicit transaction, CONCURRENTLY fails.
CREATE INDEX CONCURRENTLY items_price_idx ON items (price_cents);
COMMENT ON INDEX items_price_idx IS 'price lookups';
