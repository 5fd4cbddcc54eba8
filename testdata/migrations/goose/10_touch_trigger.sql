-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION touch_updated_at() RETURNS trigger AS '
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
' LANGUAGE plpgsql;
-- +goose StatementEnd

ALTER TABLE users ADD COLUMN updated_at timestamptz;

-- +goose Down
-- +goose StatementBegin
DROP FUNCTION touch_updated_at();
-- +goose StatementEnd
ALTER TABLE users DROP COLUMN updated_at;
