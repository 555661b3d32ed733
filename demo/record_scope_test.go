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

// TestAuditorSeesRecords: the demo's auditor, granted the engagement,
// finds something in every register and record list, and not everything.
func TestAuditorSeesRecords(t *testing.T) {
	tg := testdb.Targets(t)[0]
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL}, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := Load(ctx, db, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	org := res.Organization.ID
	sc := attest.RecordScope{Scoped: true, Engagements: []int64{res.Engagement.ID}}
	all := attest.Page{Limit: attest.MaxPageSize}
	counts := map[string][2]int{}
	count := func(name string, f func(sc attest.RecordScope) (int, error)) {
		seen, err := f(sc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		total, err := f(attest.RecordScope{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		counts[name] = [2]int{seen, total}
	}
	count("risks", func(sc attest.RecordScope) (int, error) {
		_, n, err := db.FindRisks(ctx, org, attest.RegisterFilter{Scope: sc}, all)
		return n, err
	})
	count("vendors", func(sc attest.RecordScope) (int, error) {
		_, n, err := db.FindVendors(ctx, org, attest.RegisterFilter{Scope: sc}, all)
		return n, err
	})
	count("assets", func(sc attest.RecordScope) (int, error) {
		_, n, err := db.FindAssets(ctx, org, attest.RegisterFilter{Scope: sc}, all)
		return n, err
	})
	count("incidents", func(sc attest.RecordScope) (int, error) {
		_, n, err := db.FindIncidents(ctx, org, attest.RegisterFilter{Scope: sc}, all)
		return n, err
	})
	count("people", func(sc attest.RecordScope) (int, error) {
		_, n, err := db.FindRosterPage(ctx, org, attest.RosterFilter{Scope: sc}, all)
		return n, err
	})
	count("training", func(sc attest.RecordScope) (int, error) {
		_, n, err := db.FindTrainingPage(ctx, org, attest.TrainingFilter{Scope: sc}, all)
		return n, err
	})
	count("access reviews", func(sc attest.RecordScope) (int, error) {
		_, n, err := db.FindAccessReviewPage(ctx, org, attest.AccessReviewFilter{Scope: sc}, all)
		return n, err
	})
	count("changes", func(sc attest.RecordScope) (int, error) {
		_, n, err := db.FindChangePage(ctx, org, attest.ChangeFilter{Scope: sc}, all)
		return n, err
	})
	count("control tests", func(sc attest.RecordScope) (int, error) {
		_, n, err := db.FindControlTestPage(ctx, org, attest.ControlTestFilter{Scope: sc}, all)
		return n, err
	})
	for name, c := range counts {
		if c[0] == 0 {
			t.Errorf("the demo auditor sees no %s (of %d)", name, c[1])
		}
		t.Logf("%s: the auditor sees %d of %d", name, c[0], c[1])
	}
}
