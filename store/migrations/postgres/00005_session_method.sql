-- +goose Up
-- How a session signed in (password, password+totp, sso, invitation): an
-- organization that requires MFA holds password sessions without it to the
-- enrolment page.
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
-- The last TOTP time step a user signed in with: a code works once.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE sessions DROP COLUMN method;
