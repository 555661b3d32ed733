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

// TestLoadRecords: the demo's registers are full — risks with treatments
// and an approved acceptance, vendors with reports and reviews, the
// inventory scoped into the next engagement, incidents from report to
// sign-off, a risk assessment and an exercise — and readiness shows the
// registers' gaps the demo means to show.
func TestLoadRecords(t *testing.T) {
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
	all := attest.Page{Limit: attest.MaxPageSize}
	risks, nr, err := db.FindRisks(ctx, org, attest.RegisterFilter{}, all)
	if err != nil || nr < 10 {
		t.Fatalf("%d risks, %v", nr, err)
	}
	accepted := 0
	for _, r := range risks {
		if r.Status == attest.RiskAccepted && r.AcceptedAt != nil {
			accepted++
		}
	}
	_, nv, _ := db.FindVendors(ctx, org, attest.RegisterFilter{}, all)
	assets, na, _ := db.FindAssets(ctx, org, attest.RegisterFilter{}, all)
	incidents, ni, _ := db.FindIncidents(ctx, org, attest.RegisterFilter{}, all)
	scoped, signed := 0, 0
	for _, a := range assets {
		scoped += len(a.Engagements)
	}
	for _, in := range incidents {
		if in.SignedOffAt != nil {
			signed++
		}
	}
	if accepted != 1 || nv < 6 || na < 6 || scoped == 0 || ni < 3 || signed != 1 {
		t.Errorf("accepted %d, vendors %d, assets %d (%d scoped), incidents %d (%d signed off)", accepted, nv, na, scoped, ni, signed)
	}
	for _, kind := range []string{attest.EventRiskAssessment, attest.EventTabletop, attest.EventVendorReview} {
		if ev, err := db.FindRecordEvents(ctx, org, kind, 0); err != nil || len(ev) == 0 {
			t.Errorf("no %s in the demo: %v", kind, err)
		}
	}
	rd, err := db.Readiness(ctx, org, res.Engagement.ID)
	if err != nil {
		t.Fatal(err)
	}
	gaps := map[string]int{}
	for _, g := range rd.Gaps {
		gaps[g.Kind]++
	}
	if gaps["risk"] == 0 || gaps["vendor"] != 1 || gaps["incident"] != 1 || gaps["risk_assessment"] != 0 {
		t.Errorf("demo register gaps = %v", gaps)
	}
}
