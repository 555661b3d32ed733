package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// apiCase is one declarative API test: a request, and what its response
// must and must not hold.
type apiCase struct {
	name         string
	method, path string
	// token is a fixture key (adminA, viewerA, adminB), "" for none, or a
	// literal secret.
	token string
	body  string
	// status is the wanted status; code the wanted error code, if any.
	status int
	code   string
	// want and unwanted are substrings of the body; IDs such as {eng} are
	// filled in first.
	want, unwanted []string
	// same lists paths whose GET by A's admin must not change.
	same  []string
	check check
}

// runCases runs each case that may change data in parallel on fresh
// databases of every target; GET cases share one seeded database per target,
// since they change nothing.
func runCases(t *testing.T, cases []apiCase) {
	t.Helper()
	var reads []apiCase
	for _, c := range cases {
		if c.method == "GET" {
			reads = append(reads, c)
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			forEachDB(t, func(t *testing.T, e *env) { c.run(t, e) })
		})
	}
	if len(reads) == 0 {
		return
	}
	t.Run("reads", func(t *testing.T) {
		t.Parallel()
		forEachDB(t, func(t *testing.T, e *env) {
			for _, c := range reads {
				t.Run(c.name, func(t *testing.T) { c.run(t, e) })
			}
		})
	})
}

func (c apiCase) run(t *testing.T, e *env) {
	t.Helper()
	before := make([][]byte, len(c.same))
	for i, p := range c.same {
		before[i] = e.get(t, p)
	}
	r := e.do(t, c.method, c.path, c.token, c.body)
	if r.status != c.status {
		t.Fatalf("%s %s = %d, want %d:\n%s", c.method, c.path, r.status, c.status, r.body)
	}
	if got := errorCode(r.body); c.code != "" && got != c.code {
		t.Errorf("error code = %q, want %q:\n%s", got, c.code, r.body)
	}
	for _, w := range c.want {
		if w = e.subst.Replace(w); !bytes.Contains(r.body, []byte(w)) {
			t.Errorf("body lacks %q:\n%s", w, r.body)
		}
	}
	for _, u := range c.unwanted {
		if u = e.subst.Replace(u); bytes.Contains(r.body, []byte(u)) {
			t.Errorf("body holds %q:\n%s", u, r.body)
		}
	}
	for i, p := range c.same {
		if after := e.get(t, p); !bytes.Equal(before[i], after) {
			t.Errorf("GET %s changed:\nbefore %s\nafter %s", p, before[i], after)
		}
	}
	if c.check != nil {
		c.check(t, e, r.body)
	}
}

func TestCriteriaAPI(t *testing.T) {
	runCases(t, []apiCase{
		{name: "list all", method: "GET", path: "/api/v1/criteria", token: viewerA, status: 200,
			want:  []string{`"id": "CC1.1"`, `"id": "P8.1"`, `"series": "CC6"`},
			check: arrayLen(61, "id", "category", "series", "title")},
		{name: "privacy", method: "GET", path: "/api/v1/criteria?category=privacy", token: viewerA, status: 200,
			want: []string{`"id": "P1.1"`}, unwanted: []string{`"CC1.1"`, `"security"`},
			check: arrayLen(18, "id", "category", "series", "title")},
		{name: "security", method: "GET", path: "/api/v1/criteria?category=security", token: viewerA, status: 200,
			check: arrayLen(33, "id", "category", "series", "title")},
		{name: "unknown category", method: "GET", path: "/api/v1/criteria?category=nope", token: viewerA, status: 400, code: "invalid",
			want: []string{"nope"}},
		{name: "one", method: "GET", path: "/api/v1/criteria/CC6.1", token: viewerA, status: 200,
			want: []string{`"id": "CC6.1"`, `"category": "security"`, `"title"`}},
		{name: "unknown one", method: "GET", path: "/api/v1/criteria/CC99.1", token: viewerA, status: 404, code: "not_found"},
	})
}

// readinessShape checks the keys of a readiness body and its n criteria.
func readinessShape(n int) check {
	return func(t *testing.T, e *env, body []byte) {
		t.Helper()
		var r map[string]json.RawMessage
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("readiness is not an object: %v", err)
		}
		for _, k := range []string{"score", "categories", "criteria", "gaps"} {
			if r[k] == nil {
				t.Errorf("readiness lacks %q", k)
			}
		}
		var score float64
		if err := json.Unmarshal(r["score"], &score); err != nil || score < 0 || score > 100 {
			t.Errorf("score %s is not a percentage", r["score"])
		}
		var criteria []map[string]json.RawMessage
		if err := json.Unmarshal(r["criteria"], &criteria); err != nil {
			t.Fatalf("criteria: %v", err)
		}
		if len(criteria) != n {
			t.Errorf("readiness has %d criteria, want %d", len(criteria), n)
		}
		for _, c := range criteria {
			var controls []json.RawMessage
			if c["id"] == nil || c["state"] == nil || json.Unmarshal(c["controls"], &controls) != nil {
				t.Errorf("criterion lacks id, state or a controls array: %v", c)
			}
		}
	}
}

func TestReadinessAPI(t *testing.T) {
	runCases(t, []apiCase{
		{name: "engagement", method: "GET", path: "/api/v1/engagements/{eng}/readiness", token: viewerA, status: 200,
			want: []string{`"engagement_id": {eng}`, `"engagement": "A audit"`, `"id": "ACME-01"`, `"kind": "criterion"`,
				`"kind": "unowned_control"`, `"id": "security"`},
			unwanted: []string{`"id": "availability"`, `"kind": "overdue_task"`},
			check:    readinessShape(33)},
		{name: "current", method: "GET", path: "/api/v1/readiness", token: viewerA, status: 200,
			want: []string{`"engagement_id": {eng}`, `"engagement": "A audit"`}, unwanted: []string{engNameB},
			check: readinessShape(33)},
		{name: "unknown engagement", method: "GET", path: "/api/v1/engagements/999999/readiness", token: viewerA, status: 404, code: "not_found"},
		{name: "malformed engagement", method: "GET", path: "/api/v1/engagements/abc/readiness", token: viewerA, status: 404, code: "not_found"},
		{name: "snapshots", method: "GET", path: "/api/v1/engagements/{eng}/snapshots", token: viewerA, status: 200,
			want:  []string{`"engagement_id": {eng}`, `"security"`},
			check: arrayLen(1, "date", "score", "categories", "taken_at")},
		{name: "snapshots of unknown engagement", method: "GET", path: "/api/v1/engagements/999999/snapshots", token: viewerA, status: 404, code: "not_found"},
	})
}

// libraryIDs returns the IDs of the library controls for which keep is true,
// in ID order.
func libraryIDs(keep func(c *attest.Control) bool) []string {
	out := []string{}
	for _, c := range catalog.MustSOC2().Controls {
		if keep(c) {
			out = append(out, c.ID)
		}
	}
	slices.Sort(out)
	return out
}

// TestReadinessFollowsChanges checks that readiness reflects a control
// implemented through the API.
func TestReadinessFollowsChanges(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		var before struct{ Score float64 }
		json.Unmarshal(e.get(t, "/api/v1/readiness"), &before)
		for _, id := range append(libraryIDs(func(c *attest.Control) bool { return slices.Contains(c.Criteria, "CC1.1") }), customA) {
			if r := e.do(t, "PATCH", "/api/v1/controls/"+id, adminA, `{"status":"implemented"}`); r.status != http.StatusOK {
				t.Fatalf("PATCH %s = %d: %s", id, r.status, r.body)
			}
		}
		var after struct {
			Score    float64
			Criteria []struct{ ID, State string }
		}
		json.Unmarshal(e.get(t, "/api/v1/readiness"), &after)
		if after.Score <= before.Score {
			t.Errorf("score %v after implementing controls, want above %v", after.Score, before.Score)
		}
		for _, c := range after.Criteria {
			if c.ID == "CC1.1" && c.State != "ready" {
				t.Errorf("CC1.1 is %s, want ready once all its controls are implemented", c.State)
			}
		}
	})
}

// check is an extra assertion on a case's response.
type check func(t *testing.T, e *env, body []byte)

// arrayLen checks that the body is a JSON array of n objects, each with
// the keys.
func arrayLen(n int, keys ...string) check {
	return func(t *testing.T, e *env, body []byte) {
		t.Helper()
		var items []map[string]any
		if err := json.Unmarshal(body, &items); err != nil {
			t.Fatalf("body is not an array of objects: %v", err)
		}
		if len(items) != n {
			t.Errorf("got %d items, want %d", len(items), n)
		}
		for i, it := range items {
			for _, k := range keys {
				if v, ok := it[k]; !ok || v == "" {
					t.Errorf("item %d lacks %q: %v", i, k, it)
				}
			}
		}
	}
}

// fieldLen checks that the body's key holds an array of n elements.
func fieldLen(key string, n int) check {
	return func(t *testing.T, e *env, body []byte) {
		t.Helper()
		var v map[string]json.RawMessage
		var arr []json.RawMessage
		if err := json.Unmarshal(body, &v); err != nil || json.Unmarshal(v[key], &arr) != nil {
			t.Fatalf("body has no array %q: %s", key, body)
		}
		if len(arr) != n {
			t.Errorf("%s has %d elements, want %d", key, len(arr), n)
		}
	}
}

// ids checks that the body is an array whose objects have exactly these
// IDs, in this order.
func ids(want []string) check {
	return func(t *testing.T, e *env, body []byte) {
		t.Helper()
		var items []struct{ ID string }
		if err := json.Unmarshal(body, &items); err != nil {
			t.Fatalf("body is not an array: %v", err)
		}
		got := []string{}
		for _, it := range items {
			got = append(got, it.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("IDs = %v, want %v", got, want)
		}
	}
}

// reread checks that a later GET of path (A's admin) shows every want.
func reread(path string, want ...string) check {
	return func(t *testing.T, e *env, _ []byte) {
		t.Helper()
		body := e.get(t, path)
		for _, w := range want {
			if w = e.subst.Replace(w); !bytes.Contains(body, []byte(w)) {
				t.Errorf("GET %s lacks %q:\n%s", path, w, body)
			}
		}
	}
}

// rereadLacks checks that a later GET of path (A's admin) shows none of
// unwanted.
func rereadLacks(path string, unwanted ...string) check {
	return func(t *testing.T, e *env, _ []byte) {
		t.Helper()
		body := e.get(t, path)
		for _, u := range unwanted {
			if u = e.subst.Replace(u); bytes.Contains(body, []byte(u)) {
				t.Errorf("GET %s still holds %q:\n%s", path, u, body)
			}
		}
	}
}

// both runs every check.
func both(checks ...check) check {
	return func(t *testing.T, e *env, body []byte) {
		t.Helper()
		for _, c := range checks {
			c(t, e, body)
		}
	}
}

// arrayLenAt checks that a later GET of path (A's admin) lists n items.
func arrayLenAt(path string, n int) check {
	return func(t *testing.T, e *env, _ []byte) {
		t.Helper()
		arrayLen(n)(t, e, e.get(t, path))
	}
}
