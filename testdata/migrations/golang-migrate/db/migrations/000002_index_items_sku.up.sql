-- A lone statement: PostgreSQL runs it outside any transaction.
CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku);
