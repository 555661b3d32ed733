-- +goose Up
-- The engagement an audit entry is about (not part of its hash), so an
-- auditor's view of the log is scoped in the query, a full page at a time.
ALTER TABLE audit_log ADD COLUMN engagement_id INTEGER;
UPDATE audit_log SET engagement_id = CASE
    WHEN entity = 'engagement' THEN CAST(entity_id AS INTEGER)
    ELSE COALESCE(
        CASE WHEN json_valid(after) AND json_type(after, '$.engagement_id') = 'integer' THEN json_extract(after, '$.engagement_id') END,
        CASE WHEN json_valid(before) AND json_type(before, '$.engagement_id') = 'integer' THEN json_extract(before, '$.engagement_id') END)
    END
WHERE entity = 'engagement' OR after LIKE '%"engagement_id"%' OR before LIKE '%"engagement_id"%';
CREATE INDEX audit_log_engagement ON audit_log (org_id, engagement_id, seq);

-- +goose Down
DROP INDEX audit_log_engagement;
ALTER TABLE audit_log DROP COLUMN engagement_id;
