-- +goose Up
-- Each control keeps the criteria it is mapped to as a list beside the
-- mapping table, written in the same transaction as every mapping change,
-- so a page of controls reads its criteria with its rows.
ALTER TABLE controls ADD COLUMN criteria TEXT NOT NULL DEFAULT '';
UPDATE controls SET criteria = COALESCE((SELECT string_agg(m.criterion_id, ',' ORDER BY m.criterion_id) FROM control_criteria m
    WHERE m.org_id = controls.org_id AND m.control_id = controls.id), '');

-- +goose Down
ALTER TABLE controls DROP COLUMN criteria;
