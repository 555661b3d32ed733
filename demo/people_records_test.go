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

// TestLoadPeopleRecords: the demo shows every register with something in it — a
// realistic roster with a late offboarding, overdue training, a finished
// and a running access review, changes with one self-approved, and
// internal tests with a deficiency followed up — and readiness counts the
// register's gaps.
func TestLoadPeopleRecords(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			templates, err := catalog.PolicyTemplates()
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL, PolicyTemplates: templates}, catalog.MustSOC2())
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
			people, _, err := db.FindRosterPage(ctx, org, attest.RosterFilter{}, all)
			if err != nil || len(people) < 12 {
				t.Fatalf("roster of %d people, %v", len(people), err)
			}
			members := 0
			for _, p := range people {
				if p.UserID != 0 {
					members++
				}
			}
			if members < 9 || members == len(people) {
				t.Errorf("%d of %d people are members: want both members and people who never sign in", members, len(people))
			}
			reviews, _, _ := db.FindAccessReviewPage(ctx, org, attest.AccessReviewFilter{}, all)
			statuses := map[string]int{}
			for _, r := range reviews {
				statuses[r.Status]++
				if r.Status == attest.ReviewSignedOff && r.EvidenceID == 0 {
					t.Errorf("the signed-off review of %s is evidence of nothing", r.System)
				}
			}
			if statuses[attest.ReviewOpen] != 2 || statuses[attest.ReviewSignedOff] != 1 {
				t.Errorf("reviews by status %v: want two running (one from the okta integration) and one finished", statuses)
			}
			if sc, err := db.FindAccessReviewSchedules(ctx, org); err != nil || len(sc) != 1 || sc[0].Integration != "okta" {
				t.Errorf("review schedules %+v, %v: want Okta's from the okta integration", sc, err)
			}
			// Records that became evidence at their event.
			items, err := db.FindEvidence(ctx, org, "")
			if err != nil {
				t.Fatal(err)
			}
			sources := map[string]int{}
			for _, it := range items {
				sources[it.Source]++
			}
			for _, src := range []string{"record:change", "record:control_test", "record:checklist", "record:training"} {
				if sources[src] == 0 {
					t.Errorf("no evidence from %s: %v", src, sources)
				}
			}
			// A per-event need backed by a population with events.
			reqs, err := db.Requests(ctx, org, res.Engagement.ID)
			if err != nil {
				t.Fatal(err)
			}
			backed := 0
			for _, r := range reqs {
				if r.PopulationKind == "" || !r.Population {
					continue
				}
				if n, err := db.CountPopulation(ctx, org, r.PopulationKind, r.Slots[0].Start, min(r.Slots[0].End, attest.DateOf(time.Now().UTC()))); err == nil && n > 0 {
					backed++
				}
			}
			if backed == 0 {
				t.Error("no per-event request of the demo has a population with events")
			}
			if _, n, _ := db.FindChangePage(ctx, org, attest.ChangeFilter{Unapproved: true}, all); n != 1 {
				t.Errorf("%d unapproved changes, want the one self-merged", n)
			}
			tests, _, _ := db.FindControlTestPage(ctx, org, attest.ControlTestFilter{Result: attest.ResultDeficiency}, all)
			if len(tests) != 1 || tests[0].FollowUpTaskID == 0 {
				t.Errorf("deficiencies %+v: want one with a follow-up task", tests)
			}
			r, err := db.Readiness(ctx, org, res.Engagement.ID)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			for _, g := range r.Gaps {
				kinds[g.Kind]++
			}
			for _, k := range []string{store.GapLateOffboarding, store.GapOverdueTraining, store.GapUnapprovedChange} {
				if kinds[k] == 0 {
					t.Errorf("the demo's readiness has no %s gap: %v", k, kinds)
				}
			}
		})
	}
}
