package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestRecordScope: an auditor granted one of two engagements sees the
// time-bound records dated in its window and the standing records tied to
// its scope, in lists whose pages and counts are theirs, and nothing else.
func TestRecordScope(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "user:test")
		org := newOrg(t, db, "Acme")
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		// Granted: Type II over security, February to April 2026. Not
		// granted: a Type I over security and availability as of the end
		// of 2026 (its window: 2026).
		granted := &attest.Engagement{Name: "Spring", ReportType: attest.TypeII, WindowStart: "2026-02-01", WindowEnd: "2026-04-30", Categories: []string{"security"}}
		other := &attest.Engagement{Name: "Year", ReportType: attest.TypeI, AsOfDate: "2026-12-31", Categories: []string{"security", "availability"}}
		must(db.CreateEngagement(ctx, org, granted))
		must(db.CreateEngagement(ctx, org, other))
		auditor := attest.RecordScope{Scoped: true, Engagements: []int64{granted.ID}}

		// Incidents, newest first: forty after the window come before the
		// seven in it, so a page cut before filtering would be empty.
		var inWindow []int64
		for i := range 47 {
			at := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, i)
			if i >= 40 {
				at = time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, i-40)
			}
			in := &attest.Incident{Title: fmt.Sprintf("Incident %02d", i), Severity: "sev3", ReportedAt: at}
			must(db.CreateIncident(ctx, org, in))
			if i >= 40 {
				inWindow = append(inWindow, in.ID)
			}
		}
		edge := &attest.Incident{Title: "Last evening of the window", Severity: "sev4", ReportedAt: time.Date(2026, 4, 30, 23, 59, 0, 0, time.UTC)}
		after := &attest.Incident{Title: "First minute after", Severity: "sev4", ReportedAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
		must(db.CreateIncident(ctx, org, edge))
		must(db.CreateIncident(ctx, org, after))

		page, total, err := db.FindIncidents(ctx, org, attest.RegisterFilter{Scope: auditor}, attest.Page{Limit: 5})
		must(err)
		if total != 8 || len(page) != 5 || page[0].ID != edge.ID {
			t.Fatalf("auditor's first page of incidents: total %d, %d rows, first %v; want 8, 5, the window's last evening", total, len(page), titles(page))
		}
		page2, _, err := db.FindIncidents(ctx, org, attest.RegisterFilter{Scope: auditor}, attest.Page{Limit: 5, Offset: 5})
		must(err)
		if len(page2) != 3 {
			t.Errorf("auditor's second page: %d rows, want 3", len(page2))
		}
		if _, all, _ := db.FindIncidents(ctx, org, attest.RegisterFilter{}, attest.Page{Limit: 5}); all != 49 {
			t.Errorf("a manager sees %d incidents, want 49", all)
		}
		if _, n, _ := db.FindIncidents(ctx, org, attest.RegisterFilter{Scope: attest.RecordScope{Scoped: true}}, attest.Page{}); n != 0 {
			t.Errorf("an auditor granted nothing sees %d incidents", n)
		}
		both := attest.RecordScope{Scoped: true, Engagements: []int64{granted.ID, other.ID}}
		if _, n, _ := db.FindIncidents(ctx, org, attest.RegisterFilter{Scope: both}, attest.Page{}); n != 49 {
			t.Errorf("an auditor granted both sees %d incidents, want 49", n)
		}
		must(db.CheckRecordScope(ctx, org, "incident", inWindow[0], auditor))
		wantCode(t, db.CheckRecordScope(ctx, org, "incident", after.ID, auditor), attest.ENOTFOUND)
		must(db.CheckRecordScope(ctx, org, "incident", after.ID, attest.RecordScope{}))
		// Another organization's grant brings nothing.
		org2 := newOrg(t, db, "Beta")
		wantCode(t, db.CheckRecordScope(ctx, org2, "incident", inWindow[0], auditor), attest.ENOTFOUND)

		// Standing registers: tied to a control in the granted scope.
		var linked []int64
		for i := range 30 {
			k := &attest.Risk{Title: fmt.Sprintf("Risk %02d", i), Category: "access", Likelihood: 5, Impact: 5}
			must(db.CreateRisk(ctx, org, k))
			if i%10 == 9 {
				_, err := db.AttachRecord(ctx, org, attest.RecordRisk, k.ID, "GOV-01", 0)
				must(err)
				linked = append(linked, k.ID)
			}
		}
		avail := &attest.Risk{Title: "Backups fail", Category: "availability", Likelihood: 3, Impact: 3}
		must(db.CreateRisk(ctx, org, avail))
		_, err = db.AttachRecord(ctx, org, attest.RecordRisk, avail.ID, "BCP-03", 0) // availability only
		must(err)
		risks, n, err := db.FindRisks(ctx, org, attest.RegisterFilter{Scope: auditor}, attest.Page{Limit: 2})
		must(err)
		// The three tied to GOV-01 and the 27 tied to no control (they
		// concern the whole organization); not the availability one.
		if n != 30 || len(risks) != 2 {
			t.Errorf("auditor's risks: total %d, %d rows; want 30, 2", n, len(risks))
		}
		wantCode(t, db.CheckRecordScope(ctx, org, "risk", avail.ID, auditor), attest.ENOTFOUND)
		must(db.CheckRecordScope(ctx, org, "risk", avail.ID, both))
		must(db.CheckRecordScope(ctx, org, "risk", linked[0], auditor))
		inh, _, err := db.RiskHeat(ctx, org, attest.RegisterFilter{Scope: auditor})
		must(err)
		if inh[[2]int{5, 5}] != 30 || inh[[2]int{3, 3}] != 0 {
			t.Errorf("auditor's heat map: %v", inh)
		}

		v1, v2 := &attest.Vendor{Name: "CloudCo", Tier: "critical"}, &attest.Vendor{Name: "Caterer", Tier: "low"}
		must(db.CreateVendor(ctx, org, v1))
		must(db.CreateVendor(ctx, org, v2))
		v3 := &attest.Vendor{Name: "Payroll bureau", Tier: "high"}
		must(db.CreateVendor(ctx, org, v3))
		_, err = db.AttachRecord(ctx, org, attest.RecordVendor, v1.ID, "GOV-01", 0)
		must(err)
		_, err = db.AttachRecord(ctx, org, attest.RecordVendor, v2.ID, "BCP-03", 0)
		must(err)
		if vs, n, _ := db.FindVendors(ctx, org, attest.RegisterFilter{Scope: auditor}, attest.Page{Sort: "name"}); n != 2 || vs[0].ID != v1.ID || vs[1].ID != v3.ID {
			t.Errorf("auditor's vendors: %d, want CloudCo (in scope) and the payroll bureau (tied to no control)", n)
		}

		// Assets: by a control in scope, or a system of the engagement.
		a1 := &attest.Asset{Name: "Orders DB", Type: "database", Environment: "production", Classification: "restricted"}
		a2 := &attest.Asset{Name: "Laptop fleet", Type: "endpoint", Environment: "corporate", Classification: "internal"}
		a3 := &attest.Asset{Name: "Status page", Type: "application", Environment: "production", Classification: "public"}
		a4 := &attest.Asset{Name: "Sandbox", Type: "cloud_account", Environment: "development", Classification: "internal"}
		for _, a := range []*attest.Asset{a1, a2, a3, a4} {
			must(db.CreateAsset(ctx, org, a))
		}
		_, err = db.ScopeAsset(ctx, org, granted.ID, a1.ID)
		must(err)
		_, err = db.AttachRecord(ctx, org, attest.RecordAsset, a2.ID, "GOV-01", 0)
		must(err)
		_, err = db.ScopeAsset(ctx, org, other.ID, a3.ID)
		must(err)
		// The sandbox is tied to nothing: it concerns the organization.
		if as, n, _ := db.FindAssets(ctx, org, attest.RegisterFilter{Scope: auditor}, attest.Page{Sort: "name"}); n != 3 || as[0].ID != a2.ID || as[1].ID != a1.ID || as[2].ID != a4.ID {
			t.Errorf("auditor's assets: %d %v", n, as)
		}
		wantCode(t, db.CheckRecordScope(ctx, org, "asset", a3.ID, auditor), attest.ENOTFOUND)
		must(db.CheckRecordScope(ctx, org, "asset", a4.ID, auditor))
		if _, n, _ := db.FindAssets(ctx, org, attest.RegisterFilter{Scope: attest.RecordScope{Scoped: true}}, attest.Page{}); n != 0 {
			t.Errorf("an auditor granted nothing sees %d assets", n)
		}

		// Time-bound records of issue 12: in the window and out of it.
		for i := range 25 {
			day := attest.Date(fmt.Sprintf("2025-06-%02d", i+1)) // long before: first in the list's order
			if i >= 20 {
				day = attest.Date(fmt.Sprintf("2026-03-%02d", i))
			}
			must(db.CreateChange(ctx, org, &attest.ChangeRecord{Title: fmt.Sprintf("Change %02d", i), ImplementedOn: day}))
		}
		changes, n, err := db.FindChangePage(ctx, org, attest.ChangeFilter{Scope: auditor}, attest.Page{Limit: 3})
		must(err)
		if n != 5 || len(changes) != 3 || changes[0].ImplementedOn != "2026-03-20" {
			t.Errorf("auditor's changes: total %d, %d rows, first %v", n, len(changes), changes)
		}
		hire := &attest.RosterPerson{Name: "Hired in March", Email: "march@acme.example", StartDate: "2026-03-02"}
		leaver := &attest.RosterPerson{Name: "Left in April", Email: "april@acme.example", StartDate: "2020-01-06", EndDate: "2026-04-10"}
		old := &attest.RosterPerson{Name: "Joined long ago", Email: "old@acme.example", StartDate: "2019-05-01"}
		for _, p := range []*attest.RosterPerson{hire, leaver, old} {
			must(db.CreateRosterPerson(ctx, org, p))
		}
		if ps, n, _ := db.FindRosterPage(ctx, org, attest.RosterFilter{Scope: auditor}, attest.Page{}); n != 2 || ps[0].ID != hire.ID {
			t.Errorf("auditor's roster: %d", n)
		}
		wantCode(t, db.CheckRecordScope(ctx, org, attest.ScopePerson, old.ID, auditor), attest.ENOTFOUND)

		inTr, outTr := &attest.TrainingCampaign{Title: "Spring awareness", DueDate: "2026-03-31"}, &attest.TrainingCampaign{Title: "Autumn awareness", DueDate: "2026-10-31"}
		must(db.CreateTrainingCampaign(ctx, org, inTr))
		must(db.CreateTrainingCampaign(ctx, org, outTr))
		if cs, n, _ := db.FindTrainingPage(ctx, org, attest.TrainingFilter{Scope: auditor}, attest.Page{}); n != 1 || cs[0].ID != inTr.ID {
			t.Errorf("auditor's training: %d", n)
		}
		inRv := &attest.AccessReview{System: "Directory", PeriodStart: "2026-01-01", PeriodEnd: "2026-03-31", DueDate: "2026-04-15"}
		outRv := &attest.AccessReview{System: "Directory", PeriodStart: "2026-04-01", PeriodEnd: "2026-06-30", DueDate: "2026-07-15"}
		must(db.CreateAccessReview(ctx, org, inRv, []*attest.AccessAccount{{Account: "a"}}))
		must(db.CreateAccessReview(ctx, org, outRv, []*attest.AccessAccount{{Account: "a"}}))
		if rs, n, _ := db.FindAccessReviewPage(ctx, org, attest.AccessReviewFilter{Scope: auditor}, attest.Page{}); n != 1 || rs[0].ID != inRv.ID {
			t.Errorf("auditor's access reviews: %d", n)
		}
		inCt := &attest.ControlTest{ControlID: "GOV-01", Period: "2026-Q1", DueDate: "2026-03-31"}
		outCt := &attest.ControlTest{ControlID: "GOV-01", Period: "2026-Q3", DueDate: "2026-09-30"}
		must(db.CreateControlTest(ctx, org, inCt))
		must(db.CreateControlTest(ctx, org, outCt))
		if ts, n, _ := db.FindControlTestPage(ctx, org, attest.ControlTestFilter{Scope: auditor}, attest.Page{}); n != 1 || ts[0].ID != inCt.ID {
			t.Errorf("auditor's control tests: %d", n)
		}
		wantCode(t, db.CheckRecordScope(ctx, org, attest.ScopeControlTest, outCt.ID, auditor), attest.ENOTFOUND)

		// Risk assessments are held on a day: in the window or not.
		lead := registerMember(t, db, org, "lead@acme.example", attest.RoleComplianceManager)
		for _, day := range []time.Time{time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC)} {
			must(db.AddRecordEvent(ctx, org, &attest.RecordEvent{Kind: attest.EventRiskAssessment, OccurredAt: day, Participants: []int64{lead.ID}, Items: linked, Summary: "Reviewed the register"}))
		}
		evs, err := db.FindScopedRecordEvents(ctx, org, attest.EventRiskAssessment, 0, auditor)
		must(err)
		if len(evs) != 1 || evs[0].OccurredAt.Month() != time.March {
			t.Errorf("auditor's risk assessments: %d", len(evs))
		}
		if all, _ := db.FindRecordEvents(ctx, org, attest.EventRiskAssessment, 0); len(all) != 2 {
			t.Errorf("a manager sees %d risk assessments, want 2", len(all))
		}
	})
}

func titles(in []*attest.Incident) []string {
	out := make([]string, len(in))
	for i, x := range in {
		out[i] = x.Title
	}
	return out
}
