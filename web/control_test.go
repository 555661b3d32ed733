package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// inCategory reports whether a control maps to a criterion of the category.
func inCategory(cat string) func(c *attest.Control) bool {
	fw := catalog.MustSOC2()
	return func(c *attest.Control) bool {
		return slices.ContainsFunc(c.Criteria, func(id string) bool { return fw.Criterion(id).Category == cat })
	}
}

// criteriaOf checks that the body is a control mapped to exactly these
// criteria.
func criteriaOf(want ...string) check {
	return func(t *testing.T, e *env, body []byte) {
		t.Helper()
		var c struct{ Criteria []string }
		if err := json.Unmarshal(body, &c); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.Criteria, want) {
			t.Errorf("criteria = %v, want %v", c.Criteria, want)
		}
	}
}

// gone checks that a GET of path by A's admin is 404.
func gone(path string) check {
	return func(t *testing.T, e *env, _ []byte) {
		t.Helper()
		if r := e.do(t, "GET", path, adminA, ""); r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404: %s", path, r.status, r.body)
		}
	}
}

func TestControlsAPI(t *testing.T) {
	all := append(libraryIDs(func(*attest.Control) bool { return true }), customA)
	slices.Sort(all)
	cc61 := libraryIDs(func(c *attest.Control) bool { return slices.Contains(c.Criteria, "CC6.1") })
	privacy := libraryIDs(inCategory("privacy"))
	if len(cc61) == 0 || len(privacy) == 0 {
		t.Fatal("the library has no control for CC6.1 or privacy; the filter cases would prove nothing")
	}
	runCases(t, []apiCase{
		{name: "list", method: "GET", path: "/api/v1/controls", token: viewerA, status: 200, check: ids(all)},
		{name: "by status", method: "GET", path: "/api/v1/controls?status=in_progress", token: viewerA, status: 200,
			want: []string{ownerA}, check: ids([]string{"GOV-01"})},
		{name: "by owner", method: "GET", path: "/api/v1/controls?owner=" + ownerA, token: viewerA, status: 200, check: ids([]string{"GOV-01"})},
		{name: "by criterion", method: "GET", path: "/api/v1/controls?criterion=CC6.1", token: viewerA, status: 200, check: ids(cc61)},
		{name: "by criterion in lower case", method: "GET", path: "/api/v1/controls?criterion=cc6.1", token: viewerA, status: 200, check: ids(cc61)},
		{name: "criterion in lower case by path", method: "GET", path: "/api/v1/criteria/cc6.1", token: viewerA, status: 200, want: []string{`"id": "CC6.1"`}},
		{name: "by category", method: "GET", path: "/api/v1/controls?category=privacy", token: viewerA, status: 200, check: ids(privacy)},
		{name: "by criterion and status", method: "GET", path: "/api/v1/controls?criterion=CC1.1&status=in_progress", token: viewerA, status: 200,
			check: ids([]string{"GOV-01"})},
		{name: "unknown status", method: "GET", path: "/api/v1/controls?status=done", token: viewerA, status: 400, code: "invalid"},
		{name: "unknown criterion filter", method: "GET", path: "/api/v1/controls?criterion=CC99.1", token: viewerA, status: 400, code: "invalid"},
		{name: "unknown category filter", method: "GET", path: "/api/v1/controls?category=nope", token: viewerA, status: 400, code: "invalid"},

		{name: "get", method: "GET", path: "/api/v1/controls/GOV-01", token: viewerA, status: 200,
			want:  []string{`"id": "GOV-01"`, `"email": "` + ownerA + `"`, `"status": "in_progress"`, `"custom": false`, `"evidence": [`},
			check: criteriaOf("CC1.1")},
		{name: "get custom", method: "GET", path: "/api/v1/controls/" + customA, token: viewerA, status: 200,
			want: []string{`"custom": true`, secretA}},
		{name: "get unknown", method: "GET", path: "/api/v1/controls/NOPE-99", token: viewerA, status: 404, code: "not_found"},

		{name: "set status and owner", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA,
			body: `{"status":"implemented","owner":"` + ownerA + `"}`, status: 200,
			want:  []string{`"status": "implemented"`, `"email": "` + ownerA + `"`, `"name": "Alice Owner"`},
			check: reread("/api/v1/controls/GOV-02", `"status": "implemented"`, `"email": "`+ownerA+`"`)},
		{name: "owner who is not a member", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA,
			body: `{"owner":"mallory@evil.example"}`, status: 400, code: "invalid", want: []string{"not a member"}},
		{name: "owner by a name nobody has", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA,
			body: `{"owner":"Mallory"}`, status: 400, code: "invalid"},
		{name: "set due date and notes", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA,
			body: `{"due_date":"2026-05-01","notes":"board meets in May"}`, status: 200,
			check: reread("/api/v1/controls/GOV-02", `"due_date": "2026-05-01"`, `"notes": "board meets in May"`, `"status": "not_started"`)},
		{name: "not applicable without justification", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA,
			body: `{"status":"not_applicable"}`, status: 400, code: "invalid", want: []string{"justification"},
			same: []string{"/api/v1/controls/GOV-02"}, check: reread("/api/v1/controls/GOV-02", `"status": "not_started"`)},
		{name: "not applicable with justification", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA,
			body: `{"status":"not_applicable","justification":"No board yet"}`, status: 200,
			check: reread("/api/v1/controls/GOV-02", `"status": "not_applicable"`, `"justification": "No board yet"`)},
		{name: "unknown status value", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA,
			body: `{"status":"finished"}`, status: 400, code: "invalid", same: []string{"/api/v1/controls/GOV-02"}},
		{name: "bad due date", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA,
			body: `{"due_date":"2026-13-01"}`, status: 400, code: "invalid", same: []string{"/api/v1/controls/GOV-02"}},
		{name: "wrong JSON type", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA,
			body: `{"owner":[5]}`, status: 400, code: "invalid", same: []string{"/api/v1/controls/GOV-02"}},
		{name: "patch unknown", method: "PATCH", path: "/api/v1/controls/NOPE-99", token: adminA,
			body: `{"status":"implemented"}`, status: 404, code: "not_found", check: gone("/api/v1/controls/NOPE-99")},

		{name: "create custom", method: "POST", path: "/api/v1/controls", token: adminA,
			body:   `{"id":"ACME-02","name":"Quarterly access review","criteria":["p1.1","CC6.2"],"frequency":"quarterly","owner_role":"security"}`,
			status: 201, want: []string{`"id": "ACME-02"`, `"custom": true`, `"status": "not_started"`},
			check: reread("/api/v1/controls/ACME-02", `"name": "Quarterly access review"`, `"CC6.2"`, `"P1.1"`)},
		{name: "create duplicate custom", method: "POST", path: "/api/v1/controls", token: adminA,
			body:   `{"id":"ACME-01","name":"Again","criteria":["CC1.1"],"frequency":"monthly"}`,
			status: 409, code: "conflict", same: []string{"/api/v1/controls/" + customA}},
		{name: "create duplicate of library", method: "POST", path: "/api/v1/controls", token: adminA,
			body:   `{"id":"GOV-01","name":"Again","criteria":["CC1.1"],"frequency":"monthly"}`,
			status: 409, code: "conflict", same: []string{"/api/v1/controls/GOV-01"}},
		{name: "create with unknown criterion", method: "POST", path: "/api/v1/controls", token: adminA,
			body:   `{"id":"ACME-03","name":"Bad","criteria":["CC99.1"],"frequency":"monthly"}`,
			status: 400, code: "invalid", want: []string{"CC99.1"}, check: gone("/api/v1/controls/ACME-03")},
		{name: "create without criteria", method: "POST", path: "/api/v1/controls", token: adminA,
			body:   `{"id":"ACME-03","name":"Bad","frequency":"monthly"}`,
			status: 400, code: "invalid", check: gone("/api/v1/controls/ACME-03")},
		{name: "create with bad ID", method: "POST", path: "/api/v1/controls", token: adminA,
			body:   `{"id":"acme 3","name":"Bad","criteria":["CC1.1"],"frequency":"monthly"}`,
			status: 400, code: "invalid", check: gone("/api/v1/controls/acme%203")},

		{name: "map", method: "PUT", path: "/api/v1/controls/GOV-01/criteria/P1.1", token: adminA, status: 200,
			check: both(criteriaOf("CC1.1", "P1.1"), reread("/api/v1/controls/GOV-01", `"P1.1"`))},
		{name: "map again", method: "PUT", path: "/api/v1/controls/GOV-01/criteria/CC1.1", token: adminA, status: 200,
			check: criteriaOf("CC1.1")},
		{name: "map unknown criterion", method: "PUT", path: "/api/v1/controls/GOV-01/criteria/CC99.1", token: adminA,
			status: 400, code: "invalid", same: []string{"/api/v1/controls/GOV-01"}},
		{name: "map unknown control", method: "PUT", path: "/api/v1/controls/NOPE-99/criteria/CC1.1", token: adminA,
			status: 404, code: "not_found", check: gone("/api/v1/controls/NOPE-99")},
		{name: "unmap", method: "DELETE", path: "/api/v1/controls/GOV-01/criteria/CC1.1", token: adminA, status: 200,
			want: []string{`"criteria": []`}, check: reread("/api/v1/controls/GOV-01", `"criteria": []`)},
		{name: "unmap what is not mapped", method: "DELETE", path: "/api/v1/controls/GOV-01/criteria/P1.1", token: adminA,
			status: 404, code: "not_found", same: []string{"/api/v1/controls/GOV-01"}},
	})
}
