-- +goose Up
-- The audit log is append-only: Attest inserts entries and never updates or
-- deletes them. Each entry's hash covers its fields and the hash of the entry
-- before it; audit_heads holds each organization's last entry, so entries cut
-- from the end of a chain are noticed too.
CREATE TABLE audit_log (
    org_id    INTEGER NOT NULL REFERENCES organizations (id),
    seq       INTEGER NOT NULL,
    at        TIMESTAMP NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL DEFAULT '',
    before    TEXT NOT NULL DEFAULT '',
    after     TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL DEFAULT '',
    hash      TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
);
CREATE INDEX audit_log_entity ON audit_log (org_id, entity, entity_id);

CREATE TABLE audit_heads (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id),
    seq    INTEGER NOT NULL,
    hash   TEXT NOT NULL DEFAULT ''
);
-- Organizations from before the audit log start with an empty chain, so
-- that every organization has a head and a missing one means damage.
INSERT INTO audit_heads (org_id, seq, hash) SELECT id, 0, '' FROM organizations;

-- +goose Down
DROP TABLE audit_heads;
DROP TABLE audit_log;
