-- +goose Up
-- Who created an API token in the browser: deactivating that person revokes
-- it. Tokens made from the command line (the operator's) have none.
ALTER TABLE api_tokens ADD COLUMN created_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX api_tokens_created_by ON api_tokens (created_by);

-- +goose Down
DROP INDEX api_tokens_created_by;
ALTER TABLE api_tokens DROP COLUMN created_by;
