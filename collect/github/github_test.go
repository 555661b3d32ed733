package github_test

import (
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

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/conformance"
	"github.com/attest-dev/attest/collect/github"
)

const token = "ghp_fixtureTokenNeverShown"

// fixture serves testdata/ as GitHub would for the organization acme:
// pages linked with Link headers, x-ratelimit-* headers on every answer,
// 401 without the token, 404 for anything else.
func fixture(t *testing.T) http.Handler {
	var remaining atomic.Int64
	remaining.Store(5000)
	file := func(w http.ResponseWriter, status int, name string) {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Errorf("fixture %s: %v", name, err)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		w.Write(b)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("x-ratelimit-limit", "5000")
		h.Set("x-ratelimit-remaining", strconv.FormatInt(remaining.Add(-1), 10))
		h.Set("x-ratelimit-reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
		h.Set("x-ratelimit-resource", "core")
		if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("X-GitHub-Api-Version") != "2022-11-28" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`)
			return
		}
		q := r.URL.Query()
		page := q.Get("page")
		if page == "" {
			page = "1"
		}
		paged := func(name string, last int) {
			p, _ := strconv.Atoi(page)
			if p < last {
				next := *r.URL
				v := next.Query()
				v.Set("page", strconv.Itoa(p+1))
				next.RawQuery = v.Encode()
				h.Add("Link", fmt.Sprintf(`<http://%s%s>; rel="next", <http://%s%s?page=%d>; rel="last"`, r.Host, next.RequestURI(), r.Host, r.URL.Path, last))
			}
			file(w, 200, fmt.Sprintf("%s.%s.json", name, page))
		}
		switch p := r.URL.Path; {
		case p == "/orgs/acme":
			file(w, 200, "org.json")
		case p == "/orgs/acme/members" && q.Get("role") == "admin":
			file(w, 200, "members.admin.json")
		case p == "/orgs/acme/members" && q.Get("filter") == "2fa_disabled":
			file(w, 200, "members.2fa_disabled.json")
		case p == "/orgs/acme/members":
			paged("members", 2)
		case strings.HasPrefix(p, "/users/"):
			file(w, 200, "user."+strings.TrimPrefix(p, "/users/")+".json")
		case p == "/orgs/acme/repos":
			paged("repos", 2)
		case p == "/repos/acme/api/branches/main/protection":
			file(w, 200, "protection.api.json")
		case strings.HasSuffix(p, "/protection"):
			file(w, 404, "not-protected.json")
		case p == "/repos/acme/web/rules/branches/trunk":
			file(w, 200, "rules.web.json")
		case p == "/repos/acme/web/rulesets/42":
			file(w, 200, "ruleset.web.json")
		case p == "/repos/acme/api/pulls" && q.Get("state") == "closed" && q.Get("base") == "main":
			file(w, 200, "pulls.api.json")
		case p == "/repos/acme/web/pulls" && q.Get("state") == "closed" && q.Get("base") == "trunk":
			file(w, 200, "pulls.empty.json")
		case strings.HasPrefix(p, "/repos/acme/api/pulls/") && strings.HasSuffix(p, "/reviews"):
			file(w, 200, "reviews.api."+strings.TrimSuffix(strings.TrimPrefix(p, "/repos/acme/api/pulls/"), "/reviews")+".json")
		case p == "/orgs/acme/dependabot/alerts" && q.Get("state") == "open" && q.Get("severity") == "critical":
			file(w, 200, "dependabot.json")
		case p == "/orgs/acme/secret-scanning/alerts" && q.Get("state") == "open":
			file(w, 200, "secret-scanning.json")
		default:
			w.WriteHeader(404)
			fmt.Fprint(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`)
		}
	})
}

func TestConformance(t *testing.T) {
	conformance.RunHTTP(t, conformance.HTTP{
		Kind:     github.Kind,
		Settings: map[string]string{"org": "acme"},
		Secrets:  map[string]string{"token": token},
		Handler:  fixture(t),
		Want:     9,
	})
}

func TestOrganization(t *testing.T) {
	srv := conformance.Serve(t, fixture(t))
	rs, err := conformance.Run(t.Context(), t, github.Kind, collect.Config{
		Settings: map[string]string{"org": "acme", "base_url": srv}, Secrets: map[string]string{"token": token},
		Now: func() time.Time { return conformance.Now }})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, r := range rs {
		got[r.ID] = r.Attributes
	}
	tests := []struct {
		id   string
		want map[string]any
	}{
		{"acme", map[string]any{"two_factor_requirement_enabled": false, "default_repository_permission": "read"}},
		{"acme/alice-acme", map[string]any{"login": "alice-acme", "role": "admin", "email": "alice@acme.example", "two_factor_enabled": false}},
		{"acme/bob-acme", map[string]any{"role": "member", "email": "bob@acme.example", "two_factor_enabled": true}},
		{"acme/carol-acme", map[string]any{"role": "member", "email": ""}},
		{"acme/api", map[string]any{"default_branch": "main", "archived": false, "protected": true,
			"dependabot_alerts_open_critical": 2.0, "secret_scanning_enabled": false, "secret_scanning_alerts_open": 0.0,
			"branch_protection": map[string]any{"source": "branch_protection", "required_approving_review_count": 2.0,
				"dismiss_stale_reviews": true, "required_status_checks": true, "enforce_admins": true,
				"allow_force_pushes": false, "allow_deletions": false}}},
		{"acme/web", map[string]any{"default_branch": "trunk", "protected": true, "dependabot_alerts_open_critical": 0.0,
			"secret_scanning_enabled": true, "secret_scanning_alerts_open": 1.0,
			"branch_protection": map[string]any{"source": "rulesets", "required_approving_review_count": 1.0,
				"dismiss_stale_reviews": false, "required_status_checks": true, "enforce_admins": true,
				"allow_force_pushes": false, "allow_deletions": false}}},
		{"acme/legacy", map[string]any{"archived": true, "protected": false, "branch_protection": nil}},
		// Merged pull requests: the latest approving review of each
		// reviewer counts; comments (the author's own included) do not.
		{"acme/api#101", map[string]any{"repository": "acme/api", "number": 101.0, "author": "bob-acme", "merged_at": "2026-03-11T12:00:00Z",
			"merge_commit_sha": "7638417db6d59f3c431d3e1f261cc637155684cd", "approvers": []any{"alice-acme", "carol-acme"}, "approved_by_other": true,
			"requested_reviewers": []any{"carol-acme"}, "url": "https://github.com/acme/api/pull/101", "base": "main", "title": "Rotate the signing key"}},
		{"acme/api#102", map[string]any{"author": "bob-acme", "approvers": []any{}, "approved_by_other": false, "body": "Customers hit the 10 MB limit."}},
	}
	if _, ok := got["acme/api#103"]; ok {
		t.Error("a pull request closed without merging was collected")
	}
	for _, tt := range tests {
		a, ok := got[tt.id]
		if !ok {
			t.Fatalf("%s not collected; got %v", tt.id, got)
		}
		for k, v := range tt.want {
			if !reflect.DeepEqual(a[k], v) {
				t.Errorf("%s: %s = %#v, want %#v", tt.id, k, a[k], v)
			}
		}
	}
}

func TestSettingsValidated(t *testing.T) {
	for field, cfg := range map[string]collect.Config{
		"org":      {Settings: map[string]string{"org": "no spaces allowed"}, Secrets: map[string]string{"token": token}},
		"token":    {Settings: map[string]string{"org": "acme"}},
		"base_url": {Settings: map[string]string{"org": "acme", "base_url": "ftp://x"}, Secrets: map[string]string{"token": token}},
	} {
		_, err := github.Kind.New(cfg)
		if err == nil || !strings.HasPrefix(err.Error(), field) || strings.Contains(err.Error(), token) {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

// TestPullRequestLookback: reading stops at the first pull request updated
// before the lookback, and 0 days reads none.
func TestPullRequestLookback(t *testing.T) {
	srv := conformance.Serve(t, fixture(t))
	for days, want := range map[string]int{"1": 0, "0": 0, "30": 2} {
		rs, err := conformance.Run(t.Context(), t, github.Kind, collect.Config{
			Settings: map[string]string{"org": "acme", "base_url": srv, "pull_request_days": days}, Secrets: map[string]string{"token": token},
			Now: func() time.Time { return conformance.Now }})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rs {
			if r.Type == "github.pull_request" {
				n++
			}
		}
		if n != want {
			t.Errorf("%s days: %d pull requests, want %d", days, n, want)
		}
	}
	if _, err := github.Kind.New(collect.Config{Settings: map[string]string{"org": "acme", "pull_request_days": "soon"}, Secrets: map[string]string{"token": token}}); err == nil || !strings.HasPrefix(err.Error(), "pull_request_days") {
		t.Errorf("a bad lookback: %v", err)
	}
}

// TestPullRequestsBecomeChanges: the collected pull requests carry what
// the change-record import reads: author and approvers by login, the
// merge date, title, link and repository.
func TestPullRequestsBecomeChanges(t *testing.T) {
	srv := conformance.Serve(t, fixture(t))
	rs, err := conformance.Run(t.Context(), t, github.Kind, collect.Config{
		Settings: map[string]string{"org": "acme", "base_url": srv}, Secrets: map[string]string{"token": token},
		Now: func() time.Time { return conformance.Now }})
	if err != nil {
		t.Fatal(err)
	}
	members := map[string]int64{"bob-acme": 1, "alice-acme": 2, "carol-acme": 3}
	changes, err := attest.ChangesFromResources(rs, func(login string) int64 { return members[login] })
	if err != nil || len(changes) != 2 {
		t.Fatalf("changes = %+v, %v", changes, err)
	}
	by := map[string]*attest.ChangeRecord{}
	for _, c := range changes {
		by[c.ExternalID] = c
	}
	if c := by["acme/api#101"]; c == nil || c.RequesterID != 1 || c.ApproverID != 2 || c.ImplementedOn != "2026-03-11" || c.System != "acme/api" || c.URL != "https://github.com/acme/api/pull/101" {
		t.Errorf("#101 = %+v", c)
	}
	if c := by["acme/api#102"]; c == nil || c.RequesterID != 1 || c.ApproverID != 0 {
		t.Errorf("#102 (no approval) = %+v", c)
	}
}
