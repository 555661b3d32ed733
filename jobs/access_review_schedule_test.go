package jobs

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/riverqueue/river"
)

// TestAccessReviewScan: `attest serve` schedules the scan, and the scan
// opens a due review from the integration's accounts once, however often
// it runs.
func TestAccessReviewScan(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t, tg)
			db.Now = func() time.Time { return time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC) }
			o := &attest.Organization{Name: "Acme"}
			if err := db.CreateOrganization(ctx, o); err != nil {
				t.Fatal(err)
			}
			in := &attest.Integration{Kind: "github", Name: "github", Settings: map[string]string{}}
			if err := db.CreateIntegration(ctx, o.ID, in); err != nil {
				t.Fatal(err)
			}
			if err := db.ReplaceResources(ctx, o.ID, in.ID, 1, []collect.Resource{
				{Type: "github.member", ID: "1", Name: "ana", Attributes: map[string]any{"login": "ana", "role": "admin"}},
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.SaveAccessReviewSchedule(ctx, o.ID, &attest.AccessReviewSchedule{System: "GitHub", IntegrationID: in.ID}); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)
			w, periodic := Background(Deps{DB: db, Now: func() time.Time { return now }})
			found := false
			for _, p := range periodic {
				found = found || (p.Name == "access_review_schedule" && p.Args.Kind() == AccessReviewScanArgs{}.Kind())
			}
			if !found || w == nil {
				t.Fatalf("serve does not schedule the access review scan: %+v", periodic)
			}
			worker := &accessReviewScanWorker{d: Deps{DB: db, Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
			for range 2 {
				if err := worker.Work(ctx, &river.Job[AccessReviewScanArgs]{}); err != nil {
					t.Fatal(err)
				}
			}
			rs, n, err := db.FindAccessReviewPage(ctx, o.ID, attest.AccessReviewFilter{}, attest.Page{Limit: 10})
			if err != nil || n != 1 || rs[0].PeriodStart != "2026-01-01" || rs[0].PeriodEnd != "2026-03-31" || rs[0].Source != "github.member" {
				t.Errorf("reviews %+v (%d), %v", rs, n, err)
			}
		})
	}
}
