-- +goose Up
-- "My tasks" on the dashboard and the task list filter by owner.
CREATE INDEX tasks_org_owner ON tasks (org_id, owner, status, due_date);
CREATE INDEX tasks_org_control ON tasks (org_id, control_id);

-- +goose Down
DROP INDEX tasks_org_control;
DROP INDEX tasks_org_owner;
