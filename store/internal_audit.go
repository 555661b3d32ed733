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

const controlTestColumns = `id, control_id, period, due_date, tester_user_id, procedure, sample, result, tested_on, notes, follow_up_task_id, created_at, evidence_id`

func scanControlTest(row rowScanner) (*attest.ControlTest, error) {
	t := &attest.ControlTest{}
	var tester, task, ev sql.NullInt64
	if err := row.Scan(&t.ID, &t.ControlID, &t.Period, &t.DueDate, &tester, &t.Procedure, &t.Sample, &t.Result, &t.TestedOn, &t.Notes, &task, &t.CreatedAt, &ev); err != nil {
		return nil, err
	}
	t.TesterID, t.FollowUpTaskID, t.EvidenceID = tester.Int64, task.Int64, ev.Int64
	return t, nil
}

var controlTestOrder = map[string]string{"due_date": "t.due_date", "control": "t.control_id", "period": "t.period", "result": "t.result", "tested_on": "t.tested_on"}

// FindControlTest returns one internal test.
func (s *DB) FindControlTest(ctx context.Context, orgID, id int64) (*attest.ControlTest, error) {
	return s.findControlTest(ctx, s.db, orgID, id)
}

func (s *DB) findControlTest(ctx context.Context, x queryer, orgID, id int64) (*attest.ControlTest, error) {
	t, err := scanControlTest(x.QueryRowContext(ctx, s.q(`SELECT `+controlTestColumns+` FROM control_tests WHERE org_id = ? AND id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no control test %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find control test: %w", err)
	}
	t.Tester, err = s.person(ctx, x, orgID, t.TesterID)
	return t, err
}

// FindControlTestPage returns one page of tests and how many match.
func (s *DB) FindControlTestPage(ctx context.Context, orgID int64, f attest.ControlTestFilter, p attest.Page) ([]*attest.ControlTest, int, error) {
	where, args := `t.org_id = ?`, []any{orgID}
	where, args = searchClause(where, args, f.Search, "t.control_id", "t.period", "t.sample")
	var err error
	where, args, err = s.scopeWhere(ctx, orgID, attest.ScopeControlTest, "t", f.Scope, where, args)
	if err != nil {
		return nil, 0, err
	}
	if f.Period != "" {
		where += ` AND t.period = ?`
		args = append(args, f.Period)
	}
	if f.ControlID != "" {
		where += ` AND t.control_id = ?`
		args = append(args, f.ControlID)
	}
	switch f.Result {
	case "":
	case "planned":
		where += ` AND t.result = ''`
	case attest.ResultEffective, attest.ResultDeficiency, attest.ResultException:
		where += ` AND t.result = ?`
		args = append(args, f.Result)
	default:
		return nil, 0, attest.FieldErrorf("result", "unknown result %q", f.Result)
	}
	if f.NoFollowUp {
		where += ` AND t.result IN ('deficiency', 'exception') AND t.follow_up_task_id IS NULL`
	}
	where, args = dateRange(where, args, "t.tested_on", f.From, f.To)
	out, total, err := listRegister(ctx, s, registerList{what: "control tests", table: "control_tests t", cols: qualify("t", controlTestColumns), where: where, args: args, order: controlTestOrder, def: "due_date"},
		p, attest.ControlTestSorts, scanControlTest)
	if err != nil {
		return nil, 0, err
	}
	dir, err := s.people(ctx, s.db, orgID)
	for _, t := range out {
		t.Tester = dir.Get(t.TesterID)
	}
	return out, total, err
}

// CreateControlTest plans (or records) a test of a control.
func (s *DB) CreateControlTest(ctx context.Context, orgID int64, t *attest.ControlTest) error {
	if err := t.Validate(); err != nil {
		return err
	}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error { return s.insertControlTest(ctx, tx, orgID, t, "control_test.create") })
	if err != nil {
		return fmt.Errorf("plan control test: %w", err)
	}
	return nil
}

func (s *DB) insertControlTest(ctx context.Context, tx *sql.Tx, orgID int64, t *attest.ControlTest, action string) error {
	if err := s.checkControlRef(ctx, tx, orgID, t.ControlID); err != nil {
		return err
	}
	var err error
	if t.Tester, err = s.checkOwner(ctx, tx, orgID, t.TesterID); err != nil {
		return attest.FieldErrorf("tester", "%s", attest.ErrorMessage(err))
	}
	t.CreatedAt = s.now()
	if t.ID, err = s.insertID(ctx, tx, `INSERT INTO control_tests (org_id, control_id, period, due_date, tester_user_id, procedure, sample, result, tested_on, notes, created_at) VALUES (`+placeholders(11)+`)`,
		orgID, t.ControlID, t.Period, t.DueDate, nullInt(t.TesterID), t.Procedure, t.Sample, t.Result, t.TestedOn, t.Notes, t.CreatedAt); err != nil {
		return err
	}
	if err := s.appendAudit(ctx, tx, orgID, action, "control_test", strconv.FormatInt(t.ID, 10), nil, t); err != nil {
		return err
	}
	if err := s.testEvidence(ctx, tx, orgID, nil, t); err != nil {
		return err
	}
	return s.followUp(ctx, tx, orgID, t)
}

// testEvidence stores a test found effective as evidence of the control it
// tested, when its result is new or its record changed. A deficiency or
// an exception proves no operation: it is a gap with its follow-up task,
// not evidence.
func (s *DB) testEvidence(ctx context.Context, tx *sql.Tx, orgID int64, before, t *attest.ControlTest) error {
	if t.Result != attest.ResultEffective {
		return nil
	}
	if before != nil && before.Result == t.Result && before.TestedOn == t.TestedOn && before.Sample == t.Sample && before.Procedure == t.Procedure && t.EvidenceID != 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Internal test %d of %s for %s: %s. Tested on %s by %s, by %s.\n\nSample examined: %s", t.ID, t.ControlID, t.Period, t.Result,
		t.TestedOn, firstOf(t.Tester.Display(), "an unrecorded tester"), t.Procedure, t.Sample)
	if t.Notes != "" {
		fmt.Fprintf(&b, "\n\nNotes: %s", t.Notes)
	}
	id, err := s.recordEvidence(ctx, tx, orgID, recordItem{table: "control_tests", id: t.ID, controlID: t.ControlID, population: "internal-tests", prev: t.EvidenceID,
		title: fmt.Sprintf("Internal test of %s (%s): %s", t.ControlID, t.Period, t.Result), statement: b.String(), source: "record:control_test", from: t.TestedOn, to: t.TestedOn})
	if id != 0 {
		t.EvidenceID = id
	}
	return err
}

// followUp opens the remediation task of a failed test, owned by the
// control's owner (the task is how the owner is told: it lists among
// their tasks and in their reminders).
func (s *DB) followUp(ctx context.Context, tx *sql.Tx, orgID int64, t *attest.ControlTest) error {
	if !t.Failed() || t.FollowUpTaskID != 0 {
		return nil
	}
	var owner sql.NullInt64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT owner_user_id FROM controls WHERE org_id = ? AND id = ?`), orgID, t.ControlID).Scan(&owner); err != nil {
		return fmt.Errorf("find control owner: %w", err)
	}
	task := &attest.Task{Title: fmt.Sprintf("Remediate the %s found testing %s (%s)", t.Result, t.ControlID, t.Period), OwnerID: owner.Int64,
		Description: "Internal test " + strconv.FormatInt(t.ID, 10) + ": " + t.Notes, DueDate: s.today().AddDays(30), ControlID: t.ControlID, Status: attest.TaskOpen, CreatedAt: s.now()}
	if err := task.Validate(); err != nil {
		return err
	}
	id, err := s.insertID(ctx, tx, `INSERT INTO tasks (org_id, title, description, owner_user_id, owner_note, due_date, status, control_id, notes, created_at) VALUES (`+placeholders(10)+`)`,
		orgID, task.Title, task.Description, nullInt(task.OwnerID), "", task.DueDate, task.Status, task.ControlID, "", task.CreatedAt)
	if err != nil {
		return err
	}
	task.ID, t.FollowUpTaskID = id, id
	if err := s.appendAudit(ctx, tx, orgID, "task.create", "task", strconv.FormatInt(id, 10), nil, task); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE control_tests SET follow_up_task_id = ? WHERE org_id = ? AND id = ?`), id, orgID, t.ID)
	return err
}

// RecordControlTest records a test's procedure, sample and result.
func (s *DB) RecordControlTest(ctx context.Context, orgID, id int64, upd *attest.ControlTest) (*attest.ControlTest, error) {
	var out *attest.ControlTest
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findControlTest(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		t := *before
		t.Procedure, t.Sample, t.Result, t.TestedOn, t.Notes = upd.Procedure, upd.Sample, upd.Result, upd.TestedOn, upd.Notes
		if upd.TesterID != 0 {
			t.TesterID = upd.TesterID
		}
		if err := t.Validate(); err != nil {
			return err
		}
		if t.Tester, err = s.checkOwner(ctx, tx, orgID, t.TesterID); err != nil {
			return attest.FieldErrorf("tester", "%s", attest.ErrorMessage(err))
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE control_tests SET tester_user_id = ?, procedure = ?, sample = ?, result = ?, tested_on = ?, notes = ? WHERE org_id = ? AND id = ?`),
			nullInt(t.TesterID), t.Procedure, t.Sample, t.Result, t.TestedOn, t.Notes, orgID, id); err != nil {
			return fmt.Errorf("record control test: %w", err)
		}
		if err := s.appendAudit(ctx, tx, orgID, "control_test.record", "control_test", strconv.FormatInt(id, 10), before, &t); err != nil {
			return err
		}
		if err := s.testEvidence(ctx, tx, orgID, before, &t); err != nil {
			return err
		}
		if err := s.followUp(ctx, tx, orgID, &t); err != nil {
			return err
		}
		out = &t
		return nil
	})
	return out, err
}

// ImportControlTests stores many tests, all or none.
func (s *DB) ImportControlTests(ctx context.Context, orgID int64, tests []*attest.ControlTest) error {
	for i, t := range tests {
		if err := t.Validate(); err != nil {
			return attest.FieldErrorf(attest.ErrorField(err), "test %d: %s", i+1, attest.ErrorMessage(err))
		}
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		for i, t := range tests {
			if err := s.insertControlTest(ctx, tx, orgID, t, "control_test.import"); err != nil {
				return attest.FieldErrorf(attest.ErrorField(err), "test %d: %s", i+1, attest.ErrorMessage(err))
			}
		}
		return nil
	})
}
