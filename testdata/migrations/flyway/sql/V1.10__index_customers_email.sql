-- Only non-transactional statements: Flyway runs this migration without a transaction.
CREATE INDEX CONCURRENTLY customers_email_idx ON customers (email);
