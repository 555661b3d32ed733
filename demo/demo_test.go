package demo

import (
	"context"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/store"
)

func TestLoad(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL}, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			today := time.Now().UTC()
			res, err := Load(ctx, db, today)
			if err != nil {
				t.Fatal(err)
			}
			e := res.Engagement
			if e.WindowStart <= attest.DateOf(today) || len(e.Categories) != 5 || len(e.Systems) == 0 {
				t.Errorf("demo engagement: window %s–%s, %d categories, %d systems", e.WindowStart, e.WindowEnd, len(e.Categories), len(e.Systems))
			}
			r, err := db.Readiness(ctx, res.Organization.ID, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Score <= 10 || r.Score >= 90 || r.Ready == 0 || r.Partial == 0 || r.Gap == 0 {
				t.Errorf("demo readiness %.1f%% (%d ready, %d partial, %d gap): want a program halfway", r.Score, r.Ready, r.Partial, r.Gap)
			}
			kinds := map[string]int{}
			for _, g := range r.Gaps {
				kinds[g.Kind]++
			}
			if kinds["overdue_task"] == 0 || kinds["unowned_control"] == 0 {
				t.Errorf("demo gaps %v: want overdue tasks and unowned controls to show", kinds)
			}
			snaps, err := db.FindSnapshots(ctx, res.Organization.ID, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(snaps) != 121 || snaps[len(snaps)-1].Score != r.Score {
				t.Fatalf("%d snapshots ending at %v, want 121 ending at today's %v", len(snaps), snaps[len(snaps)-1].Score, r.Score)
			}
			for i := 1; i < len(snaps); i++ {
				if snaps[i].Score < snaps[i-1].Score {
					t.Errorf("the demo trend drops on %s", snaps[i].Date)
				}
			}
		})
	}
}
