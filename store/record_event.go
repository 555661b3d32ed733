package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/attest-dev/attest"
)

const recordEventColumns = `id, kind, record_id, occurred_at, participants, items, summary, findings, next_due, recorded_by, created_at`

func scanRecordEvent(r rowScanner) (*attest.RecordEvent, error) {
	e := &attest.RecordEvent{}
	var participants, items string
	if err := r.Scan(&e.ID, &e.Kind, &e.RecordID, &e.OccurredAt, &participants, &items, &e.Summary, &e.Findings, &e.NextDue, &e.RecordedBy, &e.CreatedAt); err != nil {
		return nil, err
	}
	if err := fromJSON(participants, &e.Participants); err != nil {
		return nil, err
	}
	return e, fromJSON(items, &e.Items)
}

// AddRecordEvent stores a risk assessment, tabletop exercise, vendor
// review or incident timeline entry. Participants must be members; the
// risks an assessment reviewed are marked reviewed on its day, and a
// vendor review moves the vendor's review dates.
func (s *DB) AddRecordEvent(ctx context.Context, orgID int64, e *attest.RecordEvent) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.OccurredAt = e.OccurredAt.UTC()
	e.CreatedAt, e.RecordedBy = s.now(), attest.ActorFrom(ctx)
	if e.Participants == nil {
		e.Participants = []int64{}
	}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		e.People = nil
		for _, id := range e.Participants {
			p, err := s.person(ctx, tx, orgID, id)
			if err != nil {
				return err
			}
			if p == nil {
				return attest.FieldErrorf("participants", "user %d is not a member of the organization", id)
			}
			e.People = append(e.People, p)
		}
		day := attest.DateOf(e.OccurredAt)
		switch e.Kind {
		case attest.EventRiskAssessment:
			for _, id := range e.Items {
				res, err := tx.ExecContext(ctx, s.q(`UPDATE risks SET reviewed_on = ? WHERE org_id = ? AND id = ? AND reviewed_on < ?`), day, orgID, id, day)
				if err != nil {
					return fmt.Errorf("mark risk reviewed: %w", err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					var k int
					if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM risks WHERE org_id = ? AND id = ?`), orgID, id).Scan(&k); err != nil {
						return err
					}
					if k == 0 {
						return attest.FieldErrorf("items", "unknown risk %d", id)
					}
				}
			}
			if e.NextDue.IsZero() {
				st, err := s.registerSettings(ctx, tx, orgID)
				if err != nil {
					return err
				}
				e.NextDue = day.AddMonths(st.AssessmentMonths)
			}
		case attest.EventVendorReview:
			v, err := s.findVendor(ctx, tx, orgID, e.RecordID)
			if err != nil {
				return err
			}
			if e.NextDue.IsZero() {
				e.NextDue = day.AddMonths(attest.ReviewMonths(v.Tier))
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE vendors SET last_review = ?, next_review = ?, updated_at = ? WHERE org_id = ? AND id = ?`), day, e.NextDue, s.now(), orgID, v.ID); err != nil {
				return fmt.Errorf("record vendor review: %w", err)
			}
		case attest.EventTimeline:
			if _, _, err := s.recordTitle(ctx, tx, orgID, attest.RecordIncident, e.RecordID); err != nil {
				return err
			}
		case attest.EventTabletop:
			e.RecordID = 0
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO record_events (org_id, kind, record_id, occurred_at, participants, items, summary, findings, next_due, recorded_by, created_at) VALUES (`+placeholders(11)+`)`,
			orgID, e.Kind, e.RecordID, e.OccurredAt, jsonText(e.Participants), jsonText(e.Items), e.Summary, e.Findings, e.NextDue, e.RecordedBy, e.CreatedAt)
		if err != nil {
			return err
		}
		e.ID = id
		// A vendor's review and an incident's timeline entry go into that
		// record's history; assessments and exercises have their own.
		action, entity, entityID := e.Kind+".create", e.Kind, id
		switch e.Kind {
		case attest.EventVendorReview:
			action, entity, entityID = "vendor.review", string(attest.RecordVendor), e.RecordID
		case attest.EventTimeline:
			action, entity, entityID = "incident.timeline", string(attest.RecordIncident), e.RecordID
		}
		return s.appendAudit(ctx, tx, orgID, action, entity, strconv.FormatInt(entityID, 10), nil, e)
	})
	if err != nil {
		return fmt.Errorf("record %s: %w", e.Kind, err)
	}
	return nil
}

// FindRecordEvents returns the events of a kind, of one record (or all
// when recordID is 0), newest first, with their participants.
func (s *DB) FindRecordEvents(ctx context.Context, orgID int64, kind string, recordID int64) ([]*attest.RecordEvent, error) {
	return s.FindScopedRecordEvents(ctx, orgID, kind, recordID, attest.RecordScope{})
}

// FindScopedRecordEvents is FindRecordEvents for a principal limited by
// sc: an auditor sees the risk assessments and tabletop exercises held in
// a granted engagement's window; the events of one record (a vendor's
// reviews, an incident's timeline) follow the record, whose page checks it.
func (s *DB) FindScopedRecordEvents(ctx context.Context, orgID int64, kind string, recordID int64, sc attest.RecordScope) ([]*attest.RecordEvent, error) {
	query := `SELECT ` + recordEventColumns + ` FROM record_events a WHERE org_id = ? AND kind = ?`
	args := []any{orgID, kind}
	if recordID != 0 {
		query += ` AND record_id = ?`
		args = append(args, recordID)
	}
	if kind == attest.ScopeRiskAssessment || kind == attest.ScopeTabletop {
		where, wargs, err := s.scopeWhere(ctx, orgID, kind, "a", sc, "", args)
		if err != nil {
			return nil, err
		}
		query, args = query+where, wargs
	}
	order := ` ORDER BY occurred_at DESC, id DESC`
	if kind == attest.EventTimeline {
		order = ` ORDER BY occurred_at, id`
	}
	events, err := queryAll(ctx, s.db, "find record events", scanRecordEvent, s.q(query+order), args...)
	if err != nil {
		return nil, err
	}
	err = s.fillPeople(ctx, orgID, len(events), func(i int) []int64 { return events[i].Participants }, func(i int, people attest.People) {
		for _, id := range events[i].Participants {
			if p := people.Get(id); p != nil {
				events[i].People = append(events[i].People, p)
			}
		}
	})
	return events, err
}

// LatestRecordEvent returns the newest event of a kind, or nil.
func (s *DB) LatestRecordEvent(ctx context.Context, orgID int64, kind string) (*attest.RecordEvent, error) {
	events, err := queryAll(ctx, s.db, "find record event", scanRecordEvent, s.q(`SELECT `+recordEventColumns+` FROM record_events WHERE org_id = ? AND kind = ? ORDER BY occurred_at DESC, id DESC LIMIT 1`), orgID, kind)
	if err != nil || len(events) == 0 {
		return nil, err
	}
	return events[0], nil
}
