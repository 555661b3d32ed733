package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// recordsAPIHoles are the placeholders seedRecordsAPI fills, each with "".
var recordsAPIHoles = []string{"{risk}", "", "{vendor}", "", "{inv}", "", "{incident}", "", "{person}", "", "{training}", "",
	"{review}", "", "{change}", "", "{ctest}", ""}

// seedRecordsAPI gives organization A one record of every register and
// record kind, so that the API's single reads are exercised on a record
// that exists, and adds the placeholders naming them to e.subst.
func (e *env) seedRecordsAPI(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	org := e.orgA
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed records: %v", err)
		}
	}
	k := &attest.Risk{Title: "API risk", Category: "access", Likelihood: 3, Impact: 4, OwnerID: e.alice.ID}
	v := &attest.Vendor{Name: "API vendor", Tier: "high"}
	a := &attest.Asset{Name: "API asset", Type: "database", Environment: "production", Classification: "internal"}
	in := &attest.Incident{Title: "API incident", Severity: "sev3", ReportedAt: time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)}
	p := &attest.RosterPerson{Name: "Api Person", Email: "api.person@a.example", StartDate: "2026-02-01"}
	c := &attest.TrainingCampaign{Title: "API training", DueDate: "2026-03-31"}
	rv := &attest.AccessReview{System: "API directory", PeriodStart: "2026-01-01", PeriodEnd: "2026-03-31", DueDate: "2026-04-15"}
	ch := &attest.ChangeRecord{Title: "API change", ImplementedOn: "2026-02-10"}
	ct := &attest.ControlTest{ControlID: "GOV-01", Period: "2026-Q1", DueDate: "2026-03-31"}
	must(e.db.CreateRisk(ctx, org, k))
	must(e.db.CreateVendor(ctx, org, v))
	must(e.db.CreateAsset(ctx, org, a))
	must(e.db.CreateIncident(ctx, org, in))
	must(e.db.CreateRosterPerson(ctx, org, p))
	must(e.db.CreateTrainingCampaign(ctx, org, c))
	must(e.db.CreateAccessReview(ctx, org, rv, []*attest.AccessAccount{{Account: "api"}}))
	must(e.db.CreateChange(ctx, org, ch))
	must(e.db.CreateControlTest(ctx, org, ct))
	id := func(n int64) string { return fmt.Sprint(n) }
	e.pairs = append(e.pairs, "{risk}", id(k.ID), "{vendor}", id(v.ID), "{inv}", id(a.ID), "{incident}", id(in.ID), "{person}", id(p.ID),
		"{training}", id(c.ID), "{review}", id(rv.ID), "{change}", id(ch.ID), "{ctest}", id(ct.ID))
	e.subst = strings.NewReplacer(e.pairs...)
}

// recordAPIPaths are the list and single-record API paths of every
// register and record kind.
var recordAPIPaths = [][2]string{
	{"/api/v1/risks", "/api/v1/risks/{risk}"}, {"/api/v1/vendors", "/api/v1/vendors/{vendor}"}, {"/api/v1/assets", "/api/v1/assets/{inv}"},
	{"/api/v1/incidents", "/api/v1/incidents/{incident}"}, {"/api/v1/people", "/api/v1/people/{person}"}, {"/api/v1/training", "/api/v1/training/{training}"},
	{"/api/v1/access-reviews", "/api/v1/access-reviews/{review}"}, {"/api/v1/changes", "/api/v1/changes/{change}"},
	{"/api/v1/control-tests", "/api/v1/control-tests/{ctest}"},
}

// TestRecordAPIGet reads each record alone: the same JSON as its item in
// the list, and 404 for an unknown ID.
func TestRecordAPIGet(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.seedRecordsAPI(t)
		for _, p := range recordAPIPaths {
			list := e.do(t, "GET", p[0]+"?limit=200", adminA, "")
			one := e.do(t, "GET", p[1], adminA, "")
			if list.status != 200 || one.status != 200 {
				t.Fatalf("GET %s = %d, GET %s = %d: %s", p[0], list.status, p[1], one.status, one.body)
			}
			var items []json.RawMessage
			if err := json.Unmarshal(list.body, &items); err != nil {
				t.Fatalf("%s: %v", p[0], err)
			}
			var got map[string]any
			if err := json.Unmarshal(one.body, &got); err != nil {
				t.Fatalf("%s: %v", p[1], err)
			}
			found := false
			for _, it := range items {
				var m map[string]any
				json.Unmarshal(it, &m)
				if m["id"] == got["id"] {
					found = true
					a, _ := json.Marshal(m)
					b, _ := json.Marshal(got)
					if !bytes.Equal(a, b) {
						t.Errorf("%s differs from its list item:\n%s\n%s", p[1], b, a)
					}
				}
			}
			if !found {
				t.Errorf("%s: id %v not in the list %s", p[1], got["id"], list.body)
			}
			if r := e.do(t, "GET", p[0]+"/999999", adminA, ""); r.status != http.StatusNotFound {
				t.Errorf("GET %s/999999 = %d, want 404", p[0], r.status)
			}
		}
	})
}

func init() {
	// Organization B's admin cannot read A's records one by one.
	for _, p := range recordAPIPaths {
		key := "GET " + p[0] + "/{id}"
		isolationCases[key] = []isoCase{{path: p[1], status: 404}}
	}
}
