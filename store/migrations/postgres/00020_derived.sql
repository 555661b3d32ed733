-- +goose Up
-- Readiness is derived after a write, not during it: each engagement's
-- latest computed readiness (the JSON of attest.Readiness), with the audit
-- sequence number and the day it reflects. Pages read this one row.
CREATE TABLE readiness_results (
    org_id        BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    engagement_id BIGINT NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    seq           BIGINT NOT NULL,
    day           TEXT NOT NULL,
    computed_at   TIMESTAMPTZ NOT NULL,
    result        TEXT NOT NULL,
    PRIMARY KEY (org_id, engagement_id)
);
-- The latest change to one kind of entity (policies, users, settings) keys
-- what depends on those alone, so writes to other tables leave it alone.
CREATE INDEX audit_log_entity_seq ON audit_log (org_id, entity, seq);

-- +goose Down
DROP INDEX audit_log_entity_seq;
DROP TABLE readiness_results;
