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

// TestDemoMonitoring: the demo's monitoring pages are not empty: its
// integrations have run daily with one failed run kept, the built-in
// checks have results with history, some fail, and one failure is
// excepted by someone other than its requester.
func TestDemoMonitoring(t *testing.T) {
	tg := testdb.Targets(t)[0] // the SQLite target: TestLoad covers both databases
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: tg.DataDir}, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	res, err := Load(ctx, db, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo loaded in %s", time.Since(start))
	org := res.Organization.ID
	ins, err := db.FindIntegrations(ctx, org)
	if err != nil || len(ins) != len(demoIntegrations) {
		t.Fatalf("%d integrations, %v", len(ins), err)
	}
	failedRuns := 0
	for _, in := range ins {
		runs, err := db.FindRuns(ctx, org, in.ID, 100)
		if err != nil || len(runs) != monitoringDays+1 {
			t.Errorf("%s: %d runs, %v", in.Name, len(runs), err)
		}
		for _, r := range runs {
			if r.Status == attest.RunFailed {
				failedRuns++
			}
		}
	}
	if failedRuns != 1 {
		t.Errorf("%d failed runs, want the one recorded", failedRuns)
	}
	checks, total, err := db.FindChecks(ctx, org, attest.CheckFilter{Limit: 1000})
	if err != nil || total < 30 {
		t.Fatalf("%d checks with results, %v", total, err)
	}
	failing, changed := 0, 0
	for _, c := range checks {
		if c.Fail > 0 {
			failing++
		}
		_, all, _ := db.FindResults(ctx, org, attest.ResultFilter{CheckID: c.ID})
		_, open, _ := db.FindResults(ctx, org, attest.ResultFilter{CheckID: c.ID, OpenOnly: true})
		if all > open {
			changed++
		}
	}
	if failing == 0 || changed == 0 {
		t.Errorf("%d failing checks, %d with history", failing, changed)
	}
	// The checks prove the automated evidence needs of the running
	// quarter: some slots are covered by checks, and deviations show.
	reqs, err := db.Requests(ctx, org, res.Engagement.ID)
	if err != nil {
		t.Fatal(err)
	}
	proved, deviations := 0, 0
	for _, r := range reqs {
		for _, sl := range r.Slots {
			switch {
			case sl.State == attest.SlotDeviation:
				deviations++
			case sl.State == attest.SlotProvided && len(sl.Checks) > 0:
				proved++
			}
		}
	}
	if proved == 0 || deviations == 0 {
		t.Errorf("%d slots proved by checks, %d deviations; want both in the demo", proved, deviations)
	}
	t.Logf("%d automated slots proved by checks, %d deviations", proved, deviations)
	es, err := db.FindExceptions(ctx, org, "")
	if err != nil || len(es) != 1 || es[0].RequesterID == es[0].ApproverID {
		t.Errorf("exceptions %+v, %v", es, err)
	}
}
