-- Tables created here are new: nothing to lock, nothing to scan.
CREATE TABLE devices (
    id bigint PRIMARY KEY,
    serial_number text NOT NULL
);

CREATE TABLE measurements (
    id bigint PRIMARY KEY,
    device_id bigint NOT NULL,
    taken_at timestamptz NOT NULL,
    value double precision
);

CREATE INDEX measurements_taken_at_idx ON measurements (taken_at);
