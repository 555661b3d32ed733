package store

import (
	"context"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestVendorWorkflow creates a vendor, records its SOC 2 report as
// evidence, reviews it and offboards it; a critical vendor without a
// valid report is a gap until the report arrives.
func TestVendorWorkflow(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "user:test")
		org, other := newOrg(t, db, "Acme"), newOrg(t, db, "Other")
		owner := registerMember(t, db, org, "it@acme.example", attest.RoleControlOwner)
		clock(db, time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))

		v := &attest.Vendor{Name: "CloudCo", Service: "Hosting", DataShared: "All customer data", Tier: "critical", OwnerID: owner.ID}
		if err := db.CreateVendor(ctx, org, v); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := db.FindVendors(ctx, org, attest.RegisterFilter{Gap: true}, attest.Page{}); n != 1 {
			t.Fatalf("critical vendor without report is not a gap: %d", n)
		}
		sub := *v
		sub.Subservice = true
		wantField(t, db.UpdateVendor(ctx, org, &sub), "complementary_controls")
		sub.ComplementaryControls = "Physical security of data centers"
		if err := db.UpdateVendor(ctx, org, &sub); err != nil {
			t.Fatal(err)
		}

		ev := &attest.Evidence{Kind: attest.EvidenceStatement, Title: "CloudCo SOC 2 Type II 2025", Statement: "Report reviewed, no exceptions.",
			PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31", Links: []attest.EvidenceLinkRef{{ControlID: "VEN-03", Need: 0}}}
		if err := db.CreateEvidence(ctx, org, ev); err != nil {
			t.Fatal(err)
		}
		rep := &attest.VendorReport{VendorID: v.ID, Kind: "soc2_type2", EvidenceID: ev.ID, Expires: "2026-12-31"}
		if err := db.AddVendorReport(ctx, org, rep); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.AddVendorReport(ctx, other, &attest.VendorReport{VendorID: v.ID, Kind: "soc2_type2", EvidenceID: ev.ID, Expires: "2026-12-31"}), attest.ENOTFOUND)
		got, _ := db.FindVendorByID(ctx, org, v.ID)
		if got.ReportExpires != "2026-12-31" || rep.PeriodEnd != "2025-12-31" {
			t.Fatalf("vendor after report = %+v, report %+v", got, rep)
		}
		if _, n, _ := db.FindVendors(ctx, org, attest.RegisterFilter{Gap: true}, attest.Page{}); n != 0 {
			t.Fatalf("vendor with a valid report is a gap")
		}

		review := &attest.RecordEvent{Kind: attest.EventVendorReview, RecordID: v.ID, OccurredAt: db.now(), Participants: []int64{owner.ID}, Summary: "Yearly review", Findings: "Bridge letter needed"}
		if err := db.AddRecordEvent(ctx, org, review); err != nil {
			t.Fatal(err)
		}
		got, _ = db.FindVendorByID(ctx, org, v.ID)
		if got.LastReview != "2026-05-04" || got.NextReview != "2027-05-04" {
			t.Fatalf("review dates %s / %s", got.LastReview, got.NextReview)
		}
		got.Status = "offboarded"
		if err := db.UpdateVendor(ctx, org, got); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindVendorByID(ctx, org, v.ID); got.ClosedAt == nil || got.ReportExpires != "2026-12-31" {
			t.Fatalf("offboarded vendor = %+v", got)
		}
		if _, err := db.FindVendorByID(ctx, other, v.ID); attest.ErrorCode(err) != attest.ENOTFOUND {
			t.Fatalf("other org sees the vendor: %v", err)
		}
		bad := []*attest.Vendor{{Name: "Fine", Tier: "low"}, {Name: "Bad", Tier: "gold"}}
		wantField(t, db.ImportVendors(ctx, org, bad), "tier")
		if _, n, _ := db.FindVendors(ctx, org, attest.RegisterFilter{}, attest.Page{}); n != 1 {
			t.Fatalf("a refused import stored vendors: %d", n)
		}
	})
}

// TestAssetWorkflow creates an asset, puts it in an engagement's scope,
// renames it (the scoped system follows) and retires it.
func TestAssetWorkflow(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "user:test")
		org := newOrg(t, db, "Acme")
		eng := newEngagement(t, db, org)
		owner := registerMember(t, db, org, "ops@acme.example", attest.RoleControlOwner)
		a := &attest.Asset{Name: "Orders DB", Type: "database", OwnerID: owner.ID, Environment: "production", Classification: "restricted", Integrations: "aws"}
		if err := db.CreateAsset(ctx, org, a); err != nil {
			t.Fatal(err)
		}
		wantField(t, db.CreateAsset(ctx, org, &attest.Asset{Name: "X", Type: "toaster", Environment: "production", Classification: "public"}), "type")
		sys, err := db.ScopeAsset(ctx, org, eng.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The system is owned by the asset's owner, by ID.
		if sys.OwnerID != owner.ID || sys.Owner == nil || sys.Owner.Email != "ops@acme.example" || sys.OwnerNote != "" {
			t.Fatalf("scoped system owner %d %+v note %q; want the asset's owner", sys.OwnerID, sys.Owner, sys.OwnerNote)
		}
		if again, err := db.ScopeAsset(ctx, org, eng.ID, a.ID); err != nil || again.ID != sys.ID || again.OwnerID != owner.ID || again.Owner == nil {
			t.Fatalf("scoped twice: %+v, %v", again, err)
		}
		// Handing the asset to another member hands over the system too.
		heir := registerMember(t, db, org, "sre@acme.example", attest.RoleControlOwner)
		a.Name, a.ReviewedOn, a.OwnerID = "Orders database", "2026-05-01", heir.ID
		if err := db.UpdateAsset(ctx, org, a); err != nil {
			t.Fatal(err)
		}
		e, err := db.FindEngagementByID(ctx, org, eng.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Systems) != 1 || e.Systems[0].ID != sys.ID || e.Systems[0].Name != "Orders database" || e.Systems[0].Kind != "database" ||
			e.Systems[0].OwnerID != heir.ID || e.Systems[0].Owner == nil || e.Systems[0].Owner.Email != "sre@acme.example" {
			t.Fatalf("systems = %+v", e.Systems)
		}
		// Its owner is the asset's to change.
		wantField(t, func() error { _, err := db.SetSystemOwner(ctx, org, eng.ID, sys.ID, owner.ID); return err }(), "owner")
		got, _ := db.FindAssetByID(ctx, org, a.ID)
		if len(got.Engagements) != 1 || got.Engagements[0] != eng.ID {
			t.Fatalf("asset engagements = %v", got.Engagements)
		}
		got.Status = "retired"
		if err := db.UpdateAsset(ctx, org, got); err != nil {
			t.Fatal(err)
		}
		list, n, err := db.FindAssets(ctx, org, attest.RegisterFilter{Status: "retired", Search: "orders"}, attest.Page{})
		if err != nil || n != 1 || list[0].ClosedAt == nil {
			t.Fatalf("retired assets = %v, %d, %v", list, n, err)
		}
	})
}

// TestIncidentWorkflow reports an incident, writes its timeline, root
// cause, corrective action and review, signs the review off and closes
// it; the observation window selects it as a population.
func TestIncidentWorkflow(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "user:test")
		org := newOrg(t, db, "Acme")
		lead := registerMember(t, db, org, "sre@acme.example", attest.RoleControlOwner)
		cto := registerMember(t, db, org, "cto@acme.example", attest.RoleComplianceManager)
		clock(db, time.Date(2026, 2, 10, 8, 0, 0, 0, time.UTC))
		a := &attest.Asset{Name: "API", Type: "application", Environment: "production", Classification: "confidential"}
		if err := db.CreateAsset(ctx, org, a); err != nil {
			t.Fatal(err)
		}
		in := &attest.Incident{Title: "API keys exposed in logs", Severity: "sev2", OwnerID: lead.ID, AssetIDs: []int64{a.ID}, PersonalData: true, Customers: true}
		if err := db.CreateIncident(ctx, org, in); err != nil {
			t.Fatal(err)
		}
		wantField(t, db.CreateIncident(ctx, org, &attest.Incident{Title: "x", Severity: "sev2", AssetIDs: []int64{a.ID + 99}}), "assets")
		step := &attest.RecordEvent{Kind: attest.EventTimeline, RecordID: in.ID, OccurredAt: db.now().Add(time.Hour), Summary: "Keys rotated"}
		if err := db.AddRecordEvent(ctx, org, step); err != nil {
			t.Fatal(err)
		}
		// The review cannot be signed off before it is written.
		if _, err := db.SignOffIncident(ctx, org, in.ID, cto.ID); attest.ErrorCode(err) != attest.EINVALID {
			t.Fatalf("sign-off of an unwritten review: %v", err)
		}
		got, _ := db.FindIncidentByID(ctx, org, in.ID)
		got.Status, got.RootCause, got.NotifiedOn = "resolved", "Debug logging left on", "2026-02-11"
		if err := db.UpdateIncident(ctx, org, got); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := db.FindIncidents(ctx, org, attest.RegisterFilter{Gap: true}, attest.Page{}); n != 1 {
			t.Fatalf("resolved incident without review is not a gap")
		}
		got.Status = "closed"
		wantField(t, db.UpdateIncident(ctx, org, got), "status")
		if err := db.AddRecordTask(ctx, org, attest.RecordIncident, in.ID, &attest.Task{Title: "Scrub secrets from logs", OwnerID: lead.ID}); err != nil {
			t.Fatal(err)
		}
		got, _ = db.FindIncidentByID(ctx, org, in.ID)
		got.Review, got.ReviewedOn = "Reviewed with the team; logging filter added.", "2026-02-14"
		if err := db.UpdateIncident(ctx, org, got); err != nil {
			t.Fatal(err)
		}
		signed, err := db.SignOffIncident(ctx, org, in.ID, cto.ID)
		if err != nil {
			t.Fatal(err)
		}
		if signed.SignedOffBy == nil || signed.SignedOffBy.ID != cto.ID {
			t.Fatalf("signed off by %+v", signed.SignedOffBy)
		}
		signed.Status = "closed"
		if err := db.UpdateIncident(ctx, org, signed); err != nil {
			t.Fatal(err)
		}
		pop, n, err := db.FindIncidents(ctx, org, attest.RegisterFilter{From: "2026-02-01", To: "2026-02-10"}, attest.Page{})
		if err != nil || n != 1 || pop[0].ClosedAt == nil || len(pop[0].AssetIDs) != 1 {
			t.Fatalf("population = %v, %d, %v", pop, n, err)
		}
		if _, n, _ := db.FindIncidents(ctx, org, attest.RegisterFilter{From: "2026-02-11"}, attest.Page{}); n != 0 {
			t.Fatalf("window after the incident holds %d", n)
		}
		events, err := db.FindRecordEvents(ctx, org, attest.EventTimeline, in.ID)
		if err != nil || len(events) != 1 {
			t.Fatalf("timeline = %v, %v", events, err)
		}
	})
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if attest.ErrorCode(err) != attest.EINVALID || attest.ErrorField(err) != field {
		t.Fatalf("error = %v (field %q), want EINVALID on %q", err, attest.ErrorField(err), field)
	}
}

// TestRegisterGapsInReadiness derives readiness after register writes:
// an untreated risk above the appetite, a critical vendor without a
// report, a resolved incident without review and an overdue risk
// assessment are gaps; treating, reporting, signing off and assessing
// clear them.
func TestRegisterGapsInReadiness(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		eng := newEngagement(t, db, org)
		cto := registerMember(t, db, org, "cto@acme.example", attest.RoleComplianceManager)
		clock(db, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
		risk := &attest.Risk{Title: "Region outage", Category: "availability", Likelihood: 3, Impact: 5}
		vendor := &attest.Vendor{Name: "PayCo", Tier: "high"}
		inc := &attest.Incident{Title: "Outage", Severity: "sev3", Status: "resolved", RootCause: "Bad deploy", Review: "Done", ReviewedOn: "2026-01-04"}
		for _, err := range []error{db.CreateRisk(ctx, org, risk), db.CreateVendor(ctx, org, vendor), db.CreateIncident(ctx, org, inc)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		clock(db, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
		kinds := func() map[string]int {
			t.Helper()
			if err := db.Refresh(ctx, org); err != nil {
				t.Fatal(err)
			}
			rd, err := db.Readiness(ctx, org, eng.ID)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for _, g := range rd.Gaps {
				out[g.Kind]++
			}
			return out
		}
		got := kinds()
		for _, k := range []string{"risk", "vendor", "incident", "risk_assessment"} {
			if got[k] != 1 {
				t.Errorf("gaps of kind %s = %d, want 1 (%v)", k, got[k], got)
			}
		}
		risk.Treatment = attest.TreatMitigate
		if err := db.UpdateRisk(ctx, org, risk); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SignOffIncident(ctx, org, inc.ID, cto.ID); err != nil {
			t.Fatal(err)
		}
		ev := &attest.Evidence{Kind: attest.EvidenceStatement, Title: "PayCo ISO certificate", Statement: "Certificate on file.", PeriodStart: "2026-01-01", PeriodEnd: "2026-01-31",
			Links: []attest.EvidenceLinkRef{{ControlID: "VEN-03", Need: 0}}}
		if err := db.CreateEvidence(ctx, org, ev); err != nil {
			t.Fatal(err)
		}
		if err := db.AddVendorReport(ctx, org, &attest.VendorReport{VendorID: vendor.ID, Kind: "iso27001", EvidenceID: ev.ID, Expires: "2027-01-31"}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddRecordEvent(ctx, org, &attest.RecordEvent{Kind: attest.EventRiskAssessment, OccurredAt: db.now(), Participants: []int64{cto.ID}, Items: []int64{risk.ID}, Summary: "Q1"}); err != nil {
			t.Fatal(err)
		}
		got = kinds()
		for _, k := range []string{"risk", "vendor", "incident", "risk_assessment"} {
			if got[k] != 0 {
				t.Errorf("gaps of kind %s = %d after the fixes, want 0", k, got[k])
			}
		}
	})
}

// TestObserveAssets: collected repositories and cloud accounts join the
// inventory once; a known asset lists the integration observing it;
// other resources are left out.
func TestObserveAssets(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		if err := db.CreateAsset(ctx, org, &attest.Asset{Name: "acme/api", Type: "repository", Environment: "development", Classification: "confidential", Integrations: "snyk"}); err != nil {
			t.Fatal(err)
		}
		obs := []attest.ObservedAsset{
			{Integration: "github", ResourceType: "github.repository", ResourceID: "1", Name: "acme/api"},
			{Integration: "github", ResourceType: "github.repository", ResourceID: "2", Name: "acme/web"},
			{Integration: "aws", ResourceType: "aws.account", ResourceID: "1234", Name: "Production"},
			{Integration: "github", ResourceType: "github.user", ResourceID: "3", Name: "octocat"},
		}
		added, marked, err := db.ObserveAssets(ctx, org, obs)
		if err != nil || added != 2 || marked != 1 {
			t.Fatalf("observe = %d added, %d marked, %v", added, marked, err)
		}
		if added, marked, err = db.ObserveAssets(ctx, org, obs); err != nil || added != 0 || marked != 0 {
			t.Fatalf("observing again = %d added, %d marked, %v", added, marked, err)
		}
		list, n, err := db.FindAssets(ctx, org, attest.RegisterFilter{Search: "acme/api"}, attest.Page{})
		if err != nil || n != 1 || list[0].Integrations != "snyk, github" {
			t.Fatalf("acme/api = %+v, %v", list, err)
		}
		if _, n, _ := db.FindAssets(ctx, org, attest.RegisterFilter{Category: "cloud_account"}, attest.Page{}); n != 1 {
			t.Fatalf("%d cloud accounts", n)
		}
	})
}
