BEGIN;
ALTER TABLE items ADD COLUMN currency char(3);
COMMIT;
UPDATE items SET currency = 'EUR' WHERE currency IS NULL;
