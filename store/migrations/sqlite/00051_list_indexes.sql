-- +goose Up
-- The lists of controls and tasks are filtered, sorted and cut in the
-- database: each sort column and filter has an index that leads with the
-- organization.
CREATE INDEX controls_list_status ON controls (org_id, status, id);
CREATE INDEX IF NOT EXISTS controls_list_owner ON controls (org_id, owner_user_id, id);
CREATE INDEX controls_list_name ON controls (org_id, name, id);
CREATE INDEX control_criteria_list_criterion ON control_criteria (org_id, criterion_id, control_id);
CREATE INDEX tasks_list_due ON tasks (org_id, due_date, id);
CREATE INDEX tasks_list_title ON tasks (org_id, title, id);
CREATE INDEX tasks_list_created ON tasks (org_id, created_at, id);

-- +goose Down
DROP INDEX tasks_list_created;
DROP INDEX tasks_list_title;
DROP INDEX tasks_list_due;
DROP INDEX control_criteria_list_criterion;
DROP INDEX controls_list_name;
DROP INDEX IF EXISTS controls_list_owner;
DROP INDEX controls_list_status;
