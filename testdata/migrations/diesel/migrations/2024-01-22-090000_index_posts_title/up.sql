-- No metadata.toml here: diesel wraps this in a transaction and CONCURRENTLY fails.
CREATE INDEX CONCURRENTLY posts_title_idx ON posts (title);
