package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// A record attached to a control becomes evidence of one of its needs: a
// statement describing the record as it stands, stored as an ordinary
// evidence item, so it shows on the control's page, answers the request
// list's slot of the day and goes into the auditor's package.

// AttachRecord attaches a record to a control's need and stores the
// statement that evidences it, in one transaction with its audit entries.
// ENOTFOUND for an unknown record; EINVALID naming control_id or need for
// an unknown control or need.
func (s *DB) AttachRecord(ctx context.Context, orgID int64, kind attest.RecordKind, id int64, controlID string, need int) (*attest.RecordRef, error) {
	var ref *attest.RecordRef
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		title, text, err := s.recordTitle(ctx, tx, orgID, kind, id)
		if err != nil {
			return err
		}
		c, err := s.findControl(ctx, tx, orgID, controlID)
		if attest.ErrorCode(err) == attest.ENOTFOUND {
			return attest.FieldErrorf("control_id", "unknown control %q", controlID)
		}
		if err != nil {
			return err
		}
		if need < 0 || need >= len(c.Evidence) {
			return attest.FieldErrorf("need", "control %s has no evidence need %d (it has %d)", c.ID, need, len(c.Evidence))
		}
		now := s.now()
		today := attest.DateOf(now)
		e := &attest.Evidence{Kind: attest.EvidenceStatement, Title: fmt.Sprintf("%s: %s", kindTitle(kind), title),
			Statement: fmt.Sprintf("%s %q (%s %d). %s", kindTitle(kind), title, kind, id, text),
			Source:    "register:" + string(kind), ProvidedBy: attest.ActorFrom(ctx), CollectedAt: now, PeriodStart: today, PeriodEnd: today,
			Links: []attest.EvidenceLinkRef{{ControlID: c.ID, Need: need}}, CreatedAt: now}
		e.ValidUntil = attest.DefaultValidUntil(today, []attest.EvidenceNeed{c.Evidence[need]})
		if err := e.Validate(); err != nil {
			return err
		}
		eid, err := s.insertID(ctx, tx, `INSERT INTO evidence (org_id, kind, title, sha256, size, content_type, file_name, url, statement, source, provided_by,
			collected_at, period_start, period_end, valid_until, created_at) VALUES (`+placeholders(16)+`)`,
			orgID, e.Kind, e.Title, "", 0, "", "", "", e.Statement, e.Source, e.ProvidedBy, e.CollectedAt, e.PeriodStart, e.PeriodEnd, e.ValidUntil, e.CreatedAt)
		if err != nil {
			return fmt.Errorf("store record evidence: %w", err)
		}
		e.ID = eid
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO evidence_links (org_id, evidence_id, control_id, need, period_start, period_end, valid_until, provided_on)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), orgID, eid, c.ID, need, e.PeriodStart, e.PeriodEnd, e.ValidUntil, e.ProvidedOn()); err != nil {
			return fmt.Errorf("link record evidence: %w", s.dialect.normalize(err))
		}
		if err := s.appendAudit(ctx, tx, orgID, "evidence.create", "evidence", strconv.FormatInt(eid, 10), nil, e); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM record_links WHERE org_id = ? AND kind = ? AND record_id = ? AND rel = 'control' AND target = ?`), orgID, kind, id, c.ID); err != nil {
			return fmt.Errorf("replace record link: %w", err)
		}
		if err := s.link(ctx, tx, orgID, kind, id, "control", c.ID, eid); err != nil {
			return err
		}
		ref = &attest.RecordRef{Kind: kind, ID: id, Title: title, EvidenceID: eid, AttachedAt: now}
		return s.appendAudit(ctx, tx, orgID, string(kind)+".attach", string(kind), strconv.FormatInt(id, 10), nil, map[string]any{"control_id": c.ID, "need": need, "evidence_id": eid})
	})
	if err != nil {
		return nil, fmt.Errorf("attach %s: %w", kind, err)
	}
	return ref, nil
}

// kindTitle is a register's name as a statement's title begins.
func kindTitle(k attest.RecordKind) string {
	return map[attest.RecordKind]string{attest.RecordRisk: "Risk", attest.RecordVendor: "Vendor", attest.RecordAsset: "System", attest.RecordIncident: "Incident"}[k]
}

// DetachRecord removes a record's link to a control; the evidence it made
// stays, as evidence never changes. Detaching what is not attached does
// nothing; an unknown record is ENOTFOUND.
func (s *DB) DetachRecord(ctx context.Context, orgID int64, kind attest.RecordKind, id int64, controlID string) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		if _, _, err := s.recordTitle(ctx, tx, orgID, kind, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM record_links WHERE org_id = ? AND kind = ? AND record_id = ? AND rel = 'control' AND target = ?`), orgID, kind, id, controlID)
		if err != nil {
			return fmt.Errorf("detach %s: %w", kind, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // not attached: nothing to do, and nothing to audit
		}
		return s.appendAudit(ctx, tx, orgID, string(kind)+".detach", string(kind), strconv.FormatInt(id, 10), map[string]any{"control_id": controlID}, nil)
	})
}

// RecordControls returns the controls a record is attached to, by ID; each
// ref's Title is the control's ID.
func (s *DB) RecordControls(ctx context.Context, orgID int64, kind attest.RecordKind, id int64) ([]attest.RecordRef, error) {
	return queryAll(ctx, s.db, "find record controls", func(r rowScanner) (attest.RecordRef, error) {
		ref := attest.RecordRef{Kind: kind, ID: id}
		var ev sql.NullInt64
		err := r.Scan(&ref.Title, &ev, &ref.AttachedAt)
		ref.EvidenceID = ev.Int64
		return ref, err
	}, s.q(`SELECT target, evidence_id, created_at FROM record_links WHERE org_id = ? AND kind = ? AND record_id = ? AND rel = 'control' ORDER BY target`), orgID, kind, id)
}

// ControlRecords returns the records of every register attached to a
// control, by register and title.
func (s *DB) ControlRecords(ctx context.Context, orgID int64, controlID string) ([]attest.RecordRef, error) {
	return queryAll(ctx, s.db, "find control records", func(r rowScanner) (attest.RecordRef, error) {
		var ref attest.RecordRef
		var ev sql.NullInt64
		err := r.Scan(&ref.Kind, &ref.ID, &ref.Title, &ev, &ref.AttachedAt)
		ref.EvidenceID = ev.Int64
		return ref, err
	}, s.q(`SELECT l.kind, l.record_id, COALESCE(r.title, v.name, a.name, i.title, ''), l.evidence_id, l.created_at FROM record_links l
		LEFT JOIN risks r ON l.kind = 'risk' AND r.org_id = l.org_id AND r.id = l.record_id
		LEFT JOIN vendors v ON l.kind = 'vendor' AND v.org_id = l.org_id AND v.id = l.record_id
		LEFT JOIN assets a ON l.kind = 'asset' AND a.org_id = l.org_id AND a.id = l.record_id
		LEFT JOIN incidents i ON l.kind = 'incident' AND i.org_id = l.org_id AND i.id = l.record_id
		WHERE l.org_id = ? AND l.rel = 'control' AND l.target = ? ORDER BY l.kind, l.record_id`), orgID, controlID)
}

// AddRecordTask creates a task tied to a record (a risk's treatment step,
// an incident's corrective action) in one transaction with the link.
func (s *DB) AddRecordTask(ctx context.Context, orgID int64, kind attest.RecordKind, id int64, t *attest.Task) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if err := s.checkTaskRefs(ctx, orgID, t); err != nil {
		return err
	}
	t.CreatedAt = s.now()
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		if _, _, err := s.recordTitle(ctx, tx, orgID, kind, id); err != nil {
			return err
		}
		var err error
		if t.Owner, err = s.checkOwner(ctx, tx, orgID, t.OwnerID); err != nil {
			return attest.FieldErrorf("owner", "%s", attest.ErrorMessage(err))
		}
		tid, err := s.insertID(ctx, tx, `INSERT INTO tasks (org_id, title, description, owner_user_id, owner_note, due_date, status, control_id, engagement_id, notes, created_at) VALUES (`+placeholders(11)+`)`,
			orgID, t.Title, t.Description, nullInt(t.OwnerID), t.OwnerNote, t.DueDate, t.Status, nullString(t.ControlID), nullInt(t.EngagementID), t.Notes, t.CreatedAt)
		if err != nil {
			return err
		}
		t.ID = tid
		if err := s.appendAudit(ctx, tx, orgID, "task.create", "task", strconv.FormatInt(tid, 10), nil, t); err != nil {
			return err
		}
		return s.link(ctx, tx, orgID, kind, id, "task", strconv.FormatInt(tid, 10), 0)
	})
}

// RecordTasks returns the tasks tied to a record, soonest due first.
func (s *DB) RecordTasks(ctx context.Context, orgID int64, kind attest.RecordKind, id int64) ([]*attest.Task, error) {
	cols := strings.ReplaceAll("t."+taskColumns, ", ", ", t.")
	return s.queryTasks(ctx, orgID, `SELECT `+cols+` FROM tasks t JOIN record_links l ON l.org_id = t.org_id AND l.rel = 'task' AND l.target = CAST(t.id AS TEXT)
		WHERE t.org_id = ? AND l.kind = ? AND l.record_id = ? ORDER BY CASE WHEN t.due_date = '' THEN 1 ELSE 0 END, t.due_date, t.id`, orgID, kind, id)
}
