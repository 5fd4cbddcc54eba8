CREATE INDEX CONCURRENTLY posts_author_id_idx ON posts (author_id);
