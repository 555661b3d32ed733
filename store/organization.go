package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/attest-dev/attest"
)

// CreateOrganization stores o and gives it a copy of the control library.
func (s *DB) CreateOrganization(ctx context.Context, o *attest.Organization) error {
	if err := validateOrgName(o.Name); err != nil {
		return err
	}
	o.CreatedAt = s.now()
	return s.tx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO organizations (name, created_at) VALUES (?, ?)`, o.Name, o.CreatedAt)
		if err != nil {
			return fmt.Errorf("create organization: %w", err)
		}
		o.ID = id
		// No one else knows the new ID yet, so its audit head needs no
		// lock before this first entry takes it.
		if err := s.appendAudit(ctx, tx, id, "organization.create", "organization", strconv.FormatInt(id, 10), nil, o); err != nil {
			return err
		}
		return s.syncLibrary(ctx, tx, id)
	})
}

func validateOrgName(name string) error {
	if name == "" || len(name) > 200 {
		return attest.Errorf(attest.EINVALID, "an organization needs a name of at most 200 characters")
	}
	return nil
}

// FindOrganizations returns every organization, oldest first.
func (s *DB) FindOrganizations(ctx context.Context) ([]*attest.Organization, error) {
	return queryAll(ctx, s.db, "find organizations", func(row rowScanner) (*attest.Organization, error) {
		o := &attest.Organization{}
		return o, row.Scan(&o.ID, &o.Name, &o.CreatedAt)
	}, `SELECT id, name, created_at FROM organizations ORDER BY id`)
}

// syncLibrary adds to the organization every library control it does not
// have yet, with the control's mappings, and audits what it added in one
// entry. Controls it has are left alone, so a user's own mappings and state
// survive upgrades of the library. tx must hold the organization's audit
// head (see change).
func (s *DB) syncLibrary(ctx context.Context, tx *sql.Tx, orgID int64) error {
	have := map[string]bool{}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT id FROM controls WHERE org_id = ?`), orgID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		have[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := s.now()
	added := []string{}
	for _, c := range s.fw.Controls {
		if have[c.ID] {
			continue
		}
		cp := *c
		cp.Status = attest.NotStarted
		cp.UpdatedAt = now
		if err := s.insertControl(ctx, tx, orgID, &cp); err != nil {
			return err
		}
		added = append(added, c.ID)
	}
	if len(added) == 0 {
		return nil
	}
	return s.appendAudit(ctx, tx, orgID, "control_library.sync", "control_library", s.fw.ID, nil, map[string]any{
		"framework": s.fw.ID, "version": s.fw.Version, "added": added,
	})
}

// CreateUser stores a user whose password is already hashed.
func (s *DB) CreateUser(ctx context.Context, u *attest.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u.CreatedAt = s.now()
	err := s.change(ctx, u.OrgID, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO users (org_id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			u.OrgID, u.Email, u.Name, u.Role, u.PasswordHash, u.CreatedAt)
		if err != nil {
			return err
		}
		u.ID, u.Active = id, true
		return s.appendAudit(ctx, tx, u.OrgID, "user.create", "user", strconv.FormatInt(id, 10), nil, auditUser(u))
	})
	if attest.ErrorCode(err) == attest.ECONFLICT {
		return attest.Errorf(attest.ECONFLICT, "a user with email %s already exists", u.Email)
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// CreateToken stores a new token and returns its secret, shown only once.
// The audit entry records the token, never its secret or hash.
func (s *DB) CreateToken(ctx context.Context, t *attest.Token) (string, error) {
	if err := t.Validate(); err != nil {
		return "", err
	}
	secret := attest.NewTokenSecret()
	t.CreatedAt = s.now()
	err := s.change(ctx, t.OrgID, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO api_tokens (org_id, name, role, token_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
			t.OrgID, t.Name, t.Role, attest.HashToken(secret), t.CreatedAt, sql.NullInt64{Int64: t.CreatedBy, Valid: t.CreatedBy != 0})
		if err != nil {
			return err
		}
		t.ID = id
		return s.appendAudit(ctx, tx, t.OrgID, "token.create", "token", strconv.FormatInt(id, 10), nil, t)
	})
	if err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return secret, nil
}

const tokenColumns = `id, org_id, name, role, created_at, last_used, revoked_at, COALESCE(created_by, 0)`

func scanToken(row interface{ Scan(...any) error }) (*attest.Token, error) {
	t := &attest.Token{}
	var used, revoked sql.NullTime
	if err := row.Scan(&t.ID, &t.OrgID, &t.Name, &t.Role, &t.CreatedAt, &used, &revoked, &t.CreatedBy); err != nil {
		return nil, err
	}
	if used.Valid {
		t.LastUsed = &used.Time
	}
	if revoked.Valid {
		t.RevokedAt = &revoked.Time
	}
	return t, nil
}

// Authenticate returns the live token with this secret, or EUNAUTHORIZED.
func (s *DB) Authenticate(ctx context.Context, secret string) (*attest.Token, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`), attest.HashToken(secret))
	t, err := scanToken(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.EUNAUTHORIZED, "the API token is unknown or revoked")
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	now := s.now()
	// Recording last use is best effort; a failure must not refuse the call.
	if t.LastUsed == nil || now.Sub(*t.LastUsed) > timeGranularity {
		s.db.ExecContext(ctx, s.q(`UPDATE api_tokens SET last_used = ? WHERE id = ?`), now, t.ID)
	}
	return t, nil
}

// RevokeToken revokes one of the organization's tokens.
func (s *DB) RevokeToken(ctx context.Context, orgID, id int64) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := scanToken(tx.QueryRowContext(ctx, s.q(`SELECT `+tokenColumns+` FROM api_tokens WHERE org_id = ? AND id = ? AND revoked_at IS NULL`), orgID, id))
		if errors.Is(err, sql.ErrNoRows) {
			return attest.Errorf(attest.ENOTFOUND, "no live token %d", id)
		}
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		after := *before
		now := s.now()
		after.RevokedAt = &now
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND id = ?`), now, orgID, id); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		return s.appendAudit(ctx, tx, orgID, "token.revoke", "token", strconv.FormatInt(id, 10), before, &after)
	})
}

// revokeTokensOf revokes the live tokens the user created, in the
// transaction that deactivates them, with an audit entry each.
func (s *DB) revokeTokensOf(ctx context.Context, tx *sql.Tx, orgID, userID int64) error {
	live, err := queryAll(ctx, tx, "find tokens", scanToken, s.q(`SELECT `+tokenColumns+` FROM api_tokens WHERE org_id = ? AND created_by = ? AND revoked_at IS NULL`), orgID, userID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, before := range live {
		after := *before
		after.RevokedAt = &now
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND id = ?`), now, orgID, before.ID); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if err := s.appendAudit(ctx, tx, orgID, "token.revoke", "token", strconv.FormatInt(before.ID, 10), before, &after); err != nil {
			return err
		}
	}
	return nil
}

// FindTokens lists the organization's tokens, newest first.
func (s *DB) FindTokens(ctx context.Context, orgID int64) ([]*attest.Token, error) {
	return queryAll(ctx, s.db, "find tokens", scanToken, s.q(`SELECT `+tokenColumns+` FROM api_tokens WHERE org_id = ? ORDER BY id DESC`), orgID)
}
