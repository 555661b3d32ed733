-- +goose Up
-- The registers auditors ask for: risks, vendors and their assurance
-- reports, assets and systems, incidents; their links to controls (with
-- the evidence item each attachment made), tasks and affected assets;
-- dated events (risk assessments, tabletop exercises, vendor reviews,
-- incident timelines); and each organization's register settings.
CREATE TABLE register_settings (
    org_id              INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    risk_scale          INTEGER NOT NULL DEFAULT 5,
    risk_appetite       INTEGER NOT NULL DEFAULT 8,
    assessment_months   INTEGER NOT NULL DEFAULT 12,
    assessment_owner_id INTEGER REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE risks (
    id                  INTEGER PRIMARY KEY,
    org_id              INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    category            TEXT NOT NULL,
    library_id          TEXT NOT NULL DEFAULT '',
    owner_user_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    likelihood          INTEGER NOT NULL,
    impact              INTEGER NOT NULL,
    residual_likelihood INTEGER NOT NULL DEFAULT 0,
    residual_impact     INTEGER NOT NULL DEFAULT 0,
    inherent_score      INTEGER NOT NULL,
    residual_score      INTEGER NOT NULL,
    treatment           TEXT NOT NULL DEFAULT '',
    treatment_plan      TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL,
    approver_user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    requested_by_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    accepted_at         TIMESTAMP,
    acceptance_review   TEXT NOT NULL DEFAULT '',
    reviewed_on         TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    closed_at           TIMESTAMP
);
CREATE INDEX risks_org_residual ON risks (org_id, residual_score, id);
CREATE INDEX risks_org_status ON risks (org_id, status, inherent_score);
CREATE INDEX risks_org_owner ON risks (org_id, owner_user_id);

CREATE TABLE vendors (
    id                     INTEGER PRIMARY KEY,
    org_id                 INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    service                TEXT NOT NULL DEFAULT '',
    data_shared            TEXT NOT NULL DEFAULT '',
    tier                   TEXT NOT NULL,
    owner_user_id          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    contract_start         TEXT NOT NULL DEFAULT '',
    contract_end           TEXT NOT NULL DEFAULT '',
    subservice             BOOLEAN NOT NULL DEFAULT FALSE,
    complementary_controls TEXT NOT NULL DEFAULT '',
    status                 TEXT NOT NULL,
    last_review            TEXT NOT NULL DEFAULT '',
    next_review            TEXT NOT NULL DEFAULT '',
    report_expires         TEXT NOT NULL DEFAULT '',
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    closed_at              TIMESTAMP
);
CREATE INDEX vendors_org_name ON vendors (org_id, name, id);
CREATE INDEX vendors_org_status ON vendors (org_id, status, tier, report_expires);

CREATE TABLE vendor_reports (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    vendor_id    INTEGER NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    evidence_id  INTEGER NOT NULL REFERENCES evidence (id),
    title        TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    expires      TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX vendor_reports_vendor ON vendor_reports (org_id, vendor_id, expires);

CREATE TABLE assets (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    type           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    owner_user_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    environment    TEXT NOT NULL,
    classification TEXT NOT NULL,
    integrations   TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    reviewed_on    TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    closed_at      TIMESTAMP
);
CREATE INDEX assets_org_name ON assets (org_id, name, id);
CREATE INDEX assets_org_type ON assets (org_id, type, status);
ALTER TABLE systems ADD COLUMN asset_id INTEGER REFERENCES assets (id) ON DELETE SET NULL;
CREATE INDEX systems_asset ON systems (asset_id);

CREATE TABLE incidents (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    severity          TEXT NOT NULL,
    status            TEXT NOT NULL,
    reported_at       TIMESTAMP NOT NULL,
    owner_user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    summary           TEXT NOT NULL DEFAULT '',
    affected_data     TEXT NOT NULL DEFAULT '',
    personal_data     BOOLEAN NOT NULL DEFAULT FALSE,
    customers         BOOLEAN NOT NULL DEFAULT FALSE,
    notified_on       TEXT NOT NULL DEFAULT '',
    root_cause        TEXT NOT NULL DEFAULT '',
    review            TEXT NOT NULL DEFAULT '',
    reviewed_on       TEXT NOT NULL DEFAULT '',
    signed_off_by_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    signed_off_at     TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    closed_at         TIMESTAMP
);
CREATE INDEX incidents_org_reported ON incidents (org_id, reported_at, id);
CREATE INDEX incidents_org_status ON incidents (org_id, status, severity);

CREATE TABLE record_links (
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    record_id   INTEGER NOT NULL,
    rel         TEXT NOT NULL CHECK (rel IN ('control', 'task', 'asset')),
    target      TEXT NOT NULL,
    evidence_id INTEGER REFERENCES evidence (id),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, kind, record_id, rel, target)
);
CREATE INDEX record_links_target ON record_links (org_id, rel, target);

CREATE TABLE record_events (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    record_id    INTEGER NOT NULL DEFAULT 0,
    occurred_at  TIMESTAMP NOT NULL,
    participants TEXT NOT NULL DEFAULT '[]',
    items        TEXT NOT NULL DEFAULT '[]',
    summary      TEXT NOT NULL,
    findings     TEXT NOT NULL DEFAULT '',
    next_due     TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX record_events_kind ON record_events (org_id, kind, record_id, occurred_at);

-- +goose Down
DROP TABLE record_events;
DROP TABLE record_links;
DROP TABLE incidents;
DROP INDEX systems_asset;
ALTER TABLE systems DROP COLUMN asset_id;
DROP TABLE assets;
DROP TABLE vendor_reports;
DROP TABLE vendors;
DROP TABLE risks;
DROP TABLE register_settings;
