-- +goose Up
-- When the published major version was first published: employees are asked
-- to acknowledge each major version, and their due date runs from here.
ALTER TABLE policies ADD COLUMN ack_since TIMESTAMP;
UPDATE policies SET ack_since = created_at WHERE published_version <> '';
-- The share of employees who must acknowledge a policy before the controls
-- it supports count as implemented, and the days they have to do it.
ALTER TABLE org_settings ADD COLUMN ack_share_percent INTEGER NOT NULL DEFAULT 95;
ALTER TABLE org_settings ADD COLUMN ack_due_days INTEGER NOT NULL DEFAULT 14;

-- +goose Down
ALTER TABLE org_settings DROP COLUMN ack_due_days;
ALTER TABLE org_settings DROP COLUMN ack_share_percent;
ALTER TABLE policies DROP COLUMN ack_since;
