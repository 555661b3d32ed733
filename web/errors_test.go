package web

import (
	"strings"
	"testing"
)

// TestErrors checks bad requests; every error body's shape and Content-Type
// are checked by env.send for all tests.
func TestErrors(t *testing.T) {
	huge := strings.Repeat("x", MaxBodyBytes)
	runCases(t, []apiCase{
		{name: "malformed JSON", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA, body: `{"status":`,
			status: 400, code: "invalid", want: []string{"malformed JSON"}, same: stateA},
		{name: "not an object", method: "POST", path: "/api/v1/tasks", token: adminA, body: `["a task"]`,
			status: 400, code: "invalid", same: stateA},
		{name: "two values", method: "POST", path: "/api/v1/tasks", token: adminA, body: `{"title":"one"} {"title":"two"}`,
			status: 400, code: "invalid", same: stateA},
		{name: "empty body", method: "POST", path: "/api/v1/tasks", token: adminA, body: ``,
			status: 400, code: "invalid", same: stateA},
		{name: "unknown field in update", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA, body: `{"statuz":"implemented"}`,
			status: 400, code: "invalid", want: []string{"statuz"}, same: stateA},
		{name: "unknown field in create", method: "POST", path: "/api/v1/tasks", token: adminA, body: `{"title":"X","priority":1}`,
			status: 400, code: "invalid", want: []string{"priority"}, same: stateA},
		{name: "body too large on create", method: "POST", path: "/api/v1/tasks", token: adminA, body: `{"title":"` + huge + `"}`,
			status: 413, code: "too_large", unwanted: []string{"xxxx"}, same: stateA},
		{name: "body too large on update", method: "PATCH", path: "/api/v1/controls/GOV-01", token: adminA, body: `{"notes":"` + huge + `"}`,
			status: 413, code: "too_large", same: stateA},
		{name: "body too large on engagement", method: "POST", path: "/api/v1/engagements", token: adminA,
			body:   `{"name":"Big","report_type":"type1","as_of_date":"2026-09-30","notes":"` + huge + `"}`,
			status: 413, code: "too_large", same: stateA},
		{name: "body just under the limit", method: "PATCH", path: "/api/v1/controls/GOV-02", token: adminA,
			body:   `{"notes":"` + huge[:MaxBodyBytes-20] + `"}`,
			status: 200, check: reread("/api/v1/controls/GOV-02", huge[:MaxBodyBytes-20])},
		{name: "unknown API route", method: "GET", path: "/api/v1/nope", token: adminA, status: 404, code: "not_found"},
		{name: "unknown API route without token", method: "GET", path: "/api/v1/nope", status: 404, code: "not_found"},
		{name: "unknown API version", method: "GET", path: "/api/v2/controls", token: adminA, status: 404, code: "not_found"},
		{name: "unknown method", method: "DELETE", path: "/api/v1/tasks/{task}", token: adminA, status: 404, code: "not_found",
			same: stateA},
		{name: "health", method: "GET", path: "/healthz", status: 200, want: []string{`"status": "ok"`}},
		{name: "home without a session leads to sign-in", method: "GET", path: "/", status: 200, want: []string{"Sign in to Attest"}},
	})
}

func TestSecurityHeaders(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		for _, c := range []struct{ method, path, token string }{
			{"GET", "/", ""},
			{"GET", "/healthz", ""},
			{"GET", "/api/v1/controls", adminA},
			{"GET", "/api/v1/controls", ""},
			{"PATCH", "/api/v1/controls/GOV-01", viewerA},
			{"GET", "/api/v1/nope", adminA},
			{"GET", "/nope", ""},
		} {
			r := e.do(t, c.method, c.path, c.token, "")
			for name, want := range map[string]string{
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": "frame-ancestors 'none'",
				"Referrer-Policy":         "no-referrer",
				"X-Frame-Options":         "DENY",
			} {
				if got := r.header.Get(name); !strings.Contains(got, want) {
					t.Errorf("%s %s (%d): %s = %q, want %q", c.method, c.path, r.status, name, got, want)
				}
			}
		}
	})
}
