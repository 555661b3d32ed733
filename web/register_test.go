package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// TestRiskPages drives the risk register through its pages: the heat
// maps count the seeded risk in its cell, a refused edit keeps what was
// typed beside the field (422), the manager proposes an acceptance that
// the named approver (never the requester) approves, a library risk
// suggests its controls and attaching one makes evidence on the control.
func TestRiskPages(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		mgr, board := u.signIn(t, uManager), u.signIn(t, uViewer)
		risk := u.ids[u.orgA]["{risk}"]
		p := mgr.get(t, "/risks")
		if p.status != http.StatusOK {
			t.Fatalf("GET /risks = %d", p.status)
		}
		d := p.doc(t)
		cell := d.Find(`#heat-inherent rect[data-likelihood="4"][data-impact="4"]`)
		if cell.AttrOr("data-count", "") != "1" {
			t.Fatalf("inherent cell 4×4 = %q, want 1", cell.AttrOr("data-count", "?"))
		}
		if d.Find(`#heat-residual rect`).Length() != 25 || d.Find("#risks-table tbody tr").Length() != 2 { // with the unscoped risk of the fixture
			t.Fatalf("heat map cells %d, rows %d", d.Find(`#heat-residual rect`).Length(), d.Find("#risks-table tbody tr").Length())
		}

		bad := url.Values{"title": {"Typed title"}, "category": {"access"}, "likelihood": {"4"}, "impact": {"4"}, "residual_likelihood": {"2"}}
		p = mgr.post(t, "/risks/"+risk, bad)
		if p.status != refusedStatus {
			t.Fatalf("refused edit = %d, want 422", p.status)
		}
		d = p.doc(t)
		if d.Find("#title").AttrOr("value", "") != "Typed title" || !strings.Contains(d.Find("#residual_impact-error").Text(), "both") {
			t.Fatalf("refused edit lost the input or the message: %q / %q", d.Find("#title").AttrOr("value", ""), d.Find("#residual_impact-error").Text())
		}

		// The manager asks to accept; a viewer from management approves.
		accept := url.Values{"title": {"Stolen credentials"}, "category": {"access"}, "likelihood": {"4"}, "impact": {"4"}, "treatment": {"accept"},
			"approver": {fmt.Sprint(u.users[uViewer].ID)}, "acceptance_review": {"2027-01-31"}, "status": {"open"}}
		if p = mgr.post(t, "/risks/"+risk, accept); p.status != http.StatusSeeOther {
			t.Fatalf("propose acceptance = %d: %.300s", p.status, p.body)
		}
		self := url.Values{}
		for k, v := range accept {
			self[k] = v
		}
		self.Set("approver", fmt.Sprint(u.users[uManager].ID))
		if p = mgr.post(t, "/risks/"+risk, self); p.status != refusedStatus || !strings.Contains(p.body, "someone other") {
			t.Fatalf("self-approval proposal = %d: %s", p.status, p.doc(t).Find("main").Text())
		}
		if p = mgr.post(t, "/risks/"+risk+"/approve", url.Values{}); p.status != http.StatusForbidden {
			t.Fatalf("the requester approved: %d", p.status)
		}
		if p = board.get(t, "/risks/"+risk); p.doc(t).Find("#approve-form").Length() != 1 {
			t.Fatalf("the approver sees no approve button")
		}
		if p = board.post(t, "/risks/"+risk+"/approve", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("approval = %d: %.300s", p.status, p.body)
		}
		if p = mgr.get(t, "/risks/"+risk); strings.TrimSpace(p.doc(t).Find("#risk-status").Text()) != "accepted" {
			t.Fatalf("status after approval = %q", p.doc(t).Find("#risk-status").Text())
		}

		// From the library: the suggested controls can be attached.
		p = mgr.post(t, "/risks", url.Values{"library_id": {"LIB-ACC-02"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("library risk = %d", p.status)
		}
		loc := p.location()
		d = mgr.get(t, loc).doc(t)
		if !strings.Contains(d.Find("#suggested").Text(), "ACC-06") {
			t.Fatalf("no suggested control ACC-06: %q", d.Find("#suggested").Text())
		}
		if p = mgr.post(t, loc+"/controls", url.Values{"control_id": {"ACC-06"}}); p.status != http.StatusSeeOther {
			t.Fatalf("attach = %d: %.300s", p.status, p.body)
		}
		if p = mgr.post(t, loc+"/controls", url.Values{"control_id": {"ACC-06"}, "need": {"9"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "no evidence need 9") {
			t.Fatalf("attach to a missing need = %d", p.status)
		}
		items, err := u.db.FindEvidence(t.Context(), u.orgA, "ACC-06")
		if err != nil || len(items) != 1 || !strings.Contains(items[0].Title, "Former employee keeps access") {
			t.Fatalf("evidence on ACC-06 = %v, %v", items, err)
		}
		if !strings.Contains(mgr.get(t, "/controls/ACC-06").body, "Former employee keeps access") {
			t.Errorf("the control's page does not show the risk's evidence")
		}
	})
}

// TestIncidentPages reports an incident, adds its timeline, root cause,
// review and a corrective action, signs the review off and closes it.
func TestIncidentPages(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		mgr := u.signIn(t, uManager)
		p := mgr.post(t, "/incidents", url.Values{"title": {"Phishing of a support agent"}, "severity": {"sev2"}, "reported_at": {"2026-02-03T09:15"}, "owner": {fmt.Sprint(u.users[uManager].ID)}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("report = %d: %.300s", p.status, p.body)
		}
		path := p.location()
		if p = mgr.post(t, path+"/timeline", url.Values{"at": {"2026-02-03T09:40"}, "summary": {"Session revoked"}}); p.status != http.StatusSeeOther {
			t.Fatalf("timeline = %d", p.status)
		}
		if p = mgr.post(t, path+"/timeline", url.Values{"at": {"soon"}, "summary": {"x"}}); p.status != refusedStatus {
			t.Fatalf("bad timeline time = %d", p.status)
		}
		if p = mgr.post(t, path+"/tasks", url.Values{"title": {"Phishing-resistant MFA for support"}}); p.status != http.StatusSeeOther {
			t.Fatalf("corrective action = %d", p.status)
		}
		edit := url.Values{"title": {"Phishing of a support agent"}, "severity": {"sev2"}, "status": {"closed"}, "root_cause": {"SMS codes"}, "review": {"Held with support"}, "reviewed_on": {"2026-02-06"}}
		if p = mgr.post(t, path, edit); p.status != refusedStatus || !strings.Contains(p.body, "signed off") {
			t.Fatalf("closing before sign-off = %d", p.status)
		}
		edit.Set("status", "resolved")
		if p = mgr.post(t, path, edit); p.status != http.StatusSeeOther {
			t.Fatalf("review = %d: %.300s", p.status, p.body)
		}
		if p = mgr.post(t, path+"/signoff", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("sign-off = %d: %.300s", p.status, p.body)
		}
		edit.Set("status", "closed")
		if p = mgr.post(t, path, edit); p.status != http.StatusSeeOther {
			t.Fatalf("close = %d: %.300s", p.status, p.body)
		}
		d := mgr.get(t, path).doc(t)
		if d.Find("#signed-off").Length() != 1 || strings.TrimSpace(d.Find("#incident-status").Text()) != "closed" || !strings.Contains(d.Find("#timeline").Text(), "Session revoked") {
			t.Fatalf("incident page after sign-off: %q", d.Find("main").Text())
		}
		csv := mgr.get(t, "/incidents.csv?from=2026-02-01&to=2026-02-28")
		if !strings.Contains(csv.body, "Phishing of a support agent") || strings.Contains(csv.body, "Leaked key") {
			t.Fatalf("February population:\n%s", csv.body)
		}
	})
}

// TestRegisterAPI creates and patches records through the JSON API and
// pages the lists with X-Total-Count; another organization's token sees
// none of them.
func TestRegisterAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		for _, c := range []struct{ plural, body, patch string }{
			{"risks", `{"title":"API risk","category":"data","likelihood":3,"impact":4,"owner_id":0}`, `{"residual_likelihood":1,"residual_impact":2,"treatment":"mitigate"}`},
			{"vendors", `{"name":"API vendor","tier":"high"}`, `{"service":"Email delivery"}`},
			{"assets", `{"name":"API asset","type":"repository","environment":"development","classification":"internal"}`, `{"integrations":"github"}`},
			{"incidents", `{"title":"API incident","severity":"sev3","reported_at":"2026-04-01T12:00:00Z"}`, `{"status":"contained"}`},
		} {
			r := e.do(t, "POST", "/api/v1/"+c.plural, adminA, c.body)
			if r.status != http.StatusCreated {
				t.Fatalf("POST %s = %d: %s", c.plural, r.status, r.body)
			}
			var made struct{ ID int64 }
			json.Unmarshal(r.body, &made)
			r = e.do(t, "PATCH", fmt.Sprintf("/api/v1/%s/%d", c.plural, made.ID), adminA, c.patch)
			if r.status != http.StatusOK {
				t.Fatalf("PATCH %s = %d: %s", c.plural, r.status, r.body)
			}
			if r = e.do(t, "PATCH", fmt.Sprintf("/api/v1/%s/%d", c.plural, made.ID), adminB, c.patch); r.status != http.StatusNotFound {
				t.Fatalf("PATCH by another organization = %d", r.status)
			}
			r = e.do(t, "GET", "/api/v1/"+c.plural+"?limit=1", adminA, "")
			if r.status != http.StatusOK || r.header.Get("X-Total-Count") != "1" {
				t.Fatalf("GET %s = %d, total %q", c.plural, r.status, r.header.Get("X-Total-Count"))
			}
			r = e.do(t, "GET", "/api/v1/"+c.plural, adminB, "")
			if r.header.Get("X-Total-Count") != "0" {
				t.Fatalf("organization B sees %s %s", r.header.Get("X-Total-Count"), c.plural)
			}
			if r = e.do(t, "GET", "/api/v1/"+c.plural+"?sort=nonsense", adminA, ""); r.status != http.StatusBadRequest {
				t.Fatalf("bad sort = %d", r.status)
			}
		}
		var risks []attest.Risk
		json.Unmarshal(e.get(t, "/api/v1/risks"), &risks)
		if len(risks) != 1 || risks[0].ResidualScore() != 2 || risks[0].Treatment != attest.TreatMitigate {
			t.Fatalf("patched risk = %+v", risks)
		}
	})
}

// TestRegisterAPIAcceptance: a token cannot propose an acceptance or name
// who asked for one.
func TestRegisterAPIAcceptance(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		r := e.do(t, "POST", "/api/v1/risks", adminA, `{"title":"Forged","category":"data","likelihood":3,"impact":3,"treatment":"accept","approver_id":1,"requested_by_id":2,"acceptance_review":"2027-01-01"}`)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "proposes an acceptance") {
			t.Fatalf("acceptance through the API = %d: %s", r.status, r.body)
		}
		r = e.do(t, "POST", "/api/v1/risks", adminA, `{"title":"Plain","category":"data","likelihood":3,"impact":3,"requested_by_id":2}`)
		var k attest.Risk
		if json.Unmarshal(r.body, &k); r.status != http.StatusCreated || k.RequestedByID != 0 {
			t.Fatalf("create = %d, requested by %d", r.status, k.RequestedByID)
		}
		r = e.do(t, "PATCH", fmt.Sprintf("/api/v1/risks/%d", k.ID), adminA, `{"treatment":"accept","approver_id":1,"acceptance_review":"2027-01-01"}`)
		if r.status != http.StatusBadRequest {
			t.Fatalf("patch to acceptance = %d: %s", r.status, r.body)
		}
	})
}
