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

const trainingColumns = `id, title, kind, material, due_date, control_id, created_at, evidence_id`

var trainingSelect = qualify("c", trainingColumns) + `,
	(SELECT COUNT(*) FROM training_assignments a WHERE a.campaign_id = c.id),
	(SELECT COUNT(*) FROM training_assignments a WHERE a.campaign_id = c.id AND a.completed_on <> '')`

func scanTraining(row rowScanner) (*attest.TrainingCampaign, error) {
	c := &attest.TrainingCampaign{}
	var ev sql.NullInt64
	err := row.Scan(&c.ID, &c.Title, &c.Kind, &c.Material, &c.DueDate, &c.ControlID, &c.CreatedAt, &ev, &c.Assigned, &c.Completed)
	c.EvidenceID = ev.Int64
	return c, err
}

var trainingOrder = map[string]string{"due_date": "c.due_date", "title": "LOWER(c.title)", "created_at": "c.created_at"}

// FindTrainingCampaign returns one campaign with its counts.
func (s *DB) FindTrainingCampaign(ctx context.Context, orgID, id int64) (*attest.TrainingCampaign, error) {
	c, err := scanTraining(s.db.QueryRowContext(ctx, s.q(`SELECT `+trainingSelect+` FROM training_campaigns c WHERE c.org_id = ? AND c.id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no training campaign %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find training campaign: %w", err)
	}
	return c, nil
}

// FindTrainingPage returns one page of campaigns and how many match.
func (s *DB) FindTrainingPage(ctx context.Context, orgID int64, f attest.TrainingFilter, p attest.Page) ([]*attest.TrainingCampaign, int, error) {
	where, args := `c.org_id = ?`, []any{orgID}
	where, args = searchClause(where, args, f.Search, "c.title")
	var err error
	where, args, err = s.scopeWhere(ctx, orgID, attest.ScopeTraining, "c", f.Scope, where, args)
	if err != nil {
		return nil, 0, err
	}
	if f.Kind != "" {
		where += ` AND c.kind = ?`
		args = append(args, f.Kind)
	}
	return listRegister(ctx, s, registerList{what: "training", table: "training_campaigns c", cols: trainingSelect, where: where, args: args, order: trainingOrder, def: "due_date"},
		p, attest.TrainingSorts, scanTraining)
}

// CreateTrainingCampaign stores a campaign.
func (s *DB) CreateTrainingCampaign(ctx context.Context, orgID int64, c *attest.TrainingCampaign) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c.CreatedAt = s.now()
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		if err := s.checkControlRef(ctx, tx, orgID, c.ControlID); err != nil {
			return err
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO training_campaigns (org_id, title, kind, material, due_date, control_id, created_at) VALUES (`+placeholders(7)+`)`,
			orgID, c.Title, c.Kind, c.Material, c.DueDate, c.ControlID, c.CreatedAt)
		if err != nil {
			return err
		}
		c.ID = id
		return s.appendAudit(ctx, tx, orgID, "training.create", "training", strconv.FormatInt(id, 10), nil, c)
	})
	if err != nil {
		return fmt.Errorf("create training campaign: %w", err)
	}
	return nil
}

// AssignTraining assigns roster people (every active one when ids is empty).
func (s *DB) AssignTraining(ctx context.Context, orgID, campaignID int64, ids []int64) (int, error) {
	if _, err := s.FindTrainingCampaign(ctx, orgID, campaignID); err != nil {
		return 0, err
	}
	added := 0
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		if len(ids) == 0 {
			var err error
			ids, err = queryAll(ctx, tx, "find active people", func(r rowScanner) (int64, error) {
				var id int64
				return id, r.Scan(&id)
			}, s.q(`SELECT id FROM roster_people WHERE org_id = ? AND (end_date = '' OR end_date >= ?) ORDER BY id`), orgID, s.today())
			if err != nil {
				return err
			}
		}
		for _, id := range ids {
			var n int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM roster_people WHERE org_id = ? AND id = ?`), orgID, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return attest.FieldErrorf("person", "person %d is not on the roster", id)
			}
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM training_assignments WHERE campaign_id = ? AND person_id = ?`), campaignID, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO training_assignments (org_id, campaign_id, person_id) VALUES (?, ?, ?)`), orgID, campaignID, id); err != nil {
				return fmt.Errorf("assign training: %w", err)
			}
			added++
		}
		if added == 0 {
			return nil
		}
		return s.appendAudit(ctx, tx, orgID, "training.assign", "training", strconv.FormatInt(campaignID, 10), nil, map[string]any{"people": ids})
	})
	return added, err
}

const assignmentSelect = `a.id, a.campaign_id, c.title, c.material, c.due_date, a.person_id, p.name, p.email, a.completed_on, a.method, a.evidence_id
	FROM training_assignments a JOIN training_campaigns c ON c.id = a.campaign_id JOIN roster_people p ON p.id = a.person_id`

func scanAssignment(row rowScanner) (*attest.TrainingAssignment, error) {
	a := &attest.TrainingAssignment{}
	var ev sql.NullInt64
	err := row.Scan(&a.ID, &a.CampaignID, &a.Campaign, &a.Material, &a.DueDate, &a.PersonID, &a.Person, &a.Email, &a.CompletedOn, &a.Method, &ev)
	a.EvidenceID = ev.Int64
	return a, err
}

// FindTrainingAssignments returns a campaign's assignments by person.
func (s *DB) FindTrainingAssignments(ctx context.Context, orgID, campaignID int64) ([]*attest.TrainingAssignment, error) {
	return queryAll(ctx, s.db, "find assignments", scanAssignment, s.q(`SELECT `+assignmentSelect+` WHERE a.org_id = ? AND a.campaign_id = ? ORDER BY LOWER(p.name), a.id`), orgID, campaignID)
}

// OverdueTraining lists the assignments not done after their due date.
func (s *DB) OverdueTraining(ctx context.Context, orgID int64, today attest.Date) ([]*attest.TrainingAssignment, error) {
	return queryAll(ctx, s.db, "find overdue training", scanAssignment, s.q(`SELECT `+assignmentSelect+` WHERE a.org_id = ? AND a.completed_on = '' AND c.due_date < ? ORDER BY c.due_date, LOWER(p.name), a.id`), orgID, today)
}

// CompleteTraining records an assignment done.
func (s *DB) CompleteTraining(ctx context.Context, orgID, id int64, day attest.Date, method string, evidenceID int64) (*attest.TrainingAssignment, error) {
	switch {
	case day.IsZero() || !day.Valid():
		return nil, attest.FieldErrorf("completed_on", "say the day the training was completed (YYYY-MM-DD)")
	case s.today().Before(day):
		return nil, attest.FieldErrorf("completed_on", "%s is in the future", day)
	case method == attest.CompletedCertificate && evidenceID == 0:
		return nil, attest.FieldErrorf("certificate", "a certificate completion needs the uploaded certificate")
	case method != attest.CompletedCertificate && method != attest.CompletedAcknowledged:
		return nil, attest.FieldErrorf("method", "completed by acknowledgement or certificate, not %q", method)
	}
	var out *attest.TrainingAssignment
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := scanAssignment(tx.QueryRowContext(ctx, s.q(`SELECT `+assignmentSelect+` WHERE a.org_id = ? AND a.id = ?`), orgID, id))
		if errors.Is(err, sql.ErrNoRows) {
			return attest.Errorf(attest.ENOTFOUND, "no training assignment %d", id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE training_assignments SET completed_on = ?, method = ?, evidence_id = ? WHERE org_id = ? AND id = ?`), day, method, nullInt(evidenceID), orgID, id); err != nil {
			return fmt.Errorf("complete training: %w", err)
		}
		after := *before
		after.CompletedOn, after.Method, after.EvidenceID = day, method, evidenceID
		out = &after
		if err := s.appendAudit(ctx, tx, orgID, "training.complete", "training", strconv.FormatInt(before.CampaignID, 10), before, out); err != nil {
			return err
		}
		if before.CompletedOn.IsZero() {
			return s.campaignEvidence(ctx, tx, orgID, before.CampaignID)
		}
		return nil
	})
	return out, err
}

// campaignEvidence stores a campaign attached to a control as evidence of
// it when its last open assignment is completed: who completed it, when
// and how. A campaign completed again after new assignments replaces its
// earlier statement.
func (s *DB) campaignEvidence(ctx context.Context, tx *sql.Tx, orgID, campaignID int64) error {
	c, err := scanTraining(tx.QueryRowContext(ctx, s.q(`SELECT `+trainingSelect+` FROM training_campaigns c WHERE c.org_id = ? AND c.id = ?`), orgID, campaignID))
	if err != nil {
		return fmt.Errorf("find training campaign: %w", err)
	}
	if c.ControlID == "" || c.Assigned == 0 || c.Completed < c.Assigned {
		return nil
	}
	as, err := queryAll(ctx, tx, "find training", scanAssignment, s.q(`SELECT `+assignmentSelect+` WHERE a.org_id = ? AND a.campaign_id = ? ORDER BY a.completed_on, LOWER(p.name), a.id`), orgID, campaignID)
	if err != nil {
		return err
	}
	var b strings.Builder
	first, last := as[0].CompletedOn, as[len(as)-1].CompletedOn
	fmt.Fprintf(&b, "Training campaign %q (%s, campaign %d), due %s: all %d people assigned completed it, from %s to %s.\n\n", c.Title, c.Kind, c.ID, c.DueDate, len(as), first, last)
	for _, a := range as {
		late := ""
		if c.DueDate.Before(a.CompletedOn) {
			late = ", after the due date"
		}
		fmt.Fprintf(&b, "- %s <%s>: %s by %s%s\n", a.Person, a.Email, a.CompletedOn, a.Method, late)
	}
	_, err = s.recordEvidence(ctx, tx, orgID, recordItem{table: "training_campaigns", id: c.ID, controlID: c.ControlID, prev: c.EvidenceID,
		title: "Training completed: " + c.Title, statement: b.String(), source: "record:training", from: first, to: last})
	return err
}

// FindTrainingOf returns the assignments of the roster person with the
// email (a member's own training), soonest due first.
func (s *DB) FindTrainingOf(ctx context.Context, orgID int64, email string) ([]*attest.TrainingAssignment, error) {
	return queryAll(ctx, s.db, "find training", scanAssignment, s.q(`SELECT `+assignmentSelect+` WHERE a.org_id = ? AND p.email = ? ORDER BY a.completed_on, c.due_date, a.id`), orgID, strings.ToLower(email))
}
