CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku);
CREATE INDEX CONCURRENTLY items_id_sku_idx ON items (id, sku);
