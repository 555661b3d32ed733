-- +goose Up
CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used  TIMESTAMP,
    revoked_at TIMESTAMP
);

CREATE TABLE controls (
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    owner_role    TEXT NOT NULL DEFAULT '',
    frequency     TEXT NOT NULL,
    automatable   BOOLEAN NOT NULL DEFAULT FALSE,
    evidence      TEXT NOT NULL DEFAULT '[]',
    custom        BOOLEAN NOT NULL DEFAULT FALSE,
    status        TEXT NOT NULL DEFAULT 'not_started',
    owner         TEXT NOT NULL DEFAULT '',
    due_date      TEXT NOT NULL DEFAULT '',
    notes         TEXT NOT NULL DEFAULT '',
    justification TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, id),
    CHECK (status IN ('not_started', 'in_progress', 'implemented', 'not_applicable')),
    CHECK (status <> 'not_applicable' OR justification <> '')
);

CREATE TABLE control_criteria (
    org_id       INTEGER NOT NULL,
    control_id   TEXT NOT NULL,
    criterion_id TEXT NOT NULL,
    PRIMARY KEY (org_id, control_id, criterion_id),
    FOREIGN KEY (org_id, control_id) REFERENCES controls (org_id, id) ON DELETE CASCADE
);

CREATE TABLE engagements (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    report_type  TEXT NOT NULL CHECK (report_type IN ('type1', 'type2')),
    drivers      TEXT NOT NULL DEFAULT '[]',
    customers    TEXT NOT NULL DEFAULT '[]',
    notes        TEXT NOT NULL DEFAULT '',
    target_date  TEXT NOT NULL DEFAULT '',
    as_of_date   TEXT NOT NULL DEFAULT '',
    window_start TEXT NOT NULL DEFAULT '',
    window_end   TEXT NOT NULL DEFAULT '',
    categories   TEXT NOT NULL DEFAULT '[]',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX engagements_org ON engagements (org_id);

CREATE TABLE systems (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    owner         TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX systems_engagement ON systems (engagement_id);

CREATE TABLE tasks (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    engagement_id INTEGER REFERENCES engagements (id) ON DELETE SET NULL,
    control_id    TEXT,
    title         TEXT NOT NULL,
    owner         TEXT NOT NULL DEFAULT '',
    due_date      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    notes         TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    closed_at     TIMESTAMP,
    FOREIGN KEY (org_id, control_id) REFERENCES controls (org_id, id) ON DELETE CASCADE
);
CREATE INDEX tasks_org_status ON tasks (org_id, status, due_date);

CREATE TABLE readiness_snapshots (
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    day           TEXT NOT NULL,
    score         REAL NOT NULL,
    ready         INTEGER NOT NULL,
    partial       INTEGER NOT NULL,
    gap           INTEGER NOT NULL,
    categories    TEXT NOT NULL DEFAULT '{}',
    taken_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (engagement_id, day)
);

-- +goose Down
DROP TABLE readiness_snapshots;
DROP TABLE tasks;
DROP TABLE systems;
DROP TABLE engagements;
DROP TABLE control_criteria;
DROP TABLE controls;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE organizations;
