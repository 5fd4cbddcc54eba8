--liquibase formatted sql

--changeset alice:1
CREATE TABLE shipments (
    id bigint PRIMARY KEY,
    carrier text NOT NULL
);
--rollback DROP TABLE shipments;

--changeset alice:2 runInTransaction:false
CREATE INDEX CONCURRENTLY shipments_carrier_idx ON shipments (carrier);
--rollback DROP INDEX CONCURRENTLY shipments_carrier_idx;

--changeset alice:3 dbms:mysql
ALTER TABLE shipments ENGINE = InnoDB;

--changeset bob:4
ALTER TABLE shipments ADD COLUMN weight_grams integer;
CREATE INDEX CONCURRENTLY shipments_weight_idx ON shipments (weight_grams);
--rollback DROP INDEX shipments_weight_idx;
--rollback ALTER TABLE shipments DROP COLUMN weight_grams;
