-- Add migration script here
CREATE TABLE events (
    id uuid PRIMARY KEY,
    kind text NOT NULL,
    payload jsonb NOT NULL
);
