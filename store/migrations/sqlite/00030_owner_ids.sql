-- +goose Up
-- Owners are members, stored by user ID: a display name never grants
-- anything. A free-text owner moves to the one active, non-auditor member
-- whose name or email it is (letter case aside); any other text stays as a
-- note that is shown but grants nothing, and the row counts as unowned.
ALTER TABLE controls ADD COLUMN owner_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE controls ADD COLUMN owner_note TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN owner_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE tasks ADD COLUMN owner_note TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE policies ADD COLUMN owner_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE policies ADD COLUMN owner_note TEXT NOT NULL DEFAULT '';
-- The version last sent to the approvers for their decision.
ALTER TABLE policies ADD COLUMN submitted_version TEXT NOT NULL DEFAULT '';

UPDATE controls SET owner_user_id = (
    SELECT u.id FROM users u WHERE u.org_id = controls.org_id AND u.active AND u.role <> 'auditor'
       AND (lower(u.name) = lower(trim(controls.owner)) OR lower(u.email) = lower(trim(controls.owner))))
WHERE trim(owner) <> '' AND (
    SELECT count(*) FROM users u WHERE u.org_id = controls.org_id AND u.active AND u.role <> 'auditor'
       AND (lower(u.name) = lower(trim(controls.owner)) OR lower(u.email) = lower(trim(controls.owner)))) = 1;
UPDATE controls SET owner_note = trim(owner) WHERE owner_user_id IS NULL AND trim(owner) <> '';

UPDATE tasks SET owner_user_id = (
    SELECT u.id FROM users u WHERE u.org_id = tasks.org_id AND u.active AND u.role <> 'auditor'
       AND (lower(u.name) = lower(trim(tasks.owner)) OR lower(u.email) = lower(trim(tasks.owner))))
WHERE trim(owner) <> '' AND (
    SELECT count(*) FROM users u WHERE u.org_id = tasks.org_id AND u.active AND u.role <> 'auditor'
       AND (lower(u.name) = lower(trim(tasks.owner)) OR lower(u.email) = lower(trim(tasks.owner)))) = 1;
UPDATE tasks SET owner_note = trim(owner) WHERE owner_user_id IS NULL AND trim(owner) <> '';

UPDATE policies SET owner_user_id = (
    SELECT u.id FROM users u WHERE u.org_id = policies.org_id AND u.active AND u.role <> 'auditor'
       AND (lower(u.name) = lower(trim(policies.owner)) OR lower(u.email) = lower(trim(policies.owner))))
WHERE trim(owner) <> '' AND (
    SELECT count(*) FROM users u WHERE u.org_id = policies.org_id AND u.active AND u.role <> 'auditor'
       AND (lower(u.name) = lower(trim(policies.owner)) OR lower(u.email) = lower(trim(policies.owner)))) = 1;
UPDATE policies SET owner_note = trim(owner) WHERE owner_user_id IS NULL AND trim(owner) <> '';

DROP INDEX tasks_org_owner_due;
-- Dropped with the column it indexed when 00051 ran first; 00051 makes it
-- on owner_user_id.
DROP INDEX IF EXISTS controls_list_owner;
ALTER TABLE controls DROP COLUMN owner;
ALTER TABLE tasks DROP COLUMN owner;
ALTER TABLE policies DROP COLUMN owner;

-- "My tasks", "controls I own" and reminders look owners up by ID.
CREATE INDEX tasks_org_owner_due ON tasks (org_id, owner_user_id, due_date, id);
CREATE INDEX controls_org_owner ON controls (org_id, owner_user_id);
CREATE INDEX policies_org_owner ON policies (org_id, owner_user_id);

-- +goose Down
DROP INDEX policies_org_owner;
DROP INDEX controls_org_owner;
DROP INDEX tasks_org_owner_due;
ALTER TABLE controls ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE policies ADD COLUMN owner TEXT NOT NULL DEFAULT '';
UPDATE controls SET owner = COALESCE((SELECT u.name FROM users u WHERE u.id = controls.owner_user_id), owner_note);
UPDATE tasks SET owner = COALESCE((SELECT u.name FROM users u WHERE u.id = tasks.owner_user_id), owner_note);
UPDATE policies SET owner = COALESCE((SELECT u.name FROM users u WHERE u.id = policies.owner_user_id), owner_note);
ALTER TABLE policies DROP COLUMN submitted_version;
ALTER TABLE policies DROP COLUMN owner_note;
ALTER TABLE policies DROP COLUMN owner_user_id;
ALTER TABLE tasks DROP COLUMN description;
ALTER TABLE tasks DROP COLUMN owner_note;
ALTER TABLE tasks DROP COLUMN owner_user_id;
ALTER TABLE controls DROP COLUMN owner_note;
ALTER TABLE controls DROP COLUMN owner_user_id;
CREATE INDEX tasks_org_owner_due ON tasks (org_id, owner, due_date, id);
