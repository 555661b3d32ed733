-- +goose Up
-- When a version was published: its effective date, printed in its text and
-- on the title page of its export.
ALTER TABLE policy_versions ADD COLUMN published_at TIMESTAMP;

-- +goose Down
ALTER TABLE policy_versions DROP COLUMN published_at;
