package store

import (
	"context"
	"fmt"

	"github.com/attest-dev/attest"
)

// DueRecord is a register record with a date that needs its owner soon.
type DueRecord struct {
	Kind    attest.RecordKind
	ID      int64
	Title   string
	OwnerID int64
	// What is due: "review", "assurance report", "acceptance review" or
	// "risk assessment".
	What string
	Due  attest.Date
}

// DueRecords returns the register dates on or before until that someone
// must act on: the next review and the report expiry of active vendors,
// the review date of accepted risks, and the next risk assessment (owned
// by the assessment owner of the settings). Reminders pick the ones due
// today from them.
func (s *DB) DueRecords(ctx context.Context, orgID int64, until attest.Date) ([]DueRecord, error) {
	scan := func(kind attest.RecordKind, what string) func(rowScanner) (DueRecord, error) {
		return func(r rowScanner) (DueRecord, error) {
			d := DueRecord{Kind: kind, What: what}
			var owner *int64
			err := r.Scan(&d.ID, &d.Title, &owner, &d.Due)
			if owner != nil {
				d.OwnerID = *owner
			}
			return d, err
		}
	}
	var out []DueRecord
	for _, q := range []struct {
		kind  attest.RecordKind
		what  string
		query string
	}{
		{attest.RecordVendor, "review", `SELECT id, name, owner_user_id, next_review FROM vendors WHERE org_id = ? AND status = 'active' AND next_review <> '' AND next_review <= ? ORDER BY next_review, id`},
		{attest.RecordVendor, "assurance report", `SELECT id, name, owner_user_id, report_expires FROM vendors WHERE org_id = ? AND status = 'active' AND report_expires <> '' AND report_expires <= ? ORDER BY report_expires, id`},
		{attest.RecordRisk, "acceptance review", `SELECT id, title, owner_user_id, acceptance_review FROM risks WHERE org_id = ? AND status = 'accepted' AND acceptance_review <> '' AND acceptance_review <= ? ORDER BY acceptance_review, id`},
	} {
		rows, err := queryAll(ctx, s.db, "find due records", scan(q.kind, q.what), s.q(q.query), orgID, until)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	due, err := s.RiskAssessmentDue(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !due.IsZero() && !until.Before(due) {
		st, err := s.FindRegisterSettings(ctx, orgID)
		if err != nil {
			return nil, err
		}
		out = append(out, DueRecord{What: "risk assessment", Title: "the periodic risk assessment", OwnerID: st.AssessmentOwnerID, Due: due})
	}
	return out, nil
}

// Line is the record as a reminder's line.
func (d DueRecord) Line() string {
	if d.Kind == "" {
		return fmt.Sprintf("%s is due %s", d.Title, d.Due)
	}
	return fmt.Sprintf("%s %s %q: %s due %s", d.Kind, fmt.Sprint(d.ID), d.Title, d.What, d.Due)
}
