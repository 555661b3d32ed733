-- +goose Up
-- Evidence: immutable items (a new version supersedes the old one), the
-- control needs each serves, and statements that a period had nothing to
-- prove. File bytes live in the blob store under their SHA-256.
CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('file', 'link', 'statement')),
    title         TEXT NOT NULL,
    sha256        TEXT NOT NULL DEFAULT '',
    size          INTEGER NOT NULL DEFAULT 0,
    content_type  TEXT NOT NULL DEFAULT '',
    file_name     TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL DEFAULT '',
    statement     TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL,
    provided_by   TEXT NOT NULL,
    collected_at  TIMESTAMP NOT NULL,
    period_start  TEXT NOT NULL,
    period_end    TEXT NOT NULL,
    valid_until   TEXT NOT NULL DEFAULT '',
    supersedes    INTEGER REFERENCES evidence (id),
    superseded_by INTEGER REFERENCES evidence (id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX evidence_org ON evidence (org_id, id);
CREATE INDEX evidence_sha256 ON evidence (sha256);
CREATE UNIQUE INDEX evidence_supersedes ON evidence (supersedes);

CREATE TABLE evidence_links (
    org_id      INTEGER NOT NULL,
    evidence_id INTEGER NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    control_id  TEXT NOT NULL,
    need        INTEGER NOT NULL,
    PRIMARY KEY (evidence_id, control_id, need),
    FOREIGN KEY (org_id, control_id) REFERENCES controls (org_id, id) ON DELETE CASCADE
);
CREATE INDEX evidence_links_control ON evidence_links (org_id, control_id);

CREATE TABLE evidence_slot_statements (
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    control_id    TEXT NOT NULL,
    need          INTEGER NOT NULL,
    period_start  TEXT NOT NULL,
    statement     TEXT NOT NULL,
    by_actor      TEXT NOT NULL,
    at            TIMESTAMP NOT NULL,
    PRIMARY KEY (engagement_id, control_id, need, period_start)
);

-- Each organization signs its evidence packages with its own Ed25519 key;
-- the private half is sealed with the server's secret key.
CREATE TABLE org_signing_keys (
    org_id      INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

-- What each user wants to hear about, and the organization's webhooks.
CREATE TABLE notification_prefs (
    org_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event   TEXT NOT NULL,
    email   BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, event)
);

CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    format     TEXT NOT NULL CHECK (format IN ('json', 'slack')),
    events     TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_org ON webhooks (org_id);

-- +goose Down
DROP TABLE webhooks;
DROP TABLE notification_prefs;
DROP TABLE org_signing_keys;
DROP TABLE evidence_slot_statements;
DROP TABLE evidence_links;
DROP TABLE evidence;
