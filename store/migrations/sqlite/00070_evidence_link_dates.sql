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
UPDATE evidence_links SET
    period_start = (SELECT v.period_start FROM evidence v WHERE v.id = evidence_links.evidence_id),
    period_end   = (SELECT v.period_end FROM evidence v WHERE v.id = evidence_links.evidence_id),
    valid_until  = (SELECT v.valid_until FROM evidence v WHERE v.id = evidence_links.evidence_id),
    provided_on  = (SELECT substr(min(v.collected_at, v.created_at), 1, 10) FROM evidence v WHERE v.id = evidence_links.evidence_id),
    superseded   = (SELECT v.superseded_by IS NOT NULL FROM evidence v WHERE v.id = evidence_links.evidence_id);
CREATE INDEX evidence_links_slots ON evidence_links (org_id, control_id, need, period_end, period_start, valid_until, provided_on, superseded, evidence_id);

-- +goose Down
DROP INDEX evidence_links_slots;
ALTER TABLE evidence_links DROP COLUMN superseded;
ALTER TABLE evidence_links DROP COLUMN provided_on;
ALTER TABLE evidence_links DROP COLUMN valid_until;
ALTER TABLE evidence_links DROP COLUMN period_end;
ALTER TABLE evidence_links DROP COLUMN period_start;
