CREATE TABLE items (
    id bigserial PRIMARY KEY,
    sku text NOT NULL,
    price_cents integer NOT NULL
);
