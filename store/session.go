package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/attest-dev/attest"
)

// CreateSession stores a session under the hash of its secret ID.
func (s *DB) CreateSession(ctx context.Context, idHash string, sess *attest.Session) error {
	now := s.now()
	sess.CreatedAt, sess.LastSeen = now, now
	if sess.Method == "" {
		sess.Method = "password"
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO sessions (token_hash, user_id, org_id, csrf, stage, method, created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		idHash, sess.UserID, sess.OrgID, sess.CSRF, sess.Stage, sess.Method, sess.CreatedAt, sess.LastSeen)
	if err != nil {
		return fmt.Errorf("create session: %w", s.dialect.normalize(err))
	}
	return nil
}

// TouchSession records activity, at most once a minute per session.
func (s *DB) TouchSession(ctx context.Context, idHash string, sess *attest.Session) error {
	now := s.now()
	if now.Sub(sess.LastSeen) < timeGranularity {
		return nil
	}
	sess.LastSeen = now
	// Concurrent requests of one session all find it due at once: one of
	// them writes, the others go on without queueing for the writer
	// behind a collection's batches.
	v, _ := s.touches.LoadOrStore(idHash, new(atomic.Int64))
	last := v.(*atomic.Int64)
	prev := last.Load()
	if now.UnixNano()-prev < int64(timeGranularity) || !last.CompareAndSwap(prev, now.UnixNano()) {
		return nil
	}
	// Through tx: on SQLite it queues behind this process's other writers
	// (a collection's batches) instead of polling in the busy handler.
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE sessions SET last_seen = ? WHERE token_hash = ?`), now, idHash)
		return err
	})
	if err != nil {
		last.CompareAndSwap(now.UnixNano(), prev) // the next request tries again
	}
	return err
}

// PromoteSession moves a session from the MFA stage to signed in.
func (s *DB) PromoteSession(ctx context.Context, idHash string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE sessions SET stage = 'full', last_seen = ? WHERE token_hash = ?`), s.now(), idHash)
	return err
}

// DeleteSession ends a session.
func (s *DB) DeleteSession(ctx context.Context, idHash string) error {
	s.touches.Delete(idHash)
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE token_hash = ?`), idHash)
	return err
}

// FindSessionUser returns the live session with the ID hash together with
// its user, the organization's name and whether it requires MFA, in one
// query: it runs on every page. EUNAUTHORIZED when there is no live session.
func (s *DB) FindSessionUser(ctx context.Context, idHash string) (*attest.SignedIn, error) {
	sess := &attest.Session{}
	su := &attest.SignedIn{Session: sess}
	var requireMFA sql.NullBool
	v := &attest.Versions{}
	var current sql.NullInt64
	var derivedAt sql.NullTime
	u, err := scanUserWith(s.db.QueryRowContext(ctx, s.q(`SELECT s.user_id, s.org_id, s.csrf, s.stage, s.method, s.created_at, s.last_seen, o.name, st.require_mfa,
		`+latestChangeColumns+`, o.current_engagement_id,
		COALESCE((SELECT h.seq FROM audit_heads h WHERE h.org_id = s.org_id), 0), COALESCE(r.seq, -1), COALESCE(r.day, ''), r.computed_at,
		`+prefixed("u.", userColumns)+`
		FROM sessions s JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id JOIN organizations o ON o.id = s.org_id
		LEFT JOIN org_settings st ON st.org_id = s.org_id
		LEFT JOIN readiness_results r ON r.org_id = s.org_id AND r.engagement_id = o.current_engagement_id
		WHERE s.token_hash = ?`), idHash),
		&sess.UserID, &sess.OrgID, &sess.CSRF, &sess.Stage, &sess.Method, &sess.CreatedAt, &sess.LastSeen, &su.OrgName, &requireMFA,
		&v.Policy, &v.User, &v.Settings, &v.Engagement, &v.Task, &current, &v.Head, &v.Derived.Seq, &v.Derived.Day, &derivedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.EUNAUTHORIZED, "your session has ended: please sign in again")
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	if sess.Expired(s.now()) {
		s.DeleteSession(ctx, idHash)
		return nil, attest.Errorf(attest.EUNAUTHORIZED, "your session has expired: please sign in again")
	}
	v.OrgID, v.CurrentEngagement, v.Derived.At = sess.OrgID, current.Int64, derivedAt.Time.UTC()
	su.User, su.RequireMFA, su.Versions = u, requireMFA.Bool, v
	return su, nil
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ", ")
	for i, p := range parts {
		parts[i] = alias + p
	}
	return strings.Join(parts, ", ")
}
