ALTER TABLE invoices ADD COLUMN paid_at timestamptz;
