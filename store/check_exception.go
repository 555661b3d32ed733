package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/attest-dev/attest"
)

const exceptionColumns = `id, check_id, resource_type, resource_id, reason, requested_by, approved_by, expires, created_at`

func scanException(row rowScanner) (*attest.CheckException, error) {
	e := &attest.CheckException{}
	err := row.Scan(&e.ID, &e.CheckID, &e.ResourceType, &e.ResourceID, &e.Reason, &e.RequesterID, &e.ApproverID, &e.Expires, &e.CreatedAt)
	return e, err
}

// CreateException records an exception approved by a member other than
// its requester, and marks the resource's current failure excepted: the
// open result is closed and reopened with the same status, reason and
// remediation deadline, marked excepted, so history shows when it was.
func (s *DB) CreateException(ctx context.Context, orgID int64, e *attest.CheckException) error {
	now := s.now()
	if _, err := s.FindCheck(ctx, orgID, e.CheckID); err != nil {
		return err
	}
	if err := e.Validate(attest.DateOf(now)); err != nil {
		return err
	}
	e.CreatedAt = now
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		if e.Requester, err = s.checkOwner(ctx, tx, orgID, e.RequesterID); err != nil {
			return attest.FieldErrorf("requester", "%s", attest.ErrorMessage(err))
		}
		if e.Approver, err = s.checkOwner(ctx, tx, orgID, e.ApproverID); err != nil {
			return attest.FieldErrorf("approver", "%s", attest.ErrorMessage(err))
		}
		e.ID, err = s.insertID(ctx, tx, `INSERT INTO check_exceptions (org_id, check_id, resource_type, resource_id, reason, requested_by, approved_by, expires, created_at) VALUES (`+placeholders(9)+`)`,
			orgID, e.CheckID, e.ResourceType, e.ResourceID, e.Reason, e.RequesterID, e.ApproverID, e.Expires, e.CreatedAt)
		if err != nil {
			return err
		}
		open, err := queryAll(ctx, tx, "find open result", scanResult, s.q(`SELECT `+resultColumns+` FROM check_results WHERE org_id = ? AND check_id = ? AND resource_id = ? AND until IS NULL AND status = 'fail' AND NOT excepted`), orgID, e.CheckID, e.ResourceID)
		if err != nil {
			return err
		}
		for _, r := range open {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE check_results SET until = ? WHERE org_id = ? AND id = ?`), now, orgID, r.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO check_results (org_id, check_id, resource_type, resource_id, resource_name, integration_id, status, reason, excepted, since, deadline) VALUES (`+placeholders(11)+`)`),
				orgID, r.CheckID, r.ResourceType, r.ResourceID, r.ResourceName, nullInt(r.IntegrationID), r.Status, r.Reason, true, now, nullTime(r.Deadline)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE monitor_checks SET fail = fail - 1, excepted = excepted + 1 WHERE org_id = ? AND check_id = ? AND fail > 0`), orgID, e.CheckID); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, orgID, "exception.create", "check_exception", strconv.FormatInt(e.ID, 10), nil, e)
	})
	if err != nil {
		return fmt.Errorf("create exception: %w", err)
	}
	return nil
}

// FindExceptions returns the exceptions of a check (of every check for
// ""), newest first, with requester and approver.
func (s *DB) FindExceptions(ctx context.Context, orgID int64, checkID string) ([]*attest.CheckException, error) {
	q, args := `SELECT `+exceptionColumns+` FROM check_exceptions WHERE org_id = ?`, []any{orgID}
	if checkID != "" {
		q += ` AND check_id = ?`
		args = append(args, checkID)
	}
	es, err := queryAll(ctx, s.db, "find exceptions", scanException, s.q(q+` ORDER BY id DESC`), args...)
	if err != nil {
		return nil, err
	}
	people, err := s.people(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		e.Requester, e.Approver = people.Get(e.RequesterID), people.Get(e.ApproverID)
	}
	return es, nil
}

// lapseExceptions records in the audit log the exceptions that ran out by
// today, once each.
func (s *DB) lapseExceptions(ctx context.Context, tx *sql.Tx, orgID int64, today attest.Date) error {
	es, err := queryAll(ctx, tx, "find lapsed exceptions", scanException, s.q(`SELECT `+exceptionColumns+` FROM check_exceptions WHERE org_id = ? AND expires <= ? AND NOT lapsed`), orgID, today)
	if err != nil {
		return err
	}
	for _, e := range es {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE check_exceptions SET lapsed = TRUE WHERE org_id = ? AND id = ?`), orgID, e.ID); err != nil {
			return err
		}
		if err := s.appendAudit(ctx, tx, orgID, "exception.lapse", "check_exception", strconv.FormatInt(e.ID, 10), nil, map[string]any{"check": e.CheckID, "resource": e.ResourceID, "expires": e.Expires}); err != nil {
			return err
		}
	}
	return nil
}
