package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

const changeColumns = `id, title, description, system, requester_user_id, requester_note, approver_user_id, approver_note, approved_on, tests, implemented_on, emergency, rollback_plan, source, external_id, url, control_id, created_at, evidence_id`

func scanChange(row rowScanner) (*attest.ChangeRecord, error) {
	c := &attest.ChangeRecord{}
	var req, appr, ev sql.NullInt64
	if err := row.Scan(&c.ID, &c.Title, &c.Description, &c.System, &req, &c.RequesterNote, &appr, &c.ApproverNote, &c.ApprovedOn, &c.Tests, &c.ImplementedOn, &c.Emergency, &c.RollbackPlan,
		&c.Source, &c.ExternalID, &c.URL, &c.ControlID, &c.CreatedAt, &ev); err != nil {
		return nil, err
	}
	c.RequesterID, c.ApproverID, c.EvidenceID = req.Int64, appr.Int64, ev.Int64
	c.Unapproved = !c.IndependentlyApproved()
	return c, nil
}

var changeOrder = map[string]string{"implemented_on": "c.implemented_on", "title": "LOWER(c.title)", "system": "LOWER(c.system)", "created_at": "c.created_at"}

// unapprovedSQL is true for a change without an independent approval.
const unapprovedSQL = `(c.approver_user_id IS NULL OR c.approver_user_id = COALESCE(c.requester_user_id, 0))`

// FindChange returns one change record.
func (s *DB) FindChange(ctx context.Context, orgID, id int64) (*attest.ChangeRecord, error) {
	return s.findChange(ctx, s.db, orgID, id)
}

func (s *DB) findChange(ctx context.Context, x queryer, orgID, id int64) (*attest.ChangeRecord, error) {
	c, err := scanChange(x.QueryRowContext(ctx, s.q(`SELECT `+changeColumns+` FROM change_records WHERE org_id = ? AND id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no change %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find change: %w", err)
	}
	dir, err := s.people(ctx, x, orgID)
	c.Requester, c.Approver = dir.Get(c.RequesterID), dir.Get(c.ApproverID)
	return c, err
}

// FindChangePage returns one page of changes and how many match.
func (s *DB) FindChangePage(ctx context.Context, orgID int64, f attest.ChangeFilter, p attest.Page) ([]*attest.ChangeRecord, int, error) {
	where, args := `c.org_id = ?`, []any{orgID}
	where, args = searchClause(where, args, f.Search, "c.title", "c.system", "c.external_id")
	var err error
	where, args, err = s.scopeWhere(ctx, orgID, attest.ScopeChange, "c", f.Scope, where, args)
	if err != nil {
		return nil, 0, err
	}
	if f.System != "" {
		where += ` AND c.system = ?`
		args = append(args, f.System)
	}
	if f.Unapproved {
		where += ` AND ` + unapprovedSQL
	}
	if f.Emergency {
		where += ` AND c.emergency`
	}
	where, args = dateRange(where, args, "c.implemented_on", f.From, f.To)
	out, total, err := listRegister(ctx, s, registerList{what: "changes", table: "change_records c", cols: qualify("c", changeColumns), where: where, args: args, order: changeOrder, def: "implemented_on"},
		p, attest.ChangeSorts, scanChange)
	if err != nil {
		return nil, 0, err
	}
	dir, err := s.people(ctx, s.db, orgID)
	for _, c := range out {
		c.Requester, c.Approver = dir.Get(c.RequesterID), dir.Get(c.ApproverID)
	}
	return out, total, err
}

// CreateChange stores a change record.
func (s *DB) CreateChange(ctx context.Context, orgID int64, c *attest.ChangeRecord) error {
	if err := c.Validate(); err != nil {
		return err
	}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error { return s.insertChange(ctx, tx, orgID, c, "change.create") })
	if err != nil {
		return fmt.Errorf("record change: %w", err)
	}
	return nil
}

func (s *DB) insertChange(ctx context.Context, tx *sql.Tx, orgID int64, c *attest.ChangeRecord, action string) error {
	var err error
	if c.Requester, err = s.checkOwner(ctx, tx, orgID, c.RequesterID); err != nil {
		return attest.FieldErrorf("requester", "%s", attest.ErrorMessage(err))
	}
	if c.Approver, err = s.checkOwner(ctx, tx, orgID, c.ApproverID); err != nil {
		return attest.FieldErrorf("approver", "%s", attest.ErrorMessage(err))
	}
	if err := s.checkControlRef(ctx, tx, orgID, c.ControlID); err != nil {
		return err
	}
	c.CreatedAt = s.now()
	id, err := s.insertID(ctx, tx, `INSERT INTO change_records (org_id, title, description, system, requester_user_id, requester_note, approver_user_id, approver_note, approved_on, tests, implemented_on, emergency, rollback_plan, source, external_id, url, control_id, created_at) VALUES (`+placeholders(18)+`)`,
		orgID, c.Title, c.Description, c.System, nullInt(c.RequesterID), c.RequesterNote, nullInt(c.ApproverID), c.ApproverNote, c.ApprovedOn, c.Tests, c.ImplementedOn, c.Emergency, c.RollbackPlan, c.Source, c.ExternalID, c.URL, c.ControlID, c.CreatedAt)
	if err != nil {
		return err
	}
	c.ID = id
	if err := s.appendAudit(ctx, tx, orgID, action, "change", strconv.FormatInt(id, 10), nil, c); err != nil {
		return err
	}
	return s.changeEvidence(ctx, tx, orgID, c)
}

// changeEvidence stores an independently approved change attached to a
// control as evidence of it, once.
func (s *DB) changeEvidence(ctx context.Context, tx *sql.Tx, orgID int64, c *attest.ChangeRecord) error {
	if c.ControlID == "" || !c.IndependentlyApproved() || c.EvidenceID != 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Change %q (change %d)", c.Title, c.ID)
	if c.System != "" {
		fmt.Fprintf(&b, " to %s", c.System)
	}
	fmt.Fprintf(&b, ", requested by %s, approved by %s on %s, implemented on %s.", firstOf(c.Requester.Display(), c.RequesterNote, "nobody recorded"),
		c.Approver.Display(), firstOf(string(c.ApprovedOn), "an unrecorded day"), c.ImplementedOn)
	if c.Emergency {
		b.WriteString(" An emergency change.")
	}
	if c.Tests != "" {
		fmt.Fprintf(&b, "\n\nTests: %s", c.Tests)
	}
	if c.RollbackPlan != "" {
		fmt.Fprintf(&b, "\n\nRollback plan: %s", c.RollbackPlan)
	}
	if c.URL != "" {
		fmt.Fprintf(&b, "\n\nSource: %s %s", c.Source, c.URL)
	}
	id, err := s.recordEvidence(ctx, tx, orgID, recordItem{table: "change_records", id: c.ID, controlID: c.ControlID, population: "changes",
		title: "Change approved: " + c.Title, statement: b.String(), source: "record:change", from: c.ImplementedOn, to: c.ImplementedOn})
	c.EvidenceID = id
	return err
}

// firstOf returns the first non-empty string.
func firstOf(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// ApproveChange records a member's approval; the requester cannot approve
// their own change.
func (s *DB) ApproveChange(ctx context.Context, orgID, id, approverID int64, day attest.Date) (*attest.ChangeRecord, error) {
	if day.IsZero() || !day.Valid() {
		return nil, attest.FieldErrorf("approved_on", "say the day of the approval (YYYY-MM-DD)")
	}
	var out *attest.ChangeRecord
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findChange(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if approverID == 0 || approverID == before.RequesterID {
			return attest.Errorf(attest.EFORBIDDEN, "a change is approved by a member other than its requester")
		}
		if _, err := s.checkOwner(ctx, tx, orgID, approverID); err != nil {
			return attest.Errorf(attest.EFORBIDDEN, "%s", attest.ErrorMessage(err))
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE change_records SET approver_user_id = ?, approver_note = '', approved_on = ? WHERE org_id = ? AND id = ?`), approverID, day, orgID, id); err != nil {
			return fmt.Errorf("approve change: %w", err)
		}
		if out, err = s.findChange(ctx, tx, orgID, id); err != nil {
			return err
		}
		if err := s.appendAudit(ctx, tx, orgID, "change.approve", "change", strconv.FormatInt(id, 10), before, out); err != nil {
			return err
		}
		return s.changeEvidence(ctx, tx, orgID, out)
	})
	return out, err
}

// ImportChanges stores changes all or none; one whose source and external
// ID are stored already is skipped (a pull request seen again).
func (s *DB) ImportChanges(ctx context.Context, orgID int64, changes []*attest.ChangeRecord) (int, error) {
	for i, c := range changes {
		if err := c.Validate(); err != nil {
			return 0, attest.FieldErrorf(attest.ErrorField(err), "change %d: %s", i+1, attest.ErrorMessage(err))
		}
	}
	added := 0
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		for i, c := range changes {
			if c.ExternalID != "" {
				var n int
				if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM change_records WHERE org_id = ? AND source = ? AND external_id = ?`), orgID, c.Source, c.ExternalID).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					continue
				}
			}
			if err := s.insertChange(ctx, tx, orgID, c, "change.import"); err != nil {
				return attest.FieldErrorf(attest.ErrorField(err), "change %d: %s", i+1, attest.ErrorMessage(err))
			}
			added++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("import changes: %w", err)
	}
	return added, nil
}
