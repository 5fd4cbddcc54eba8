CREATE INDEX items_sku_idx ON items (sku);
