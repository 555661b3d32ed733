package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

const userColumns = `id, org_id, email, name, role, password_hash, created_at, active, mfa_enabled, mfa_secret, recovery_codes, access_expires, sso_subject, last_login`

func scanUser(row interface{ Scan(...any) error }) (*attest.User, error) {
	return scanUserWith(row)
}

// scanUserWith scans the leading destinations, then the user's columns.
func scanUserWith(row interface{ Scan(...any) error }, lead ...any) (*attest.User, error) {
	u := &attest.User{}
	var codes string
	var expires, last sql.NullTime
	if err := row.Scan(append(lead, &u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.CreatedAt, &u.Active,
		&u.MFAEnabled, &u.MFASecret, &codes, &expires, &u.SSOSubject, &last)...); err != nil {
		return nil, err
	}
	if expires.Valid {
		u.AccessExpires = &expires.Time
	}
	if last.Valid {
		u.LastLogin = &last.Time
	}
	return u, fromJSON(codes, &u.RecoveryCodes)
}

func (s *DB) findUser(ctx context.Context, x queryer, where string, args ...any) (*attest.User, error) {
	u, err := scanUser(x.QueryRowContext(ctx, s.q(`SELECT `+userColumns+` FROM users WHERE `+where), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no such user")
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// FindUserByEmail returns the user with the email, in any organization.
func (s *DB) FindUserByEmail(ctx context.Context, email string) (*attest.User, error) {
	return s.findUser(ctx, s.db, `email = ?`, strings.ToLower(strings.TrimSpace(email)))
}

// FindUserByID returns one of the organization's users.
func (s *DB) FindUserByID(ctx context.Context, orgID, id int64) (*attest.User, error) {
	return s.findUser(ctx, s.db, `org_id = ? AND id = ?`, orgID, id)
}

// FindUserBySubject returns the organization's user linked to an OIDC subject.
func (s *DB) FindUserBySubject(ctx context.Context, orgID int64, subject string) (*attest.User, error) {
	if subject == "" {
		return nil, attest.Errorf(attest.ENOTFOUND, "no such user")
	}
	return s.findUser(ctx, s.db, `org_id = ? AND sso_subject = ?`, orgID, subject)
}

// FindUsers returns the organization's users by email.
func (s *DB) FindUsers(ctx context.Context, orgID int64) ([]*attest.User, error) {
	return queryAll(ctx, s.db, "find users", scanUser, s.q(`SELECT `+userColumns+` FROM users WHERE org_id = ? ORDER BY email`), orgID)
}

// userAudit is what the audit log records of a user: never the password
// hash or MFA secrets, whatever fields User gains.
type userAudit struct {
	ID            int64      `json:"id"`
	Email         string     `json:"email"`
	Name          string     `json:"name"`
	Role          string     `json:"role"`
	Active        bool       `json:"active"`
	MFAEnabled    bool       `json:"mfa_enabled"`
	AccessExpires *time.Time `json:"access_expires,omitempty"`
}

func auditUser(u *attest.User) userAudit {
	return userAudit{u.ID, u.Email, u.Name, u.Role, u.Active, u.MFAEnabled, u.AccessExpires}
}

// UpdateUser changes a user's name, role, active flag or access expiry.
// Deactivating a user ends their sessions and revokes the API tokens they
// created.
func (s *DB) UpdateUser(ctx context.Context, orgID, id int64, upd attest.UserUpdate) (*attest.User, error) {
	var u *attest.User
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		if u, err = s.findUser(ctx, tx, `org_id = ? AND id = ?`, orgID, id); err != nil {
			return err
		}
		before := auditUser(u)
		if upd.Name != nil {
			u.Name = strings.TrimSpace(*upd.Name)
		}
		if upd.Role != nil {
			if !attest.ValidRole(*upd.Role) {
				return attest.Errorf(attest.EINVALID, "unknown role %q", *upd.Role)
			}
			u.Role = *upd.Role
		}
		if upd.Active != nil {
			u.Active = *upd.Active
		}
		if upd.AccessExpires != nil {
			u.AccessExpires = *upd.AccessExpires
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE users SET name = ?, role = ?, active = ?, access_expires = ? WHERE org_id = ? AND id = ?`),
			u.Name, u.Role, u.Active, nullTime(u.AccessExpires), orgID, id); err != nil {
			return s.dialect.normalize(err)
		}
		if !u.Active {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE user_id = ?`), id); err != nil {
				return err
			}
			// Offboarding someone ends the API tokens they created too.
			if err := s.revokeTokensOf(ctx, tx, orgID, id); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, orgID, "user.update", "user", fmt.Sprint(id), before, auditUser(u))
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword stores a new password hash and ends every session of the
// user: a reset by an operator or admin signs the person out everywhere.
func (s *DB) SetPassword(ctx context.Context, orgID, id int64, hash string) error {
	return s.ChangePassword(ctx, orgID, id, hash, "")
}

// ChangePassword stores a new password hash and ends every session of the
// user but the one whose ID hash is keep (the one the change was made
// from; "" keeps none), in the same transaction: whoever held the old
// password is signed out.
func (s *DB) ChangePassword(ctx context.Context, orgID, id int64, hash, keep string) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE users SET password_hash = ? WHERE org_id = ? AND id = ?`), hash, orgID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return attest.Errorf(attest.ENOTFOUND, "no such user")
		}
		res, err = tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE org_id = ? AND user_id = ? AND token_hash <> ?`), orgID, id, keep)
		if err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		ended, _ := res.RowsAffected()
		return s.appendAudit(ctx, tx, orgID, "user.password", "user", fmt.Sprint(id), nil, map[string]any{"sessions_ended": ended})
	})
}

// SetMFA enables TOTP with a sealed secret and hashed recovery codes, or
// disables it when secret is empty.
func (s *DB) SetMFA(ctx context.Context, orgID, id int64, sealedSecret string, recoveryHashes []string) error {
	enabled := sealedSecret != ""
	if recoveryHashes == nil {
		recoveryHashes = []string{}
	}
	action := "user.mfa_disable"
	if enabled {
		action = "user.mfa_enable"
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE users SET mfa_enabled = ?, mfa_secret = ?, recovery_codes = ? WHERE org_id = ? AND id = ?`),
			enabled, sealedSecret, jsonText(recoveryHashes), orgID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return attest.Errorf(attest.ENOTFOUND, "no such user")
		}
		return s.appendAudit(ctx, tx, orgID, action, "user", fmt.Sprint(id), nil, nil)
	})
}

// UseRecoveryCode removes a recovery code hash from the user's list and
// reports whether it was there; each code works once.
func (s *DB) UseRecoveryCode(ctx context.Context, orgID, id int64, hash string) (bool, error) {
	used := false
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		u, err := s.findUser(ctx, tx, `org_id = ? AND id = ?`, orgID, id)
		if err != nil {
			return err
		}
		left := make([]string, 0, len(u.RecoveryCodes))
		for _, h := range u.RecoveryCodes {
			if h == hash && !used {
				used = true
				continue
			}
			left = append(left, h)
		}
		if !used {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE users SET recovery_codes = ? WHERE id = ?`), jsonText(left), id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "user.recovery_code_used", "user", fmt.Sprint(id), nil, map[string]int{"remaining": len(left)})
	})
	return used, err
}

// LinkSubject links a user to an OIDC subject.
func (s *DB) LinkSubject(ctx context.Context, orgID, id int64, subject string) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE users SET sso_subject = ? WHERE org_id = ? AND id = ?`), subject, orgID, id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "user.sso_link", "user", fmt.Sprint(id), nil, map[string]string{"subject": subject})
	})
}

// RecordLogin notes a successful sign-in and clears the email's failures.
func (s *DB) RecordLogin(ctx context.Context, u *attest.User, method string) error {
	now := s.now()
	return s.change(ctx, u.OrgID, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE users SET last_login = ? WHERE id = ?`), now, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM login_failures WHERE email = ?`), u.Email); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, u.OrgID, "user.sign_in", "user", fmt.Sprint(u.ID), nil, map[string]string{"method": method})
	})
}

// LoginLockedUntil returns when the email's lockout ends, or the zero time.
func (s *DB) LoginLockedUntil(ctx context.Context, email string) (time.Time, error) {
	var until sql.NullTime
	err := s.db.QueryRowContext(ctx, s.q(`SELECT locked_until FROM login_failures WHERE email = ?`), strings.ToLower(email)).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !until.Valid) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("login lockout: %w", err)
	}
	if !until.Time.After(s.now()) {
		return time.Time{}, nil
	}
	return until.Time, nil
}

// RecordLoginFailure counts a failed sign-in for the email (known or not)
// and returns the lockout end when this failure triggers one. Failures older
// than the window start the count afresh. When the email belongs to a user,
// the failure is also written to their organization's audit log.
func (s *DB) RecordLoginFailure(ctx context.Context, email string) (time.Time, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	var locked time.Time
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var failures int
		var last time.Time
		err := tx.QueryRowContext(ctx, s.q(`SELECT failures, last_at FROM login_failures WHERE email = ?`), email).Scan(&failures, &last)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && now.Sub(last) > attest.LoginFailureWindow) {
			failures = 0
		} else if err != nil {
			return err
		}
		failures++
		var until sql.NullTime
		if failures >= attest.LoginMaxFailures {
			locked = now.Add(attest.LoginLockout)
			until = sql.NullTime{Time: locked, Valid: true}
			failures = 0
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO login_failures (email, failures, last_at, locked_until) VALUES (?, ?, ?, ?)
			ON CONFLICT (email) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at,
			locked_until = COALESCE(excluded.locked_until, login_failures.locked_until)`), email, failures, now, until); err != nil {
			return err
		}
		var orgID, userID int64
		err = tx.QueryRowContext(ctx, s.q(`SELECT org_id, id FROM users WHERE email = ?`), email).Scan(&orgID, &userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		detail := map[string]any{"email": email}
		if !locked.IsZero() {
			detail["locked_until"] = locked
		}
		return s.appendAudit(attest.WithActor(ctx, "anonymous"), tx, orgID, "user.sign_in_failed", "user", fmt.Sprint(userID), nil, detail)
	})
	return locked, err
}

// UseTOTPStep records that the user signed in with the TOTP code of a time
// step, and reports false when that step (or a later one) was used before:
// each code works once.
func (s *DB) UseTOTPStep(ctx context.Context, orgID, id, step int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE users SET totp_last_step = ? WHERE org_id = ? AND id = ? AND totp_last_step < ?`), step, orgID, id, step)
	if err != nil {
		return false, fmt.Errorf("use TOTP step: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
