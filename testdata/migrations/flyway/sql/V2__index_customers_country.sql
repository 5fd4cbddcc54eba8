-- Mixed with a transactional statement: Flyway runs it in one transaction.
CREATE INDEX CONCURRENTLY customers_country_idx ON customers (country);
ALTER TABLE customers ALTER COLUMN country SET DEFAULT 'NL';
