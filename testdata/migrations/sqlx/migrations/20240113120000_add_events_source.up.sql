-- Add up migration script here
ALTER TABLE events ADD COLUMN source text;
