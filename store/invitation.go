package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/attest-dev/attest"
)

const invitationColumns = `id, org_id, email, role, created_by, created_at, expires_at, accepted_at, revoked_at, engagements, access_expires`

func scanInvitation(row interface{ Scan(...any) error }) (*attest.Invitation, error) {
	inv := &attest.Invitation{}
	var accepted, revoked, access sql.NullTime
	var engagements string
	if err := row.Scan(&inv.ID, &inv.OrgID, &inv.Email, &inv.Role, &inv.CreatedBy, &inv.CreatedAt, &inv.ExpiresAt, &accepted, &revoked, &engagements, &access); err != nil {
		return nil, err
	}
	if err := fromJSON(engagements, &inv.Engagements); err != nil {
		return nil, err
	}
	if access.Valid {
		t := access.Time.UTC()
		inv.AccessExpires = &t
	}
	if accepted.Valid {
		inv.AcceptedAt = &accepted.Time
	}
	if revoked.Valid {
		inv.RevokedAt = &revoked.Time
	}
	return inv, nil
}

// CreateInvitation stores an invitation and returns the secret for its link.
func (s *DB) CreateInvitation(ctx context.Context, inv *attest.Invitation) (string, error) {
	if err := inv.Validate(); err != nil {
		return "", err
	}
	if _, err := s.FindUserByEmail(ctx, inv.Email); err == nil {
		return "", attest.Errorf(attest.ECONFLICT, "%s already has an account", inv.Email)
	}
	secret := attest.RandomSecret(24)
	inv.CreatedAt = s.now()
	if inv.ExpiresAt.IsZero() {
		inv.ExpiresAt = inv.CreatedAt.Add(attest.InvitationTTL)
	}
	if err := inv.Validate(); err != nil { // again, now that it expires
		return "", err
	}
	inv.CreatedBy = attest.ActorFrom(ctx)
	if inv.Engagements == nil {
		inv.Engagements = []int64{}
	}
	err := s.change(ctx, inv.OrgID, func(tx *sql.Tx) error {
		for _, e := range inv.Engagements {
			if _, err := s.findEngagement(ctx, tx, inv.OrgID, e); err != nil {
				return attest.Errorf(attest.EINVALID, "unknown engagement %d", e)
			}
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO invitations (org_id, email, role, token_hash, created_by, created_at, expires_at, engagements, access_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			inv.OrgID, inv.Email, inv.Role, attest.HashToken(secret), inv.CreatedBy, inv.CreatedAt, inv.ExpiresAt, jsonText(inv.Engagements), nullTime(inv.AccessExpires))
		if err != nil {
			return err
		}
		inv.ID = id
		return s.appendAudit(ctx, tx, inv.OrgID, "invitation.create", "invitation", fmt.Sprint(id), nil, map[string]any{"email": inv.Email, "role": inv.Role, "expires_at": inv.ExpiresAt,
			"engagements": inv.Engagements, "access_expires": inv.AccessExpires})
	})
	if err != nil {
		return "", fmt.Errorf("create invitation: %w", err)
	}
	return secret, nil
}

// FindInvitation returns the invitation for a link secret, or ENOTFOUND.
func (s *DB) FindInvitation(ctx context.Context, secret string) (*attest.Invitation, error) {
	inv, err := scanInvitation(s.db.QueryRowContext(ctx, s.q(`SELECT `+invitationColumns+` FROM invitations WHERE token_hash = ?`), attest.HashToken(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "this invitation link is not valid")
	}
	if err != nil {
		return nil, fmt.Errorf("find invitation: %w", err)
	}
	return inv, nil
}

// FindInvitations lists the organization's invitations, newest first.
func (s *DB) FindInvitations(ctx context.Context, orgID int64) ([]*attest.Invitation, error) {
	return queryAll(ctx, s.db, "find invitations", scanInvitation, s.q(`SELECT `+invitationColumns+` FROM invitations WHERE org_id = ? ORDER BY id DESC`), orgID)
}

// AcceptInvitation creates the user for a usable invitation and marks it
// accepted, in one transaction.
func (s *DB) AcceptInvitation(ctx context.Context, secret string, u *attest.User) error {
	inv, err := s.FindInvitation(ctx, secret)
	if err != nil {
		return err
	}
	now := s.now()
	if !inv.Usable(now) {
		return attest.Errorf(attest.EINVALID, "this invitation has expired or was already used")
	}
	u.OrgID, u.Email, u.Role, u.Active = inv.OrgID, inv.Email, inv.Role, true
	u.AccessExpires = inv.AccessExpires
	if err := u.Validate(); err != nil {
		return err
	}
	u.CreatedAt = now
	return s.change(ctx, inv.OrgID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE invitations SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL`), now, inv.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return attest.Errorf(attest.EINVALID, "this invitation was already used")
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO users (org_id, email, name, role, password_hash, created_at, access_expires) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.OrgID, u.Email, u.Name, u.Role, u.PasswordHash, u.CreatedAt, nullTime(u.AccessExpires))
		if attest.ErrorCode(err) == attest.ECONFLICT {
			return attest.Errorf(attest.ECONFLICT, "%s already has an account", u.Email)
		}
		if err != nil {
			return err
		}
		u.ID = id
		// The grants of the invitation; an engagement deleted meanwhile
		// is skipped rather than failing the acceptance.
		for _, e := range inv.Engagements {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO auditor_grants (org_id, user_id, engagement_id)
				SELECT ?, ?, id FROM engagements WHERE org_id = ? AND id = ? ON CONFLICT DO NOTHING`), u.OrgID, id, u.OrgID, e); err != nil {
				return fmt.Errorf("grant engagement: %w", s.dialect.normalize(err))
			}
		}
		return s.appendAudit(attest.WithActor(ctx, "user:"+u.Email), tx, u.OrgID, "invitation.accept", "user", fmt.Sprint(id), nil,
			struct {
				userAudit
				Engagements []int64 `json:"engagements,omitempty"`
			}{auditUser(u), inv.Engagements})
	})
}

// RevokeInvitation revokes an unused invitation.
func (s *DB) RevokeInvitation(ctx context.Context, orgID, id int64) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE invitations SET revoked_at = ? WHERE org_id = ? AND id = ? AND accepted_at IS NULL AND revoked_at IS NULL`), s.now(), orgID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return attest.Errorf(attest.ENOTFOUND, "no open invitation %d", id)
		}
		return s.appendAudit(ctx, tx, orgID, "invitation.revoke", "invitation", fmt.Sprint(id), nil, nil)
	})
}

// SetAuditorGrants replaces the engagements an auditor may see.
func (s *DB) SetAuditorGrants(ctx context.Context, orgID, userID int64, engagements []int64) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		if _, err := s.findUser(ctx, tx, `org_id = ? AND id = ?`, orgID, userID); err != nil {
			return err
		}
		for _, e := range engagements {
			if _, err := s.findEngagement(ctx, tx, orgID, e); err != nil {
				return attest.Errorf(attest.EINVALID, "unknown engagement %d", e)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM auditor_grants WHERE org_id = ? AND user_id = ?`), orgID, userID); err != nil {
			return err
		}
		for _, e := range engagements {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO auditor_grants (org_id, user_id, engagement_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`), orgID, userID, e); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, orgID, "user.grants", "user", fmt.Sprint(userID), nil, map[string]any{"engagements": engagements})
	})
}

// FindAuditorGrants returns the engagements granted to a user.
func (s *DB) FindAuditorGrants(ctx context.Context, orgID, userID int64) ([]int64, error) {
	return queryAll(ctx, s.db, "find grants", func(row rowScanner) (id int64, err error) {
		return id, row.Scan(&id)
	}, s.q(`SELECT engagement_id FROM auditor_grants WHERE org_id = ? AND user_id = ? ORDER BY engagement_id`), orgID, userID)
}
