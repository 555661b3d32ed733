-- +goose Up
-- The records an auditor samples: the roster of people (members and people
-- who never sign in) with their onboarding and offboarding checklists,
-- training campaigns, access reviews, change records and the internal
-- tests of controls. Members are referred to by user ID, roster people by
-- their roster ID; names are for display only.
CREATE TABLE roster_people (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    department      TEXT NOT NULL DEFAULT '',
    manager_id      INTEGER REFERENCES roster_people (id) ON DELETE SET NULL,
    employment_type TEXT NOT NULL DEFAULT 'employee',
    start_date      TEXT NOT NULL DEFAULT '',
    end_date        TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT 'manual',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX roster_people_org_name ON roster_people (org_id, name, id);
CREATE INDEX roster_people_org_start ON roster_people (org_id, start_date);
CREATE INDEX roster_people_org_end ON roster_people (org_id, end_date);

CREATE TABLE checklist_templates (
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    deadline_days INTEGER NOT NULL DEFAULT 1,
    items         TEXT NOT NULL DEFAULT '[]',
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, kind)
);

CREATE TABLE checklists (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    person_id    INTEGER NOT NULL REFERENCES roster_people (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    due_date     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    UNIQUE (org_id, person_id, kind)
);

CREATE TABLE checklist_items (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    checklist_id    INTEGER NOT NULL REFERENCES checklists (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'task',
    title           TEXT NOT NULL,
    done_on         TEXT NOT NULL DEFAULT '',
    done_by_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    note            TEXT NOT NULL DEFAULT '',
    evidence_id     INTEGER
);
CREATE INDEX checklist_items_list ON checklist_items (org_id, checklist_id, position);

CREATE TABLE training_campaigns (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'awareness',
    material   TEXT NOT NULL DEFAULT '',
    due_date   TEXT NOT NULL,
    control_id TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX training_campaigns_org_due ON training_campaigns (org_id, due_date, id);

CREATE TABLE training_assignments (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    campaign_id  INTEGER NOT NULL REFERENCES training_campaigns (id) ON DELETE CASCADE,
    person_id    INTEGER NOT NULL REFERENCES roster_people (id) ON DELETE CASCADE,
    completed_on TEXT NOT NULL DEFAULT '',
    method       TEXT NOT NULL DEFAULT '',
    evidence_id  INTEGER,
    reminded_on  TEXT NOT NULL DEFAULT '',
    UNIQUE (campaign_id, person_id)
);
CREATE INDEX training_assignments_open ON training_assignments (org_id, completed_on, campaign_id);

CREATE TABLE access_reviews (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    system            TEXT NOT NULL,
    period_start      TEXT NOT NULL,
    period_end        TEXT NOT NULL,
    due_date          TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'open',
    control_id        TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT 'csv',
    signed_by_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    signed_at         TIMESTAMP,
    evidence_id       INTEGER,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX access_reviews_org_due ON access_reviews (org_id, status, due_date, id);

CREATE TABLE access_review_accounts (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    review_id          INTEGER NOT NULL REFERENCES access_reviews (id) ON DELETE CASCADE,
    account            TEXT NOT NULL,
    display_name       TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL DEFAULT '',
    privileges         TEXT NOT NULL DEFAULT '',
    person_id          INTEGER REFERENCES roster_people (id) ON DELETE SET NULL,
    user_id            INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reviewer_user_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decision           TEXT NOT NULL DEFAULT '',
    comment            TEXT NOT NULL DEFAULT '',
    decided_by_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_at         TIMESTAMP,
    resolved_on        TEXT NOT NULL DEFAULT '',
    UNIQUE (review_id, account)
);
CREATE INDEX access_review_accounts_review ON access_review_accounts (org_id, review_id, account);

CREATE TABLE change_records (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    system            TEXT NOT NULL DEFAULT '',
    requester_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    requester_note    TEXT NOT NULL DEFAULT '',
    approver_user_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    approver_note     TEXT NOT NULL DEFAULT '',
    approved_on       TEXT NOT NULL DEFAULT '',
    tests             TEXT NOT NULL DEFAULT '',
    implemented_on    TEXT NOT NULL,
    emergency         BOOLEAN NOT NULL DEFAULT FALSE,
    rollback_plan     TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT 'manual',
    external_id       TEXT NOT NULL DEFAULT '',
    url               TEXT NOT NULL DEFAULT '',
    control_id        TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX change_records_org_implemented ON change_records (org_id, implemented_on, id);
CREATE INDEX change_records_org_external ON change_records (org_id, source, external_id);

CREATE TABLE control_tests (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    control_id        TEXT NOT NULL,
    period            TEXT NOT NULL,
    due_date          TEXT NOT NULL DEFAULT '',
    tester_user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    procedure         TEXT NOT NULL DEFAULT '',
    sample            TEXT NOT NULL DEFAULT '',
    result            TEXT NOT NULL DEFAULT '',
    tested_on         TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    follow_up_task_id INTEGER REFERENCES tasks (id) ON DELETE SET NULL,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX control_tests_org_period ON control_tests (org_id, period, control_id, id);

-- +goose Down
DROP TABLE control_tests;
DROP TABLE change_records;
DROP TABLE access_review_accounts;
DROP TABLE access_reviews;
DROP TABLE training_assignments;
DROP TABLE training_campaigns;
DROP TABLE checklist_items;
DROP TABLE checklists;
DROP TABLE checklist_templates;
DROP TABLE roster_people;
