package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

func TestAuthentication(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		revoked := &attest.Token{OrgID: e.orgA, Name: "revoked", Role: attest.RoleAdmin}
		revokedSecret, err := e.db.CreateToken(ctx, revoked)
		if err != nil {
			t.Fatal(err)
		}
		if r := e.do(t, "GET", "/api/v1/controls", revokedSecret, ""); r.status != http.StatusOK {
			t.Fatalf("token before revocation: %d, want 200: %s", r.status, r.body)
		}
		if err := e.db.RevokeToken(ctx, e.orgA, revoked.ID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name          string
			authorization string // "" sends no header
			status        int
		}{
			{"no header", "", 401},
			{"empty bearer", "Bearer ", 401},
			{"basic scheme", "Basic " + e.tokens[adminA], 401},
			{"secret without scheme", e.tokens[adminA], 401},
			{"unknown token", "Bearer attest_0000000000000000000000000000000000000000", 401},
			{"tampered token", "Bearer " + e.tokens[adminA] + "x", 401},
			{"revoked token", "Bearer " + revokedSecret, 401},
			{"viewer", "Bearer " + e.tokens[viewerA], 200},
			{"admin", "Bearer " + e.tokens[adminA], 200},
		} {
			t.Run(c.name, func(t *testing.T) {
				req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/controls", nil)
				if c.authorization != "" {
					req.Header.Set("Authorization", c.authorization)
				}
				r := e.send(t, req)
				if r.status != c.status {
					t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
				}
				if c.status == 401 {
					if code := errorCode(r.body); code != attest.EUNAUTHORIZED {
						t.Errorf("code %q, want unauthorized", code)
					}
					if h := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
						t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", h)
					}
					if strings.Contains(string(r.body), ownerA) {
						t.Errorf("a refused request got data: %s", r.body)
					}
				}
			})
		}
	})
}

// writeBodies holds, for every write route, a valid body: were the role
// check missing, the request would change data and the test would see it.
var writeBodies = map[string]string{
	"POST /api/v1/integrations":                         `{"kind":"agent","name":"viewer-agent","secrets":{"key":"k"}}`,
	"POST /api/v1/integrations/{id}/run":                ``,
	"POST /api/v1/integrations/{id}/test":               ``,
	"POST /api/v1/controls":                             `{"id":"VIEW-01","name":"Viewer control","criteria":["CC1.1"],"frequency":"monthly"}`,
	"PATCH /api/v1/controls/{id}":                       `{"status":"implemented","owner":"viewer"}`,
	"PUT /api/v1/controls/{id}/criteria/{criterion}":    ``,
	"DELETE /api/v1/controls/{id}/criteria/{criterion}": ``,
	"POST /api/v1/engagements":                          `{"name":"Viewer audit","report_type":"type1","as_of_date":"2026-09-30"}`,
	"PATCH /api/v1/engagements/{id}":                    `{"name":"Viewer was here"}`,
	"PUT /api/v1/engagements/{id}/scope":                `{"categories":["privacy"]}`,
	"POST /api/v1/engagements/{id}/systems":             `{"name":"Viewer system"}`,
	"DELETE /api/v1/engagements/{id}/systems/{system}":  ``,
	"PATCH /api/v1/engagements/{id}/systems/{system}":   `{"owner":""}`,
	"POST /api/v1/tasks":                                `{"title":"Viewer task"}`,
	"PATCH /api/v1/tasks/{id}":                          `{"title":"Viewer was here"}`,
	"POST /api/v1/tasks/{id}/close":                     ``,
}

// TestRouteAccess walks the route table: every non-public route refuses a
// request without a token; a viewer may call the read routes and gets 403
// from the write routes, which change nothing.
func TestRouteAccess(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.seedRecordsAPI(t) // the single reads find a record
		before := e.readState(t)
		writes := 0
		for _, rt := range e.server.routes {
			if rt.auth != token {
				continue // pages: see TestAuthorizationMatrix
			}
			key := rt.method + " " + rt.pattern
			path := concrete(t, rt.pattern)
			body, ok := writeBodies[key]
			if rt.action == attest.EditReadiness && !ok {
				t.Errorf("write route %s has no entry in writeBodies", key)
			}
			{
				if r := e.do(t, rt.method, path, "", body); r.status != http.StatusUnauthorized {
					t.Errorf("%s without a token = %d, want 401", key, r.status)
				}
			}
			r := e.do(t, rt.method, path, viewerA, body)
			switch rt.action {
			case attest.EditReadiness:
				writes++
				if r.status != http.StatusForbidden || errorCode(r.body) != attest.EFORBIDDEN {
					t.Errorf("%s by a viewer = %d %s, want 403 forbidden", key, r.status, r.body)
				}
			default:
				if r.status != http.StatusOK {
					t.Errorf("%s by a viewer = %d, want 200: %s", key, r.status, r.body)
				}
			}
		}
		if writes != len(writeBodies) {
			t.Errorf("walked %d write routes, writeBodies has %d: remove stale entries", writes, len(writeBodies))
		}
		e.sameState(t, before)
	})
}
