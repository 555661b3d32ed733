package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestDashboardReadsDerivedFigures: under a job queue (a scheduler that
// only records requests here), a write leaves the dashboard on the stored
// figures, saying they are being updated, without computing them; after
// the recomputation the page shows the new figures.
func TestDashboardReadsDerivedFigures(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		requests := 0
		u.db.SetScheduler(func(context.Context, int64) (bool, error) { requests++; return false, nil }, time.Hour, nil)
		b := u.signIn(t, uManager)
		score := func() (string, bool) {
			p := b.get(t, "/")
			wantStatus(t, "dashboard", p, http.StatusOK, "")
			d := p.doc(t)
			return d.Find("#overall-score .big").Text(), d.Find("#figures-stale").Length() == 1
		}
		before, stale := score()
		if stale {
			t.Fatal("fresh figures are marked as being updated")
		}
		n := u.db.Refreshes()
		controls, err := u.db.FindControls(ctx, u.orgA, attest.ControlFilter{Criterion: "CC1.1"})
		if err != nil {
			t.Fatal(err)
		}
		done := attest.Implemented
		for _, c := range controls {
			if _, err := u.db.UpdateControl(ctx, u.orgA, c.ID, attest.ControlUpdate{Status: &done}); err != nil {
				t.Fatal(err)
			}
		}
		during, stale := score()
		if !stale || during != before || u.db.Refreshes() != n {
			t.Fatalf("after a write: score %q (was %q), marked stale %v, %d computations (was %d); want the stored score, marked, none computed",
				during, before, stale, u.db.Refreshes(), n)
		}
		u.db.FlushRequests()
		if requests != 1 {
			t.Fatalf("%d recomputations requested, want 1", requests)
		}
		if err := u.db.Refresh(ctx, u.orgA); err != nil {
			t.Fatal(err)
		}
		after, stale := score()
		if stale || after == before {
			t.Errorf("after the recomputation: score %q (was %q), stale %v", after, before, stale)
		}
	})
}
