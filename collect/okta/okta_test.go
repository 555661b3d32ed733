package okta_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/conformance"
	"github.com/attest-dev/attest/collect/okta"
)

const token = "00aBcDeFgHiJkLmNoPqRsTuVwXyZ-fixture"

// fixture serves testdata/ as Okta would: SSWS token, Link pagination of
// users, a next link in the body for role assignees, X-Rate-Limit-*.
func fixture(t *testing.T) http.Handler {
	var remaining atomic.Int64
	remaining.Store(600)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		left := remaining.Add(-1)
		h := w.Header()
		h.Set("X-Rate-Limit-Limit", "600")
		h.Set("X-Rate-Limit-Remaining", strconv.FormatInt(max(left, 100), 10))
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))
		h.Set("Content-Type", "application/json")
		base := "http://" + r.Host
		send := func(status int, name string) {
			b, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Errorf("fixture %s: %v", name, err)
			}
			w.WriteHeader(status)
			w.Write(bytes.ReplaceAll(b, []byte("{{BASE}}"), []byte(base)))
		}
		if r.Header.Get("Authorization") != "SSWS "+token {
			send(401, "error.401.json")
			return
		}
		switch p := r.URL.Path; {
		case p == "/api/v1/users" && r.URL.Query().Get("after") == "":
			h.Set("Link", fmt.Sprintf(`<%s/api/v1/users?limit=200>; rel="self"`, base))
			h.Add("Link", fmt.Sprintf(`<%s/api/v1/users?after=00u1bob000000000002&limit=200>; rel="next"`, base))
			send(200, "users.1.json")
		case p == "/api/v1/users":
			h.Set("Link", fmt.Sprintf(`<%s/api/v1/users?after=00u1bob000000000002&limit=200>; rel="self"`, base))
			send(200, "users.2.json")
		case strings.HasSuffix(p, "/factors"):
			send(200, "factors."+strings.Split(p, "/")[4]+".json")
		case p == "/api/v1/iam/assignees/users" && r.URL.Query().Get("after") == "":
			send(200, "assignees.1.json")
		case p == "/api/v1/iam/assignees/users":
			send(200, "assignees.2.json")
		default:
			w.WriteHeader(404)
			fmt.Fprint(w, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found","errorLink":"E0000007","errorId":"x","errorCauses":[]}`)
		}
	})
}

func TestConformance(t *testing.T) {
	conformance.RunHTTP(t, conformance.HTTP{
		Kind: okta.Kind, Secrets: map[string]string{"api_token": token}, Handler: fixture(t), Want: 3,
	})
}

func TestUsers(t *testing.T) {
	srv := conformance.Serve(t, fixture(t))
	rs, err := conformance.Run(t.Context(), t, okta.Kind, collect.Config{Settings: map[string]string{"base_url": srv},
		Secrets: map[string]string{"api_token": token}, Now: func() time.Time { return conformance.Now }})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, r := range rs {
		got[r.Name] = r.Attributes
	}
	tests := []struct {
		login string
		want  map[string]any
	}{
		{"alice@acme.example", map[string]any{"email": "alice@acme.example", "mfa_enrolled": true, "suspended": false, "admin": true, "last_login_days": 2.0}},
		{"bob@acme.example", map[string]any{"mfa_enrolled": false, "mfa_factors": []any{"question"}, "suspended": true, "admin": false, "last_login_days": 100.0}},
		{"carol@acme.example", map[string]any{"mfa_enrolled": false, "suspended": false, "admin": true, "last_login_days": nil, "active": true}},
	}
	for _, tt := range tests {
		for k, v := range tt.want {
			if !reflect.DeepEqual(got[tt.login][k], v) {
				t.Errorf("%s: %s = %#v, want %#v", tt.login, k, got[tt.login][k], v)
			}
		}
	}
}

func TestSettingsValidated(t *testing.T) {
	for field, cfg := range map[string]collect.Config{
		"base_url":  {Settings: map[string]string{"base_url": "acme.okta.com"}, Secrets: map[string]string{"api_token": token}},
		"api_token": {Settings: map[string]string{"base_url": "https://acme.okta.com"}},
	} {
		if _, err := okta.Kind.New(cfg); err == nil || !strings.HasPrefix(err.Error(), field) {
			t.Errorf("%s: got %v", field, err)
		}
	}
}
