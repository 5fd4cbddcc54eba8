CREATE TABLE invoices (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL,
    total_cents bigint NOT NULL
);
