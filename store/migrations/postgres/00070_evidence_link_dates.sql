-- +goose Up
-- Each link carries what a request list's slots read of its item: the
-- period, the validity, the day it was provided and whether a newer
-- version replaced it. Items never change but for being replaced, so the
-- copy stays true; a slot is then answered from one index on the links,
-- without reading the items.
ALTER TABLE evidence_links ADD COLUMN period_start TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence_links ADD COLUMN period_end TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence_links ADD COLUMN valid_until TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence_links ADD COLUMN provided_on TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence_links ADD COLUMN superseded BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE evidence_links l SET
    period_start = v.period_start,
    period_end   = v.period_end,
    valid_until  = v.valid_until,
    provided_on  = to_char(LEAST(v.collected_at, v.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
    superseded   = v.superseded_by IS NOT NULL
FROM evidence v WHERE v.id = l.evidence_id;
CREATE INDEX evidence_links_slots ON evidence_links (org_id, control_id, need, period_end, period_start, valid_until, provided_on, superseded, evidence_id);

-- +goose Down
DROP INDEX evidence_links_slots;
ALTER TABLE evidence_links DROP COLUMN superseded;
ALTER TABLE evidence_links DROP COLUMN provided_on;
ALTER TABLE evidence_links DROP COLUMN valid_until;
ALTER TABLE evidence_links DROP COLUMN period_end;
ALTER TABLE evidence_links DROP COLUMN period_start;
