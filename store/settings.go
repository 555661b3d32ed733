package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/attest-dev/attest"
)

// FindOrganization returns one organization, or ENOTFOUND.
func (s *DB) FindOrganization(ctx context.Context, id int64) (*attest.Organization, error) {
	o := &attest.Organization{}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, name, created_at FROM organizations WHERE id = ?`), id).Scan(&o.ID, &o.Name, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no organization %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find organization: %w", err)
	}
	return o, nil
}

// RenameOrganization changes an organization's name.
func (s *DB) RenameOrganization(ctx context.Context, id int64, name string) error {
	if err := validateOrgName(name); err != nil {
		return err
	}
	return s.change(ctx, id, func(tx *sql.Tx) error {
		before, err := s.FindOrganization(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE organizations SET name = ? WHERE id = ?`), name, id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, id, "organization.rename", "organization", fmt.Sprint(id), map[string]string{"name": before.Name}, map[string]string{"name": name})
	})
}

// FindSettings returns the organization's settings (defaults if never set).
func (s *DB) FindSettings(ctx context.Context, orgID int64) (*attest.Settings, error) {
	st := &attest.Settings{OIDCDefaultRole: attest.RoleEmployee, AckSharePercent: attest.DefaultAckSharePercent, AckDueDays: attest.DefaultAckDueDays}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT require_mfa, oidc_issuer, oidc_client_id, oidc_client_secret, oidc_domain, oidc_default_role, ack_share_percent, ack_due_days FROM org_settings WHERE org_id = ?`), orgID).
		Scan(&st.RequireMFA, &st.OIDCIssuer, &st.OIDCClient, &st.OIDCSecret, &st.OIDCDomain, &st.OIDCDefaultRole, &st.AckSharePercent, &st.AckDueDays)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find settings: %w", err)
	}
	return st, nil
}

// FindSettingsByDomain returns the organization whose single sign-on is set
// up for an email domain and whose claim on the domain is verified, with
// its settings. It returns ENOTFOUND when no
// organization has SSO for the domain, and ECONFLICT when more than one
// does (sign-in is then refused rather than sent to a guess). Both carry the
// same user-safe message, so the answer tells nothing about which
// organizations exist.
func (s *DB) FindSettingsByDomain(ctx context.Context, domain string) (int64, *attest.Settings, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	const msg = "single sign-on is not set up for this email domain"
	if domain == "" {
		return 0, nil, attest.Errorf(attest.ENOTFOUND, msg)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT org_id, require_mfa, oidc_issuer, oidc_client_id, oidc_client_secret, oidc_domain, oidc_default_role, ack_share_percent, ack_due_days
		FROM org_settings s WHERE oidc_domain = ? AND oidc_issuer <> '' AND oidc_client_id <> ''
		AND EXISTS (SELECT 1 FROM domain_claims c WHERE c.org_id = s.org_id AND c.domain = s.oidc_domain AND c.verified_at IS NOT NULL)
		ORDER BY org_id LIMIT 2`), domain)
	if err != nil {
		return 0, nil, fmt.Errorf("find settings by domain: %w", err)
	}
	defer rows.Close()
	var orgID int64
	var st *attest.Settings
	n := 0
	for rows.Next() {
		n++
		st = &attest.Settings{}
		if err := rows.Scan(&orgID, &st.RequireMFA, &st.OIDCIssuer, &st.OIDCClient, &st.OIDCSecret, &st.OIDCDomain, &st.OIDCDefaultRole, &st.AckSharePercent, &st.AckDueDays); err != nil {
			return 0, nil, fmt.Errorf("find settings by domain: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("find settings by domain: %w", err)
	}
	switch n {
	case 0:
		return 0, nil, attest.Errorf(attest.ENOTFOUND, msg)
	case 1:
		return orgID, st, nil
	default:
		return 0, nil, attest.Errorf(attest.ECONFLICT, msg)
	}
}

// UpdateSettings stores the organization's settings; the OIDC secret must
// already be sealed.
func (s *DB) UpdateSettings(ctx context.Context, orgID int64, st *attest.Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	before, err := s.FindSettings(ctx, orgID)
	if err != nil {
		return err
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		if st.OIDCDomain != "" {
			// Single sign-on serves the domain only once this
			// organization's claim on it is verified; saving claims it.
			var other int64
			err := tx.QueryRowContext(ctx, s.q(`SELECT org_id FROM domain_claims WHERE domain = ? AND verified_at IS NOT NULL AND org_id <> ?`), st.OIDCDomain, orgID).Scan(&other)
			if err == nil {
				return attest.FieldErrorf("oidc_domain", "another organization on this server has verified %s, so its people cannot sign in here", st.OIDCDomain)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			d, err := attest.NormalizeDomain(st.OIDCDomain)
			if err != nil {
				return attest.FieldErrorf("oidc_domain", "%s", attest.ErrorMessage(err))
			}
			if _, err := s.claimDomainTx(ctx, tx, orgID, d); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO org_settings (org_id, require_mfa, oidc_issuer, oidc_client_id, oidc_client_secret, oidc_domain, oidc_default_role, ack_share_percent, ack_due_days, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET require_mfa = excluded.require_mfa, oidc_issuer = excluded.oidc_issuer, oidc_client_id = excluded.oidc_client_id,
			oidc_client_secret = excluded.oidc_client_secret, oidc_domain = excluded.oidc_domain, oidc_default_role = excluded.oidc_default_role,
			ack_share_percent = excluded.ack_share_percent, ack_due_days = excluded.ack_due_days, updated_at = excluded.updated_at`),
			orgID, st.RequireMFA, st.OIDCIssuer, st.OIDCClient, st.OIDCSecret, st.OIDCDomain, st.OIDCDefaultRole, st.AckSharePercent, st.AckDueDays, s.now()); err != nil {
			return s.dialect.normalize(err)
		}
		return s.appendAudit(ctx, tx, orgID, "settings.update", "settings", fmt.Sprint(orgID), before, st)
	})
}
