-- migrate:up
ALTER TABLE accounts ADD COLUMN plan text;
CREATE INDEX CONCURRENTLY accounts_plan_idx ON accounts (plan);

-- migrate:down
DROP INDEX accounts_plan_idx;
ALTER TABLE accounts DROP COLUMN plan;
