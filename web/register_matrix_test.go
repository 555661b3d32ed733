package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// The registers' routes in the authorization matrix and the API's write
// bodies. Each organization of the UI fixture gets a risk, a vendor, an
// asset and an incident ({risk}, {vendor}, {inv}, {incident}).

func init() {
	for k, v := range registerMatrix {
		matrix[k] = v
	}
	for _, k := range attest.RecordKinds {
		p := k.Plural()
		writeBodies["POST /api/v1/"+p] = map[attest.RecordKind]string{
			attest.RecordRisk:     `{"title":"Viewer risk","category":"data","likelihood":2,"impact":2}`,
			attest.RecordVendor:   `{"name":"Viewer vendor","tier":"low"}`,
			attest.RecordAsset:    `{"name":"Viewer asset","type":"database","environment":"production","classification":"internal"}`,
			attest.RecordIncident: `{"title":"Viewer incident","severity":"sev4","reported_at":"2026-01-01T00:00:00Z"}`,
		}[k]
		writeBodies["PATCH /api/v1/"+p+"/{id}"] = `{"status":"closed"}`
	}
}

// recordCases are the cases every register shares: attach, detach and,
// for risks and incidents, a task.
func recordCases(plural, ph string) map[string][]mcase {
	out := map[string][]mcase{
		"POST /" + plural + "/{id}/controls": {
			{path: "/" + plural + "/" + ph + "/controls", form: "control_id=GOV-01&need=0", loc: "/" + plural + "/" + ph},
			{scope: scopeOther, path: "/" + plural + "/" + ph + "/controls", form: "control_id=GOV-01&need=0"},
		},
		"POST /" + plural + "/{id}/controls/{control}/delete": {
			{path: "/" + plural + "/" + ph + "/controls/GOV-02/delete", loc: "/" + plural + "/" + ph},
			{scope: scopeOther, path: "/" + plural + "/" + ph + "/controls/GOV-02/delete"},
		},
	}
	if plural == "risks" || plural == "incidents" {
		out["POST /"+plural+"/{id}/tasks"] = []mcase{
			{path: "/" + plural + "/" + ph + "/tasks", form: "title=Matrix+step", loc: "/" + plural + "/" + ph},
			{scope: scopeOther, path: "/" + plural + "/" + ph + "/tasks", form: "title=Matrix+step"},
		}
	}
	return out
}

var registerMatrix = func() map[string][]mcase {
	m := map[string][]mcase{
		"GET /risks":              {{path: "/risks"}, {path: "/risks?gap=1&sort=inherent&dir=desc&q=cred"}},
		"GET /risks.csv":          {{path: "/risks.csv?category=access"}},
		"POST /risks":             {{path: "/risks", form: "title=Matrix+risk&category=data&likelihood=2&impact=3"}, {path: "/risks", form: "library_id=LIB-ACC-01"}},
		"POST /risks/settings":    {{path: "/risks/settings", form: "risk_scale=5&risk_appetite=8&assessment_months=12", loc: "/risks"}},
		"GET /risks/assessments":  {{path: "/risks/assessments"}},
		"POST /risks/assessments": {{path: "/risks/assessments", form: "date=2026-01-10&participants={user}&items={risk}&summary=Matrix+review", loc: "/risks/assessments"}},
		"GET /risks/{id}":         {{path: "/risks/{risk}"}, {scope: scopeUngranted, path: "/risks/{risk2}"}, {scope: scopeOther, path: "/risks/{risk}"}},
		"POST /risks/{id}": {
			{path: "/risks/{risk}", form: "title=Matrix+risk&category=access&likelihood=4&impact=4&status=open&owner={ownedBy}", loc: "/risks/{risk}"},
			{scope: scopeUnowned, path: "/risks/{risk2}", form: "title=Unscoped+risk&category=access&likelihood=2&impact=2&status=open", loc: "/risks/{risk2}"},
			{scope: scopeOther, path: "/risks/{risk}", form: "title=Matrix&category=access&likelihood=1&impact=1"},
		},
		// The risk is not proposed for acceptance: refused for everyone the
		// role admits (the approver's approval is in TestRiskPages).
		"POST /risks/{id}/approve": {{path: "/risks/{risk}/approve", invalid: 400}, {scope: scopeOther, path: "/risks/{risk}/approve"}},

		"GET /vendors":      {{path: "/vendors"}, {path: "/vendors?gap=1&sort=tier"}},
		"GET /vendors.csv":  {{path: "/vendors.csv"}},
		"POST /vendors":     {{path: "/vendors", form: "name=Matrix+vendor&tier=low"}},
		"GET /vendors/{id}": {{path: "/vendors/{vendor}"}, {scope: scopeOther, path: "/vendors/{vendor}"}},
		"POST /vendors/{id}": {
			{path: "/vendors/{vendor}", form: "name=Matrix+vendor&tier=high&status=active&owner={ownedBy}", loc: "/vendors/{vendor}"},
			{scope: scopeUnowned, path: "/vendors/{vendor2}", form: "name=Other+vendor&tier=low&status=active", loc: "/vendors/{vendor2}"},
			{scope: scopeOther, path: "/vendors/{vendor}", form: "name=Matrix&tier=low"},
		},
		"POST /vendors/{id}/reports": {
			{path: "/vendors/{vendor}/reports", form: "kind=soc2_type2&evidence_id={evidence}&expires=2027-06-30", loc: "/vendors/{vendor}"},
			{scope: scopeOther, path: "/vendors/{vendor}/reports", form: "kind=soc2_type2&evidence_id={evidence}&expires=2027-06-30"},
		},
		"POST /vendors/{id}/reviews": {
			{path: "/vendors/{vendor}/reviews", form: "date=2026-01-10&participants={user}&summary=Matrix+review", loc: "/vendors/{vendor}"},
			{scope: scopeOther, path: "/vendors/{vendor}/reviews", form: "date=2026-01-10&summary=Matrix"},
		},

		"GET /assets":      {{path: "/assets"}, {path: "/assets?category=database&sort=classification"}},
		"GET /assets.csv":  {{path: "/assets.csv"}},
		"POST /assets":     {{path: "/assets", form: "name=Matrix+asset&type=database&environment=production&classification=internal"}},
		"GET /assets/{id}": {{path: "/assets/{inv}"}, {scope: scopeOther, path: "/assets/{inv}"}},
		"POST /assets/{id}": {
			{path: "/assets/{inv}", form: "name=Matrix+asset&type=application&environment=production&classification=confidential&status=active&owner={ownedBy}", loc: "/assets/{inv}"},
			{scope: scopeUnowned, path: "/assets/{inv2}", form: "name=Other+asset&type=application&environment=production&classification=internal&status=active", loc: "/assets/{inv2}"},
			{scope: scopeOther, path: "/assets/{inv}", form: "name=Matrix&type=application&environment=production&classification=public"},
		},
		"POST /assets/{id}/scope": {
			{path: "/assets/{inv}/scope", form: "engagement_id={eng}", loc: "/assets/{inv}"},
			{scope: scopeOther, path: "/assets/{inv}/scope", form: "engagement_id={eng}"},
		},

		"POST /engagements/{id}/assets": {
			{path: "/engagements/{eng}/assets", form: "asset_id={inv}", loc: "/engagements/{eng}"},
			{scope: scopeOther, path: "/engagements/{eng}/assets", form: "asset_id={inv}"},
		},

		"GET /incidents":            {{path: "/incidents"}, {path: "/incidents?from=2026-01-01&to=2026-12-31&gap=1"}},
		"GET /incidents.csv":        {{path: "/incidents.csv?from=2026-01-01&to=2026-12-31"}},
		"POST /incidents":           {{path: "/incidents", form: "title=Matrix+incident&severity=sev3&reported_at=2026-01-10T10%3A00"}},
		"GET /incidents/exercises":  {{path: "/incidents/exercises"}},
		"POST /incidents/exercises": {{path: "/incidents/exercises", form: "date=2026-01-10&participants={user}&summary=Matrix+scenario", loc: "/incidents/exercises"}},
		"GET /incidents/{id}":       {{path: "/incidents/{incident}"}, {scope: scopeUngranted, path: "/incidents/{incident2}"}, {scope: scopeOther, path: "/incidents/{incident}"}},
		"POST /incidents/{id}": {
			{path: "/incidents/{incident}", form: "title=Matrix+incident&severity=sev2&status=contained&owner={ownedBy}", loc: "/incidents/{incident}"},
			{scope: scopeUnowned, path: "/incidents/{incident2}", form: "title=Autumn+outage&severity=sev3&status=contained", loc: "/incidents/{incident2}"},
			{scope: scopeOther, path: "/incidents/{incident}", form: "title=Matrix&severity=sev2"},
		},
		"POST /incidents/{id}/timeline": {
			{path: "/incidents/{incident}/timeline", form: "at=2026-01-10T11%3A00&summary=Matrix+step", loc: "/incidents/{incident}#timeline"},
			{scope: scopeOther, path: "/incidents/{incident}/timeline", form: "at=2026-01-10T11%3A00&summary=Matrix"},
		},
		// The review is not written: sign-off is refused for everyone the
		// role admits (the sign-off itself is in the incident workflow test).
		"POST /incidents/{id}/signoff": {{path: "/incidents/{incident}/signoff", invalid: 400}, {scope: scopeOther, path: "/incidents/{incident}/signoff"}},
	}
	for plural, ph := range map[string]string{"risks": "{risk}", "vendors": "{vendor}", "assets": "{inv}", "incidents": "{incident}"} {
		for k, v := range recordCases(plural, ph) {
			m[k] = v
		}
	}
	return m
}()

// seedRegisters gives each organization of the UI fixture one record of
// every register and adds their placeholders.
func (u *uiEnv) seedRegisters(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, org := range []int64{u.orgA, u.orgB} {
		// A's records are owned by A's control owner, who may edit them.
		var owner int64
		if org == u.orgA {
			owner = u.alice.ID
		}
		k := &attest.Risk{Title: "Stolen credentials", Category: "access", Likelihood: 4, Impact: 4, OwnerID: owner}
		v := &attest.Vendor{Name: "CloudCo", Tier: "critical", Service: "Hosting", OwnerID: owner}
		a := &attest.Asset{Name: "Orders DB", Type: "database", Environment: "production", Classification: "restricted", OwnerID: owner}
		in := &attest.Incident{Title: "Leaked key", Severity: "sev2", ReportedAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), OwnerID: owner}
		// Records nobody owns, for the control owner to be refused.
		v2 := &attest.Vendor{Name: "Other vendor", Tier: "low"}
		a2 := &attest.Asset{Name: "Other asset", Type: "application", Environment: "production", Classification: "internal"}
		// Records outside the auditor's engagement: a risk, a vendor and
		// an asset attached to an availability control only (out of the
		// security engagement's scope), an incident after its window (in
		// the second one's).
		k2 := &attest.Risk{Title: "Unscoped risk", Category: "access", Likelihood: 2, Impact: 2}
		in2 := &attest.Incident{Title: "Autumn outage", Severity: "sev3", ReportedAt: time.Date(2026, 9, 14, 9, 0, 0, 0, time.UTC)}
		for _, err := range []error{u.db.CreateRisk(ctx, org, k), u.db.CreateVendor(ctx, org, v), u.db.CreateAsset(ctx, org, a), u.db.CreateIncident(ctx, org, in),
			u.db.CreateRisk(ctx, org, k2), u.db.CreateIncident(ctx, org, in2), u.db.CreateVendor(ctx, org, v2), u.db.CreateAsset(ctx, org, a2)} {
			if err != nil {
				t.Fatalf("seed registers: %v", err)
			}
		}
		// The standing registers' records evidence a control in scope of
		// the auditor's engagement, so the auditor sees them.
		for kind, id := range map[attest.RecordKind]int64{attest.RecordRisk: k.ID, attest.RecordVendor: v.ID, attest.RecordAsset: a.ID} {
			if _, err := u.db.AttachRecord(ctx, org, kind, id, "GOV-01", 0); err != nil {
				t.Fatalf("seed registers: %v", err)
			}
		}
		for kind, id := range map[attest.RecordKind]int64{attest.RecordRisk: k2.ID, attest.RecordVendor: v2.ID, attest.RecordAsset: a2.ID} {
			if _, err := u.db.AttachRecord(ctx, org, kind, id, "BCP-03", 0); err != nil {
				t.Fatalf("seed registers: %v", err)
			}
		}
		ids := u.ids[org]
		ids["{risk}"], ids["{vendor}"], ids["{inv}"], ids["{incident}"] = fmt.Sprint(k.ID), fmt.Sprint(v.ID), fmt.Sprint(a.ID), fmt.Sprint(in.ID)
		ids["{risk2}"], ids["{incident2}"], ids["{vendor2}"], ids["{inv2}"] = fmt.Sprint(k2.ID), fmt.Sprint(in2.ID), fmt.Sprint(v2.ID), fmt.Sprint(a2.ID)
	}
}

func init() {
	// Organization B's admin lists only B's records, creates B's own and
	// cannot reach a record B does not have.
	for _, k := range attest.RecordKinds {
		p := k.Plural()
		body := writeBodies["POST /api/v1/"+p]
		isolationCases["GET /api/v1/"+p] = []isoCase{{path: "/api/v1/" + p, status: 200, want: []string{`[]`}}}
		isolationCases["POST /api/v1/"+p] = []isoCase{{path: "/api/v1/" + p, body: body, status: 201, want: []string{`"status"`}}}
		isolationCases["PATCH /api/v1/"+p+"/{id}"] = []isoCase{{path: "/api/v1/" + p + "/999999", body: `{"status":"closed"}`, status: 404}}
	}
}
