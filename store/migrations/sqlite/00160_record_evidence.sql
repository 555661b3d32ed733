-- +goose Up
-- Records become evidence at their event: a change independently approved,
-- an internal test found effective, a training campaign or a checklist
-- completed. Each record keeps the evidence item that evidences it (the
-- latest one; an earlier item is superseded by the next), and a checklist
-- template names the control its completed checklists evidence.
ALTER TABLE change_records ADD COLUMN evidence_id INTEGER;
ALTER TABLE control_tests ADD COLUMN evidence_id INTEGER;
ALTER TABLE training_campaigns ADD COLUMN evidence_id INTEGER;
ALTER TABLE checklists ADD COLUMN evidence_id INTEGER;
ALTER TABLE checklist_templates ADD COLUMN control_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE checklist_templates DROP COLUMN control_id;
ALTER TABLE checklists DROP COLUMN evidence_id;
ALTER TABLE training_campaigns DROP COLUMN evidence_id;
ALTER TABLE control_tests DROP COLUMN evidence_id;
ALTER TABLE change_records DROP COLUMN evidence_id;
