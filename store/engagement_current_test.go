package store

import (
	"context"
	"testing"

	"github.com/attest-dev/attest"
)

// TestCurrentEngagement: the first engagement becomes current, a second
// one does not take over unless asked, switching and archiving move the
// choice explicitly, and every step is audited.
func TestCurrentEngagement(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org, other := newOrg(t, db, "Acme"), newOrg(t, db, "Other")
		if _, err := db.CurrentEngagement(ctx, org); attest.ErrorCode(err) != attest.ENOTFOUND {
			t.Fatalf("no engagement yet: err %v, want not found", err)
		}
		mk := func(org int64, name string, current bool) *attest.Engagement {
			t.Helper()
			e := &attest.Engagement{Name: name, ReportType: attest.TypeI, AsOfDate: "2026-06-30", Current: current}
			if err := db.CreateEngagement(ctx, org, e); err != nil {
				t.Fatal(err)
			}
			return e
		}
		wantCurrent := func(step string, id int64) {
			t.Helper()
			cur, err := db.CurrentEngagement(ctx, org)
			switch {
			case id == 0 && attest.ErrorCode(err) != attest.ENOTFOUND:
				t.Fatalf("%s: current %v (%v), want none", step, cur, err)
			case id != 0 && (err != nil || cur.ID != id || !cur.Current):
				t.Fatalf("%s: current %v (%v), want engagement %d", step, cur, err, id)
			case id != 0:
				es, err := db.FindEngagements(ctx, org)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range es {
					if e.Current != (e.ID == id) {
						t.Fatalf("%s: FindEngagements marks %d current=%v", step, e.ID, e.Current)
					}
				}
			}
		}
		first := mk(org, "First", false)
		if !first.Current {
			t.Error("the first engagement was not made current")
		}
		wantCurrent("first", first.ID)
		second := mk(org, "Second", false)
		if second.Current {
			t.Error("a second engagement claims to be current")
		}
		wantCurrent("a second engagement", first.ID)
		mk(other, "Elsewhere", false)
		wantCurrent("another organization's engagement", first.ID)
		third := mk(org, "Third", true)
		wantCurrent("a third made current on creation", third.ID)

		yes, no := true, false
		update := func(id int64, u attest.EngagementUpdate) (*attest.Engagement, error) {
			return db.UpdateEngagement(ctx, org, id, u)
		}
		if _, err := update(second.ID, attest.EngagementUpdate{Current: &yes}); err != nil {
			t.Fatal(err)
		}
		wantCurrent("switched to the second", second.ID)
		if _, err := update(second.ID, attest.EngagementUpdate{Current: &no}); attest.ErrorField(err) != "current" {
			t.Errorf("current=false: err %v, want a refusal about current", err)
		}
		// Archiving the current one hands over to the newest left.
		got, err := update(second.ID, attest.EngagementUpdate{Archived: &yes})
		if err != nil || !got.Archived() || got.Current {
			t.Fatalf("archive: %+v, %v", got, err)
		}
		wantCurrent("archived the current", third.ID)
		if _, err := update(second.ID, attest.EngagementUpdate{Current: &yes}); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("an archived engagement made current: err %v", err)
		}
		if _, err := update(third.ID, attest.EngagementUpdate{Archived: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := update(first.ID, attest.EngagementUpdate{Archived: &yes}); err != nil {
			t.Fatal(err)
		}
		wantCurrent("all archived", 0)
		// Archived engagements stay readable.
		if e, err := db.FindEngagementByID(ctx, org, first.ID); err != nil || !e.Archived() {
			t.Fatalf("archived engagement: %+v, %v", e, err)
		}
		// Restoring one when none is current makes it current.
		if _, err := update(first.ID, attest.EngagementUpdate{Archived: &no}); err != nil {
			t.Fatal(err)
		}
		wantCurrent("restored", first.ID)
		if _, err := update(third.ID, attest.EngagementUpdate{Archived: &no}); err != nil {
			t.Fatal(err)
		}
		wantCurrent("restored a second one", first.ID)

		entries, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Action: "engagement.update", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 6 {
			t.Errorf("%d engagement.update entries, want one per change (6)", len(entries))
		}
	})
}
