package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/attest-dev/attest"
)

const domainClaimColumns = `org_id, domain, token, verified_at, method, created_at`

func scanDomainClaim(row interface{ Scan(...any) error }) (*attest.DomainClaim, error) {
	c := &attest.DomainClaim{}
	var verified sql.NullTime
	if err := row.Scan(&c.OrgID, &c.Domain, &c.Token, &verified, &c.Method, &c.CreatedAt); err != nil {
		return nil, err
	}
	if verified.Valid {
		t := verified.Time.UTC()
		c.VerifiedAt = &t
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return c, nil
}

// ClaimDomain records the organization's claim on an email domain and
// returns it; claiming a domain the organization already claims returns
// the existing claim. While the server hosts no other organization the
// claim is verified at once (there is nobody to take the domain from);
// otherwise it waits for DNS proof or the operator.
func (s *DB) ClaimDomain(ctx context.Context, orgID int64, domain string) (*attest.DomainClaim, error) {
	d, err := attest.NormalizeDomain(domain)
	if err != nil {
		return nil, err
	}
	var out *attest.DomainClaim
	err = s.change(ctx, orgID, func(tx *sql.Tx) error {
		out, err = s.claimDomainTx(ctx, tx, orgID, d)
		return err
	})
	return out, err
}

// claimDomainTx claims d for orgID inside tx, auditing a new claim.
func (s *DB) claimDomainTx(ctx context.Context, tx *sql.Tx, orgID int64, d string) (*attest.DomainClaim, error) {
	c, err := scanDomainClaim(tx.QueryRowContext(ctx, s.q(`SELECT `+domainClaimColumns+` FROM domain_claims WHERE org_id = ? AND domain = ?`), orgID, d))
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("claim domain: %w", err)
	}
	var others int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM organizations WHERE id <> ?`), orgID).Scan(&others); err != nil {
		return nil, fmt.Errorf("claim domain: %w", err)
	}
	now := s.now()
	c = &attest.DomainClaim{OrgID: orgID, Domain: d, Token: attest.RandomSecret(18), CreatedAt: now}
	if others == 0 {
		c.VerifiedAt, c.Method = &now, attest.ClaimBySoleOrganization
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO domain_claims (`+domainClaimColumns+`) VALUES (?, ?, ?, ?, ?, ?)`),
		c.OrgID, c.Domain, c.Token, c.VerifiedAt, c.Method, c.CreatedAt); err != nil {
		return nil, fmt.Errorf("claim domain: %w", s.dialect.normalize(err))
	}
	return c, s.appendAudit(ctx, tx, orgID, "domain.claim", "domain", d, nil, c)
}

// FindDomainClaims lists an organization's claims by domain.
func (s *DB) FindDomainClaims(ctx context.Context, orgID int64) ([]*attest.DomainClaim, error) {
	return s.findDomainClaims(ctx, `SELECT `+domainClaimColumns+` FROM domain_claims WHERE org_id = ? ORDER BY domain`, orgID)
}

// FindAllDomainClaims lists every organization's claims, for the
// operator: by domain, then organization.
func (s *DB) FindAllDomainClaims(ctx context.Context) ([]*attest.DomainClaim, error) {
	return s.findDomainClaims(ctx, `SELECT `+domainClaimColumns+` FROM domain_claims ORDER BY domain, org_id`)
}

func (s *DB) findDomainClaims(ctx context.Context, query string, args ...any) ([]*attest.DomainClaim, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("find domain claims: %w", err)
	}
	defer rows.Close()
	var out []*attest.DomainClaim
	for rows.Next() {
		c, err := scanDomainClaim(rows)
		if err != nil {
			return nil, fmt.Errorf("find domain claims: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindDomainClaim returns the organization's claim on a domain, or
// ENOTFOUND.
func (s *DB) FindDomainClaim(ctx context.Context, orgID int64, domain string) (*attest.DomainClaim, error) {
	d, err := attest.NormalizeDomain(domain)
	if err != nil {
		return nil, attest.Errorf(attest.ENOTFOUND, "no claim on %q", domain)
	}
	c, err := scanDomainClaim(s.db.QueryRowContext(ctx, s.q(`SELECT `+domainClaimColumns+` FROM domain_claims WHERE org_id = ? AND domain = ?`), orgID, d))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "this organization has not claimed %s", d)
	}
	if err != nil {
		return nil, fmt.Errorf("find domain claim: %w", err)
	}
	return c, nil
}

// VerifyDomainClaim marks the organization's claim verified by method. It
// returns ENOTFOUND without a claim and ECONFLICT when another
// organization holds a verified claim on the domain. Verifying a verified
// claim changes nothing.
func (s *DB) VerifyDomainClaim(ctx context.Context, orgID int64, domain, method string) error {
	c, err := s.FindDomainClaim(ctx, orgID, domain)
	if err != nil {
		return err
	}
	if c.Verified() {
		return nil
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		var other int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT org_id FROM domain_claims WHERE domain = ? AND verified_at IS NOT NULL AND org_id <> ?`), c.Domain, orgID).Scan(&other)
		if err == nil {
			return attest.Errorf(attest.ECONFLICT, "another organization on this server has verified %s; the operator can revoke its claim with 'attest domain revoke'", c.Domain)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("verify domain claim: %w", err)
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE domain_claims SET verified_at = ?, method = ? WHERE org_id = ? AND domain = ? AND verified_at IS NULL`),
			now, method, orgID, c.Domain); err != nil {
			return fmt.Errorf("verify domain claim: %w", s.dialect.normalize(err))
		}
		after := *c
		after.VerifiedAt, after.Method = &now, method
		return s.appendAudit(ctx, tx, orgID, "domain.verify", "domain", c.Domain, c, &after)
	})
}

// DeleteDomainClaim removes the organization's claim on a domain (the
// organization gives it up, or the operator revokes it). Single sign-on
// stops serving the domain for the organization at once. It returns
// ENOTFOUND without a claim.
func (s *DB) DeleteDomainClaim(ctx context.Context, orgID int64, domain string) error {
	c, err := s.FindDomainClaim(ctx, orgID, domain)
	if err != nil {
		return err
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM domain_claims WHERE org_id = ? AND domain = ?`), orgID, c.Domain); err != nil {
			return fmt.Errorf("delete domain claim: %w", err)
		}
		return s.appendAudit(ctx, tx, orgID, "domain.delete", "domain", c.Domain, c, nil)
	})
}
