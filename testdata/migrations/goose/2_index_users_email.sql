-- Runs inside goose's transaction: CONCURRENTLY fails there.
-- +goose Up
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);

-- +goose Down
DROP INDEX CONCURRENTLY users_email_idx;
