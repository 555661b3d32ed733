-- +goose Up
-- An organization's claims on email domains. Single sign-on serves a
-- domain only for the one organization whose claim on it is verified.
CREATE TABLE domain_claims (
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    domain      TEXT NOT NULL,
    token       TEXT NOT NULL,
    verified_at TIMESTAMP,
    method      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, domain)
);
CREATE UNIQUE INDEX domain_claims_verified ON domain_claims (domain) WHERE verified_at IS NOT NULL;

-- Domains single sign-on already served were unique per server: they stay
-- in service as verified claims.
INSERT INTO domain_claims (org_id, domain, token, verified_at, method, created_at)
SELECT org_id, oidc_domain, lower(hex(randomblob(16))), updated_at, 'existing', updated_at
FROM org_settings WHERE oidc_domain <> '';

-- +goose Down
DROP TABLE domain_claims;
