-- +goose Up
-- The engagement an audit entry is about (not part of its hash), so an
-- auditor's view of the log is scoped in the query, a full page at a time.
ALTER TABLE audit_log ADD COLUMN engagement_id BIGINT;
UPDATE audit_log SET engagement_id = CASE
    WHEN entity = 'engagement' AND entity_id ~ '^[0-9]{1,18}$' THEN entity_id::bigint
    WHEN entity = 'engagement' THEN NULL
    ELSE COALESCE(
        CASE WHEN after LIKE '{%' AND jsonb_typeof(after::jsonb -> 'engagement_id') = 'number' THEN (after::jsonb ->> 'engagement_id')::bigint END,
        CASE WHEN before LIKE '{%' AND jsonb_typeof(before::jsonb -> 'engagement_id') = 'number' THEN (before::jsonb ->> 'engagement_id')::bigint END)
    END
WHERE entity = 'engagement' OR after LIKE '%"engagement_id"%' OR before LIKE '%"engagement_id"%';
CREATE INDEX audit_log_engagement ON audit_log (org_id, engagement_id, seq);

-- +goose Down
DROP INDEX audit_log_engagement;
ALTER TABLE audit_log DROP COLUMN engagement_id;
