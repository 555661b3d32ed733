-- +goose Up
-- "My tasks" on the dashboard lists an owner's tasks by due date.
CREATE INDEX tasks_org_owner_due ON tasks (org_id, owner, due_date, id);
CREATE INDEX tasks_org_control ON tasks (org_id, control_id);

-- +goose Down
DROP INDEX tasks_org_control;
DROP INDEX tasks_org_owner_due;
