package store

import (
	"context"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// TestReadinessCacheAcrossProcesses: two handles on one database stand for
// two attest processes; a change made through one is seen by the other's
// cached readiness at once.
func TestReadinessCacheAcrossProcesses(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			ctx := context.Background()
			cfg := o.open(t)
			a, err := Open(ctx, cfg, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b, err := Open(ctx, cfg, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			org := newOrg(t, a, "Acme")
			e := newEngagement(t, a, org)
			before, err := a.Readiness(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := a.Readiness(ctx, org, e.ID)
			if again != before {
				t.Error("an unchanged readiness was computed again instead of coming from the cache")
			}
			// Implement every control mapped to CC1.1 through the other handle.
			controls, err := b.FindControls(ctx, org, attest.ControlFilter{Criterion: "CC1.1"})
			if err != nil {
				t.Fatal(err)
			}
			done := attest.Implemented
			for _, c := range controls {
				if _, err := b.UpdateControl(ctx, org, c.ID, attest.ControlUpdate{Status: &done}); err != nil {
					t.Fatal(err)
				}
			}
			after, err := a.Readiness(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Score <= before.Score || after.Criteria[0].State != attest.Ready {
				t.Errorf("after another process's change: score %v (was %v), CC1.1 %s", after.Score, before.Score, after.Criteria[0].State)
			}
			// A new day recomputes (overdue tasks depend on the date).
			a.Now = func() time.Time { return time.Now().AddDate(0, 0, 1) }
			if next, _ := a.Readiness(ctx, org, e.ID); next == after {
				t.Error("the cache served yesterday's readiness on a new day")
			}
		})
	}
}

// TestReadinessAndScores: the dashboard's combined read agrees with the
// separate ones, and a new snapshot shows in the cached trend at once.
func TestReadinessAndScores(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org)
		r, scores, err := db.ReadinessAndScores(ctx, org, e)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := db.Readiness(ctx, org, e.ID)
		snaps, _ := db.FindSnapshots(ctx, org, e.ID)
		if r.Score != want.Score || len(scores) != len(snaps) || len(scores) == 0 || scores[len(scores)-1].Score != snaps[len(snaps)-1].Score {
			t.Fatalf("combined read: score %v (want %v), %d scores (want %d)", r.Score, want.Score, len(scores), len(snaps))
		}
		old := &attest.Snapshot{EngagementID: e.ID, Date: "2020-01-01", Score: 12.5, Categories: map[string]float64{}, TakenAt: time.Now()}
		if err := db.SaveSnapshot(ctx, org, old); err != nil {
			t.Fatal(err)
		}
		_, scores, err = db.ReadinessAndScores(ctx, org, e)
		if err != nil || len(scores) != len(snaps)+1 || scores[0].Score != 12.5 {
			t.Fatalf("after saving a snapshot: %d scores, first %v, %v", len(scores), scores[0].Score, err)
		}
	})
}
