CREATE INDEX CONCURRENTLY invoices_customer_idx ON invoices (customer_id);
