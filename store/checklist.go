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

// FindChecklistTemplate returns the organization's template of a kind, or
// the default one when it has not saved its own.
func (s *DB) FindChecklistTemplate(ctx context.Context, orgID int64, kind string) (*attest.ChecklistTemplate, error) {
	return s.findTemplate(ctx, s.db, orgID, kind)
}

func (s *DB) findTemplate(ctx context.Context, x queryer, orgID int64, kind string) (*attest.ChecklistTemplate, error) {
	def, ok := attest.DefaultTemplates[kind]
	if !ok {
		return nil, attest.FieldErrorf("kind", "unknown checklist kind %q", kind)
	}
	t := &attest.ChecklistTemplate{Kind: kind}
	var items string
	err := x.QueryRowContext(ctx, s.q(`SELECT deadline_days, items, control_id FROM checklist_templates WHERE org_id = ? AND kind = ?`), orgID, kind).Scan(&t.DeadlineDays, &items, &t.ControlID)
	if errors.Is(err, sql.ErrNoRows) {
		def.Items = append([]attest.TemplateItem(nil), def.Items...)
		return &def, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find checklist template: %w", err)
	}
	return t, fromJSON(items, &t.Items)
}

// SaveChecklistTemplate stores the organization's template of a kind.
func (s *DB) SaveChecklistTemplate(ctx context.Context, orgID int64, t *attest.ChecklistTemplate) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findTemplate(ctx, tx, orgID, t.Kind)
		if err != nil {
			return err
		}
		if err := s.checkControlRef(ctx, tx, orgID, t.ControlID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM checklist_templates WHERE org_id = ? AND kind = ?`), orgID, t.Kind); err != nil {
			return fmt.Errorf("save checklist template: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO checklist_templates (org_id, kind, deadline_days, items, control_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)`),
			orgID, t.Kind, t.DeadlineDays, jsonText(t.Items), t.ControlID, s.now()); err != nil {
			return fmt.Errorf("save checklist template: %w", err)
		}
		return s.appendAudit(ctx, tx, orgID, "checklist_template.update", "checklist_template", t.Kind, before, t)
	})
}

// openChecklist opens the person's checklist of a kind from the template,
// unless they have one already.
func (s *DB) openChecklist(ctx context.Context, tx *sql.Tx, orgID int64, p *attest.RosterPerson, kind string) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM checklists WHERE org_id = ? AND person_id = ? AND kind = ?`), orgID, p.ID, kind).Scan(&n); err != nil || n > 0 {
		return err
	}
	t, err := s.findTemplate(ctx, tx, orgID, kind)
	if err != nil {
		return err
	}
	from := p.StartDate
	if kind == attest.Offboarding {
		from = p.EndDate
	}
	if from.IsZero() {
		from = s.today()
	}
	c := &attest.Checklist{PersonID: p.ID, Person: p.Name, Kind: kind, DueDate: from.AddDays(t.DeadlineDays), CreatedAt: s.now()}
	if c.ID, err = s.insertID(ctx, tx, `INSERT INTO checklists (org_id, person_id, kind, due_date, created_at) VALUES (?, ?, ?, ?, ?)`, orgID, p.ID, kind, c.DueDate, c.CreatedAt); err != nil {
		return fmt.Errorf("open checklist: %w", err)
	}
	for i, it := range t.Items {
		item := &attest.ChecklistItem{Kind: it.Kind, Title: it.Title}
		if item.ID, err = s.insertID(ctx, tx, `INSERT INTO checklist_items (org_id, checklist_id, position, kind, title) VALUES (?, ?, ?, ?, ?)`, orgID, c.ID, i, it.Kind, it.Title); err != nil {
			return fmt.Errorf("open checklist: %w", err)
		}
		c.Items = append(c.Items, item)
	}
	return s.appendAudit(ctx, tx, orgID, "checklist.open", "checklist", strconv.FormatInt(c.ID, 10), nil, c)
}

const checklistColumns = `c.id, c.person_id, p.name, c.kind, c.due_date, c.created_at, c.completed_at, c.evidence_id`

func scanChecklist(row rowScanner) (*attest.Checklist, error) {
	c := &attest.Checklist{}
	var done sql.NullTime
	var ev sql.NullInt64
	if err := row.Scan(&c.ID, &c.PersonID, &c.Person, &c.Kind, &c.DueDate, &c.CreatedAt, &done, &ev); err != nil {
		return nil, err
	}
	c.EvidenceID = ev.Int64
	if done.Valid {
		c.CompletedAt = &done.Time
	}
	return c, nil
}

func scanChecklistItem(row rowScanner) (*attest.ChecklistItem, error) {
	it := &attest.ChecklistItem{}
	var by, ev sql.NullInt64
	if err := row.Scan(&it.ID, &it.Kind, &it.Title, &it.DoneOn, &by, &it.Note, &ev); err != nil {
		return nil, err
	}
	it.DoneByID, it.EvidenceID = by.Int64, ev.Int64
	return it, nil
}

// FindChecklists returns a person's checklists, onboarding first.
func (s *DB) FindChecklists(ctx context.Context, orgID, personID int64) ([]*attest.Checklist, error) {
	return s.checklists(ctx, s.db, orgID, `c.person_id = ?`, personID)
}

// FindChecklist returns one checklist with its items.
func (s *DB) FindChecklist(ctx context.Context, orgID, id int64) (*attest.Checklist, error) {
	return s.findChecklist(ctx, s.db, orgID, id)
}

func (s *DB) findChecklist(ctx context.Context, x queryer, orgID, id int64) (*attest.Checklist, error) {
	cs, err := s.checklists(ctx, x, orgID, `c.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, attest.Errorf(attest.ENOTFOUND, "no checklist %d", id)
	}
	return cs[0], nil
}

// checklists reads the checklists matching cond with their items.
func (s *DB) checklists(ctx context.Context, x queryer, orgID int64, cond string, args ...any) ([]*attest.Checklist, error) {
	cs, err := queryAll(ctx, x, "find checklists", scanChecklist,
		s.q(`SELECT `+checklistColumns+` FROM checklists c JOIN roster_people p ON p.id = c.person_id WHERE c.org_id = ? AND `+cond+` ORDER BY c.kind DESC, c.id`), append([]any{orgID}, args...)...)
	if err != nil || len(cs) == 0 {
		return cs, err
	}
	dir, err := s.people(ctx, x, orgID)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Items, err = queryAll(ctx, x, "find checklist items", scanChecklistItem,
			s.q(`SELECT id, kind, title, done_on, done_by_user_id, note, evidence_id FROM checklist_items WHERE org_id = ? AND checklist_id = ? ORDER BY position, id`), orgID, c.ID); err != nil {
			return nil, err
		}
		for _, it := range c.Items {
			it.DoneBy = dir.Get(it.DoneByID)
		}
	}
	return cs, nil
}

// UpdateChecklistItem records an item done on a day by a member, with an
// optional note and evidence item, or reopens it (DoneOn "").
func (s *DB) UpdateChecklistItem(ctx context.Context, orgID, checklistID, itemID, byUser int64, u attest.ItemUpdate) (*attest.Checklist, error) {
	if !u.DoneOn.Valid() {
		return nil, attest.FieldErrorf("done_on", "%q is not a date (YYYY-MM-DD)", u.DoneOn)
	}
	if u.DoneOn != "" && s.today().Before(u.DoneOn) {
		return nil, attest.FieldErrorf("done_on", "%s is in the future", u.DoneOn)
	}
	if len(u.Note) > 2000 {
		return nil, attest.FieldErrorf("note", "a note is at most 2,000 characters")
	}
	var c *attest.Checklist
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findChecklist(ctx, tx, orgID, checklistID)
		if err != nil {
			return err
		}
		var item *attest.ChecklistItem
		for _, it := range before.Items {
			if it.ID == itemID {
				item = it
			}
		}
		if item == nil {
			return attest.Errorf(attest.ENOTFOUND, "no item %d in checklist %d", itemID, checklistID)
		}
		if u.EvidenceID != 0 {
			if _, err := s.FindEvidenceByID(ctx, orgID, u.EvidenceID); err != nil {
				return attest.FieldErrorf("evidence_id", "unknown evidence item %d", u.EvidenceID)
			}
		}
		by := byUser
		if u.DoneOn == "" {
			by = 0
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE checklist_items SET done_on = ?, done_by_user_id = ?, note = ?, evidence_id = ? WHERE org_id = ? AND id = ?`),
			u.DoneOn, nullInt(by), u.Note, nullInt(u.EvidenceID), orgID, itemID); err != nil {
			return fmt.Errorf("update checklist item: %w", err)
		}
		after := *item
		after.DoneOn, after.DoneByID, after.Note, after.EvidenceID = u.DoneOn, by, u.Note, u.EvidenceID
		if err := s.appendAudit(ctx, tx, orgID, "checklist.item", "checklist", strconv.FormatInt(checklistID, 10), item, &after); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM checklist_items WHERE org_id = ? AND checklist_id = ? AND done_on = ''`), orgID, checklistID).Scan(&open); err != nil {
			return err
		}
		var done *sql.NullTime
		if open == 0 {
			done = &sql.NullTime{Time: s.now(), Valid: true}
		} else {
			done = &sql.NullTime{}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE checklists SET completed_at = ? WHERE org_id = ? AND id = ?`), *done, orgID, checklistID); err != nil {
			return err
		}
		if c, err = s.findChecklist(ctx, tx, orgID, checklistID); err != nil {
			return err
		}
		if open == 0 && before.CompletedAt == nil {
			return s.checklistEvidence(ctx, tx, orgID, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// lateOffboardings lists the offboarding checklists whose account items
// were not revoked by the deadline (open past it, or done after it).
func (s *DB) lateOffboardings(ctx context.Context, orgID int64, today attest.Date) ([]*attest.Checklist, error) {
	cs, err := s.checklists(ctx, s.db, orgID, `c.kind = ? AND c.due_date < ? AND EXISTS (SELECT 1 FROM checklist_items i WHERE i.checklist_id = c.id AND i.kind = ? AND (i.done_on = '' OR i.done_on > c.due_date))`,
		attest.Offboarding, today, attest.ItemAccount)
	return cs, err
}

// checklistEvidence stores a completed checklist as evidence of its
// template's control: each item with the day it was done, by whom, and
// for offboarding whether it met the deadline. A checklist reopened and
// completed again replaces its earlier statement.
func (s *DB) checklistEvidence(ctx context.Context, tx *sql.Tx, orgID int64, c *attest.Checklist) error {
	t, err := s.findTemplate(ctx, tx, orgID, c.Kind)
	if err != nil || t.ControlID == "" {
		return err
	}
	var first, last attest.Date
	var b strings.Builder
	kind := "Onboarding"
	if c.Kind == attest.Offboarding {
		kind = "Offboarding"
	}
	fmt.Fprintf(&b, "%s checklist of %s (checklist %d), due %s, completed with every item done.", kind, c.Person, c.ID, c.DueDate)
	if late := c.Late(s.today()); len(late) > 0 {
		fmt.Fprintf(&b, " %d items were done after the due date.", len(late))
	}
	b.WriteString("\n\n")
	for _, it := range c.Items {
		if first.IsZero() || it.DoneOn.Before(first) {
			first = it.DoneOn
		}
		if last.Before(it.DoneOn) {
			last = it.DoneOn
		}
		fmt.Fprintf(&b, "- %s (%s): done %s by %s", it.Title, it.Kind, it.DoneOn, firstOf(it.DoneBy.Display(), "an unrecorded member"))
		if it.Note != "" {
			fmt.Fprintf(&b, ": %s", it.Note)
		}
		if it.EvidenceID != 0 {
			fmt.Fprintf(&b, " (evidence %d)", it.EvidenceID)
		}
		b.WriteString("\n")
	}
	population := "hires"
	if c.Kind == attest.Offboarding {
		population = "leavers"
	}
	id, err := s.recordEvidence(ctx, tx, orgID, recordItem{table: "checklists", id: c.ID, controlID: t.ControlID, population: population, prev: c.EvidenceID,
		title: kind + " checklist completed: " + c.Person, statement: b.String(), source: "record:checklist", from: first, to: last})
	if id != 0 {
		c.EvidenceID = id
	}
	return err
}
