package store

import (
	"context"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestRecordGaps: the derived readiness counts a late offboarding, overdue
// training, an unsigned review and an unapproved change as gaps, and stops
// counting each once it is dealt with.
func TestRecordGaps(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org)
		ana, bob := member(t, db, org, "Ana"), member(t, db, org, "Bob")
		clock(db, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
		leaver := &attest.RosterPerson{Email: "leo@x.example", Name: "Leo", StartDate: "2025-01-01", EndDate: "2026-03-01"}
		if err := db.CreateRosterPerson(ctx, org, leaver); err != nil {
			t.Fatal(err)
		}
		camp := &attest.TrainingCampaign{Title: "Awareness", DueDate: "2026-03-15"}
		if err := db.CreateTrainingCampaign(ctx, org, camp); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AssignTraining(ctx, org, camp.ID, []int64{leaver.ID}); err != nil {
			t.Fatal(err)
		}
		rev := &attest.AccessReview{System: "AWS", PeriodStart: "2026-01-01", PeriodEnd: "2026-02-28", DueDate: "2026-03-10"}
		if err := db.CreateAccessReview(ctx, org, rev, nil); err != nil {
			t.Fatal(err)
		}
		ch := &attest.ChangeRecord{Title: "Hotfix", RequesterID: ana, ImplementedOn: "2026-02-27"}
		if err := db.CreateChange(ctx, org, ch); err != nil {
			t.Fatal(err)
		}
		clock(db, time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
		kinds := func() map[string]int {
			t.Helper()
			r, err := db.Readiness(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for _, g := range r.Gaps {
				out[g.Kind]++
			}
			return out
		}
		got := kinds()
		for _, k := range []string{GapLateOffboarding, GapOverdueTraining, GapUnsignedReview, GapUnapprovedChange} {
			if got[k] != 1 {
				t.Errorf("gap %s counted %d times, want 1 (%v)", k, got[k], got)
			}
		}
		if _, err := db.ApproveChange(ctx, org, ch.ID, bob, "2026-02-27"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SignOffAccessReview(ctx, org, rev.ID, ana, nil); err != nil {
			t.Fatal(err)
		}
		got = kinds()
		if got[GapUnapprovedChange] != 0 || got[GapUnsignedReview] != 0 || got[GapLateOffboarding] != 1 {
			t.Errorf("gaps after approval and sign-off: %v", got)
		}
	})
}
