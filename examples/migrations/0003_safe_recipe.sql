-- The safe recipe: give up on a lock rather than queue traffic behind it, NOT VALID first,
-- validation and the index build without blocking writes.
SET lock_timeout = '5s';

ALTER TABLE measurements
    ADD CONSTRAINT measurements_device_id_fkey
    FOREIGN KEY (device_id) REFERENCES devices (id) NOT VALID;

ALTER TABLE measurements VALIDATE CONSTRAINT measurements_device_id_fkey;

CREATE INDEX CONCURRENTLY measurements_device_id_idx ON measurements (device_id);

-- devices is small: a plain index build takes milliseconds.
CREATE INDEX devices_serial_number_idx ON devices (serial_number);
