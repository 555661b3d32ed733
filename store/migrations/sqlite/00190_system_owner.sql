-- +goose Up
-- A system's owner is a member, stored by user ID: a display name never
-- grants anything. A system taken from the asset inventory follows the
-- asset's owner. Any other free-text owner moves to the one active,
-- non-auditor member whose name or email it is (letter case aside); other
-- text stays as a note that is shown but grants nothing.
ALTER TABLE systems ADD COLUMN owner_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE systems ADD COLUMN owner_note TEXT NOT NULL DEFAULT '';

UPDATE systems SET owner_user_id = (SELECT a.owner_user_id FROM assets a WHERE a.id = systems.asset_id)
WHERE asset_id IS NOT NULL;
UPDATE systems SET owner_user_id = (
    SELECT u.id FROM users u WHERE u.org_id = systems.org_id AND u.active AND u.role <> 'auditor'
       AND (lower(u.name) = lower(trim(systems.owner)) OR lower(u.email) = lower(trim(systems.owner))))
WHERE owner_user_id IS NULL AND trim(owner) <> '' AND (
    SELECT count(*) FROM users u WHERE u.org_id = systems.org_id AND u.active AND u.role <> 'auditor'
       AND (lower(u.name) = lower(trim(systems.owner)) OR lower(u.email) = lower(trim(systems.owner)))) = 1;
UPDATE systems SET owner_note = trim(owner) WHERE owner_user_id IS NULL AND trim(owner) <> '';

ALTER TABLE systems DROP COLUMN owner;
CREATE INDEX systems_org_owner ON systems (org_id, owner_user_id);

-- +goose Down
DROP INDEX systems_org_owner;
ALTER TABLE systems ADD COLUMN owner TEXT NOT NULL DEFAULT '';
UPDATE systems SET owner = COALESCE((SELECT u.name FROM users u WHERE u.id = systems.owner_user_id), owner_note);
ALTER TABLE systems DROP COLUMN owner_note;
ALTER TABLE systems DROP COLUMN owner_user_id;
