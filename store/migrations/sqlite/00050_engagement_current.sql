-- +goose Up
-- An organization chooses which engagement is current (the dashboard, the
-- evidence and readiness pages and the API's default); an archived
-- engagement stays readable but leaves the switcher. Organizations that
-- already have engagements keep the one they saw so far: the newest.
ALTER TABLE engagements ADD COLUMN archived_at TIMESTAMP;
ALTER TABLE organizations ADD COLUMN current_engagement_id INTEGER;
UPDATE organizations SET current_engagement_id = (SELECT MAX(e.id) FROM engagements e WHERE e.org_id = organizations.id);

-- +goose Down
ALTER TABLE organizations DROP COLUMN current_engagement_id;
ALTER TABLE engagements DROP COLUMN archived_at;
