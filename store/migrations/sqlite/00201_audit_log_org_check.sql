-- +goose Up
-- An audit entry is only ever appended under the lock of its
-- organization's audit head (audit_heads), whose own foreign key proves
-- the organization exists; organizations are never deleted. The entries'
-- own foreign key is dropped, as on PostgreSQL (where it cost a trigger
-- per row): SQLite keeps it in the table's definition, so the table is
-- rebuilt without it.
CREATE TABLE audit_log_next (
    org_id        INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    at            TIMESTAMP NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL DEFAULT '',
    before        TEXT NOT NULL DEFAULT '',
    after         TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL DEFAULT '',
    hash          TEXT NOT NULL,
    engagement_id INTEGER,
    PRIMARY KEY (org_id, seq)
);
INSERT INTO audit_log_next (org_id, seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash, engagement_id) SELECT org_id, seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash, engagement_id FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_next RENAME TO audit_log;
CREATE INDEX audit_log_entity ON audit_log (org_id, entity, entity_id);
CREATE INDEX audit_log_entity_seq ON audit_log (org_id, entity, seq);
CREATE INDEX audit_log_engagement ON audit_log (org_id, engagement_id, seq);

-- +goose Down
CREATE TABLE audit_log_next (
    org_id        INTEGER NOT NULL REFERENCES organizations (id),
    seq           INTEGER NOT NULL,
    at            TIMESTAMP NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL DEFAULT '',
    before        TEXT NOT NULL DEFAULT '',
    after         TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL DEFAULT '',
    hash          TEXT NOT NULL,
    engagement_id INTEGER,
    PRIMARY KEY (org_id, seq)
);
INSERT INTO audit_log_next (org_id, seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash, engagement_id) SELECT org_id, seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash, engagement_id FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_next RENAME TO audit_log;
CREATE INDEX audit_log_entity ON audit_log (org_id, entity, entity_id);
CREATE INDEX audit_log_entity_seq ON audit_log (org_id, entity, seq);
CREATE INDEX audit_log_engagement ON audit_log (org_id, engagement_id, seq);
