-- +goose Up
-- An organization's policies and procedures, their versions, the approvers'
-- decisions and the employees' acknowledgements.
CREATE TABLE policies (
    id                  INTEGER PRIMARY KEY,
    org_id              INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    template_id         TEXT NOT NULL DEFAULT '',
    title               TEXT NOT NULL,
    type                TEXT NOT NULL CHECK (type IN ('policy', 'procedure')),
    owner_role          TEXT NOT NULL DEFAULT '',
    owner               TEXT NOT NULL DEFAULT '',
    review_cycle_months INTEGER NOT NULL CHECK (review_cycle_months > 0),
    controls            TEXT NOT NULL DEFAULT '[]',
    approvers           TEXT NOT NULL DEFAULT '[]',
    status              TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'published')),
    current_version     TEXT NOT NULL,
    published_version   TEXT NOT NULL DEFAULT '',
    next_review         TEXT NOT NULL DEFAULT '',
    last_reviewed       TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL
);
CREATE INDEX policies_org ON policies (org_id, title);

CREATE TABLE policy_versions (
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    policy_id  INTEGER NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    number     TEXT NOT NULL,
    body       TEXT NOT NULL,
    major      BOOLEAN NOT NULL DEFAULT FALSE,
    author     TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL CHECK (state IN ('draft', 'approved', 'rejected', 'published', 'superseded')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (policy_id, number)
);

CREATE TABLE policy_decisions (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    policy_id   INTEGER NOT NULL,
    version     TEXT NOT NULL,
    approver_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    approve     BOOLEAN NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL,
    FOREIGN KEY (policy_id, version) REFERENCES policy_versions (policy_id, number) ON DELETE CASCADE
);
CREATE INDEX policy_decisions_policy ON policy_decisions (policy_id, version);

CREATE TABLE policy_acknowledgements (
    org_id    INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    policy_id INTEGER NOT NULL,
    version   TEXT NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at        TIMESTAMP NOT NULL,
    PRIMARY KEY (policy_id, version, user_id),
    FOREIGN KEY (policy_id, version) REFERENCES policy_versions (policy_id, number) ON DELETE CASCADE
);
CREATE INDEX policy_acknowledgements_user ON policy_acknowledgements (org_id, user_id);

-- +goose Down
DROP TABLE policy_acknowledgements;
DROP TABLE policy_decisions;
DROP TABLE policy_versions;
DROP TABLE policies;
