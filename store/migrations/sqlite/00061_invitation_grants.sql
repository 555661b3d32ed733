-- +goose Up
-- What an auditor's invitation grants on acceptance: the engagements (a JSON
-- list of IDs) and when the access ends.
ALTER TABLE invitations ADD COLUMN engagements TEXT NOT NULL DEFAULT '[]';
ALTER TABLE invitations ADD COLUMN access_expires TIMESTAMP;

-- +goose Down
ALTER TABLE invitations DROP COLUMN access_expires;
ALTER TABLE invitations DROP COLUMN engagements;
