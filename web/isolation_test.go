package web

import (
	"bytes"
	"net/http"
	"testing"
)

// isoCase is one request by organization B's admin that names organization
// A's data. It must get status and B's own data (want), never A's.
type isoCase struct {
	path   string
	body   string
	status int
	want   []string
}

// isolationCases holds, for every route of the table, the requests B makes
// with A's IDs. Control IDs are shared library IDs, so there B reaches its
// own copy; A's custom control and A's engagement, system and task IDs must
// not be found.
var isolationCases = map[string][]isoCase{

	"GET /api/v1/criteria":      {{path: "/api/v1/criteria", status: 200, want: []string{`"CC1.1"`}}},
	"GET /api/v1/criteria/{id}": {{path: "/api/v1/criteria/CC1.1", status: 200}},

	"GET /api/v1/controls": {
		{path: "/api/v1/controls", status: 200, want: []string{`"id": "GOV-01"`}},
		{path: "/api/v1/controls?status=in_progress", status: 200, want: []string{`[]`}},
		{path: "/api/v1/controls?owner=" + ownerA, status: 200, want: []string{`[]`}},
	},
	"POST /api/v1/controls": {{path: "/api/v1/controls", status: 201,
		body: `{"id":"BETA-01","name":"B control","criteria":["CC1.1"],"frequency":"monthly"}`, want: []string{`"id": "BETA-01"`}}},
	"GET /api/v1/controls/{id}": {
		{path: "/api/v1/controls/" + customA, status: 404},
		{path: "/api/v1/controls/GOV-01", status: 200, want: []string{`"id": "GOV-01"`}},
	},
	"PATCH /api/v1/controls/{id}": {
		{path: "/api/v1/controls/" + customA, body: `{"status":"implemented"}`, status: 404},
		{path: "/api/v1/controls/GOV-01", body: `{"status":"implemented","owner_note":"bob@b.example"}`, status: 200,
			want: []string{`"owner_note": "bob@b.example"`}},
	},
	"PUT /api/v1/controls/{id}/criteria/{criterion}": {
		{path: "/api/v1/controls/" + customA + "/criteria/CC1.2", status: 404},
		{path: "/api/v1/controls/GOV-01/criteria/P1.1", status: 200, want: []string{`"P1.1"`}},
	},
	"DELETE /api/v1/controls/{id}/criteria/{criterion}": {
		{path: "/api/v1/controls/" + customA + "/criteria/CC1.1", status: 404},
		{path: "/api/v1/controls/GOV-01/criteria/CC1.1", status: 200},
	},

	"GET /api/v1/engagements": {{path: "/api/v1/engagements", status: 200, want: []string{engNameB}}},
	"POST /api/v1/engagements": {{path: "/api/v1/engagements", status: 201,
		body: `{"name":"B second","report_type":"type1","as_of_date":"2026-09-30"}`, want: []string{"B second"}}},
	"GET /api/v1/engagements/{id}":   {{path: "/api/v1/engagements/{eng}", status: 404}},
	"PATCH /api/v1/engagements/{id}": {{path: "/api/v1/engagements/{eng}", body: `{"name":"Taken over"}`, status: 404}},
	"GET /api/v1/engagements/{id}/scope": {
		{path: "/api/v1/engagements/{eng}/scope", status: 404},
		{path: "/api/v1/engagements/{engB}/scope", status: 200, want: []string{`"CC1.1"`}},
	},
	"PUT /api/v1/engagements/{id}/scope":    {{path: "/api/v1/engagements/{eng}/scope", body: `{"categories":["privacy"]}`, status: 404}},
	"POST /api/v1/engagements/{id}/systems": {{path: "/api/v1/engagements/{eng}/systems", body: `{"name":"Planted"}`, status: 404}},
	"DELETE /api/v1/engagements/{id}/systems/{system}": {
		{path: "/api/v1/engagements/{eng}/systems/{system}", status: 404},
		{path: "/api/v1/engagements/{engB}/systems/{system}", status: 404},
	},
	"PATCH /api/v1/engagements/{id}/systems/{system}": {
		{path: "/api/v1/engagements/{eng}/systems/{system}", body: `{"owner":""}`, status: 404},
		{path: "/api/v1/engagements/{engB}/systems/{system}", body: `{"owner":""}`, status: 404},
	},
	"GET /api/v1/engagements/{id}/readiness": {{path: "/api/v1/engagements/{eng}/readiness", status: 404}},
	"GET /api/v1/engagements/{id}/snapshots": {{path: "/api/v1/engagements/{eng}/snapshots", status: 404}},
	"GET /api/v1/readiness":                  {{path: "/api/v1/readiness", status: 200, want: []string{`"engagement": "B `}}},

	"GET /api/v1/tasks": {
		{path: "/api/v1/tasks", status: 200, want: []string{`[]`}},
		{path: "/api/v1/tasks?engagement={eng}", status: 200, want: []string{`[]`}},
		{path: "/api/v1/tasks?control=GOV-01", status: 200, want: []string{`[]`}},
	},
	"POST /api/v1/tasks": {
		{path: "/api/v1/tasks", body: `{"title":"Planted","engagement_id":{eng}}`, status: 400},
		{path: "/api/v1/tasks", body: `{"title":"Planted","control_id":"` + customA + `"}`, status: 400},
	},
	"GET /api/v1/tasks/{id}":        {{path: "/api/v1/tasks/{task}", status: 404}},
	"PATCH /api/v1/tasks/{id}":      {{path: "/api/v1/tasks/{task}", body: `{"title":"Taken over"}`, status: 404}},
	"POST /api/v1/tasks/{id}/close": {{path: "/api/v1/tasks/{task}/close", status: 404}},
}

// TestOrganizationIsolation walks the route table with organization B's
// admin token and A's IDs: B gets 404 or its own data, A's data never shows
// and never changes. A route without a case fails the test.
func TestOrganizationIsolation(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.seedRecordsAPI(t) // B asks for A's records by their IDs
		before := e.readState(t)
		seen := map[string]bool{}
		for _, rt := range e.server.routes {
			if rt.auth != token {
				continue // pages: see TestAuthorizationMatrix
			}
			key := rt.method + " " + rt.pattern
			cases, ok := isolationCases[key]
			if !ok {
				t.Errorf("route %s has no isolation case: add one to isolationCases", key)
				continue
			}
			seen[key] = true
			for _, c := range cases {
				r := e.do(t, rt.method, c.path, adminB, c.body)
				if r.status != c.status {
					t.Errorf("B: %s %s = %d, want %d: %s", rt.method, c.path, r.status, c.status, r.body)
				}
				for _, w := range c.want {
					if !bytes.Contains(r.body, []byte(e.subst.Replace(w))) {
						t.Errorf("B: %s %s lacks %q: %s", rt.method, c.path, w, r.body)
					}
				}
				for _, secret := range []string{ownerA, secretA, engNameA} {
					if bytes.Contains(r.body, []byte(secret)) {
						t.Errorf("B: %s %s shows A's %q: %s", rt.method, c.path, secret, r.body)
					}
				}
			}
		}
		for key := range isolationCases {
			if !seen[key] {
				t.Errorf("isolation case for %s, which is not in the route table", key)
			}
		}
		e.sameState(t, before)

		// B's changes went to B's own copy of the library control.
		r := e.do(t, "GET", "/api/v1/controls/GOV-01", adminB, "")
		if r.status != http.StatusOK {
			t.Fatalf("B: GET GOV-01 = %d", r.status)
		}
		for _, w := range []string{`"owner_note": "bob@b.example"`, `"status": "implemented"`, `"criteria": [` + "\n    \"P1.1\"\n  ]"} {
			if !bytes.Contains(r.body, []byte(w)) {
				t.Errorf("B's GOV-01 lacks %q: %s", w, r.body)
			}
		}
	})
}
