-- +goose Up
-- Continuous monitoring. An integration is a configured connection
-- (settings plain, secrets sealed by the application); each run is
-- recorded; the resources of the last good run are kept per integration
-- and replaced only when a run succeeds. A lease on the integration row
-- keeps two processes from running one collection at once.
CREATE TABLE integrations (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    settings      TEXT NOT NULL DEFAULT '{}',
    secrets       TEXT NOT NULL DEFAULT '{}',
    every_seconds INTEGER NOT NULL DEFAULT 3600,
    lease_owner   TEXT NOT NULL DEFAULT '',
    lease_until   TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE integration_runs (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    started_by     TEXT NOT NULL,
    status         TEXT NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP,
    resources      INTEGER NOT NULL DEFAULT 0,
    changes        INTEGER NOT NULL DEFAULT 0,
    error          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX integration_runs_latest ON integration_runs (org_id, integration_id, id);

CREATE TABLE resources (
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    type           TEXT NOT NULL,
    rid            TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    attributes     TEXT NOT NULL DEFAULT '{}',
    collected_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, integration_id, type, rid)
);
CREATE INDEX resources_type ON resources (org_id, type);

-- The checks that have run, with their latest counts (written by the run,
-- read by the monitoring page) and the controls they test.
CREATE TABLE monitor_checks (
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    check_id       TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    severity       TEXT NOT NULL,
    remediation    TEXT NOT NULL DEFAULT '',
    window_seconds INTEGER NOT NULL DEFAULT 0,
    integrations   TEXT NOT NULL DEFAULT '[]',
    pass           INTEGER NOT NULL DEFAULT 0,
    fail           INTEGER NOT NULL DEFAULT 0,
    error          INTEGER NOT NULL DEFAULT 0,
    skip           INTEGER NOT NULL DEFAULT 0,
    excepted       INTEGER NOT NULL DEFAULT 0,
    last_run_at    TIMESTAMP,
    task_id        INTEGER,
    PRIMARY KEY (org_id, check_id)
);
CREATE INDEX monitor_checks_severity ON monitor_checks (org_id, severity, fail);

CREATE TABLE check_controls (
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    check_id   TEXT NOT NULL,
    control_id TEXT NOT NULL,
    PRIMARY KEY (org_id, control_id, check_id)
);

CREATE TABLE check_integrations (
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    check_id       TEXT NOT NULL,
    integration_id INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    PRIMARY KEY (org_id, integration_id, check_id)
);

-- Results as state changes: a row per stretch of time a check's result on
-- a resource stayed the same; until is NULL while it lasts.
CREATE TABLE check_results (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    check_id       TEXT NOT NULL,
    resource_type  TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    resource_name  TEXT NOT NULL DEFAULT '',
    integration_id INTEGER,
    status         TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    excepted       BOOLEAN NOT NULL DEFAULT FALSE,
    since          TIMESTAMP NOT NULL,
    until          TIMESTAMP,
    deadline       TIMESTAMP
);
CREATE INDEX check_results_open ON check_results (org_id, check_id, resource_type, resource_id) WHERE until IS NULL;
CREATE INDEX check_results_history ON check_results (org_id, check_id, since);
CREATE INDEX check_results_failing ON check_results (org_id, check_id, deadline) WHERE status = 'fail';

CREATE TABLE check_exceptions (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    check_id      TEXT NOT NULL,
    resource_type TEXT NOT NULL DEFAULT '',
    resource_id   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    requested_by  INTEGER NOT NULL REFERENCES users (id),
    approved_by   INTEGER NOT NULL REFERENCES users (id),
    expires       TEXT NOT NULL,
    lapsed        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX check_exceptions_check ON check_exceptions (org_id, check_id, resource_id);

-- +goose Down
DROP TABLE check_exceptions;
DROP TABLE check_results;
DROP TABLE check_integrations;
DROP TABLE check_controls;
DROP TABLE monitor_checks;
DROP TABLE resources;
DROP TABLE integration_runs;
DROP TABLE integrations;
