ALTER TABLE items DROP COLUMN currency;
