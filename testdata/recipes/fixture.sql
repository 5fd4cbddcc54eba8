-- The tables the rule pages' bad examples name, with rows, for tests/recipes_db.rs (run in a
-- schema of its own, on search_path).
CREATE TABLE devices (id bigint PRIMARY KEY, owner_id bigint);
CREATE TABLE sites (id bigint PRIMARY KEY);
CREATE TABLE measurements (
    id bigint PRIMARY KEY,
    device_id bigint,
    uuid uuid,
    taken_at timestamptz,
    value double precision
);
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, legacy_flag boolean);
CREATE TABLE countries (id bigint PRIMARY KEY, code text);
INSERT INTO devices SELECT g, g FROM generate_series(1, 100) g;
INSERT INTO sites VALUES (1);
INSERT INTO measurements
    SELECT g, g % 100 + 1, md5(g::text)::uuid, now() - g * interval '1 minute', g
    FROM generate_series(1, 20000) g;
INSERT INTO users SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 1000) g;
INSERT INTO orders SELECT g, false FROM generate_series(1, 1000) g;
INSERT INTO countries SELECT g, 'c' || g FROM generate_series(1, 250) g;
CREATE INDEX measurements_taken_at_idx ON measurements (taken_at);
