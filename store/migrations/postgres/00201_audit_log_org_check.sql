-- +goose Up
-- An audit entry is only ever appended under the lock of its
-- organization's audit head (audit_heads), whose own foreign key proves
-- the organization exists; organizations are never deleted. The foreign
-- key of each entry repeated that proof with a trigger per row, a large
-- part of what a bulk import's audit entries cost here. Dropped on both
-- databases.
ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_org_id_fkey;

-- +goose Down
ALTER TABLE audit_log ADD CONSTRAINT audit_log_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations (id);
