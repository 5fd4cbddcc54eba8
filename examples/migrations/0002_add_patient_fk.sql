-- The migration that took the platform down: a validated foreign key and a blocking index
-- build on a 450M-row table.
ALTER TABLE measurements ADD COLUMN patient_id bigint;

ALTER TABLE measurements
    ADD CONSTRAINT measurements_patient_id_fkey
    FOREIGN KEY (patient_id) REFERENCES devices (id);

CREATE INDEX measurements_patient_id_idx ON measurements (patient_id);
