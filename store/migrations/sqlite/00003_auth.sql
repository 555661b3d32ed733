-- +goose Up
ALTER TABLE users ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN mfa_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN mfa_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN recovery_codes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN access_expires TIMESTAMP;
ALTER TABLE users ADD COLUMN sso_subject TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_login TIMESTAMP;

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    stage      TEXT NOT NULL CHECK (stage IN ('mfa', 'full')),
    created_at TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    email        TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_at      TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    revoked_at  TIMESTAMP
);
CREATE INDEX invitations_org ON invitations (org_id);

CREATE TABLE auditor_grants (
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, engagement_id)
);

CREATE TABLE org_settings (
    org_id             INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    require_mfa        BOOLEAN NOT NULL DEFAULT FALSE,
    oidc_issuer        TEXT NOT NULL DEFAULT '',
    oidc_client_id     TEXT NOT NULL DEFAULT '',
    oidc_client_secret TEXT NOT NULL DEFAULT '',
    oidc_domain        TEXT NOT NULL DEFAULT '',
    oidc_default_role  TEXT NOT NULL DEFAULT 'employee',
    updated_at         TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE org_settings;
DROP TABLE auditor_grants;
DROP TABLE invitations;
DROP TABLE login_failures;
DROP TABLE sessions;
ALTER TABLE users DROP COLUMN last_login;
ALTER TABLE users DROP COLUMN sso_subject;
ALTER TABLE users DROP COLUMN access_expires;
ALTER TABLE users DROP COLUMN recovery_codes;
ALTER TABLE users DROP COLUMN mfa_secret;
ALTER TABLE users DROP COLUMN mfa_enabled;
ALTER TABLE users DROP COLUMN active;
