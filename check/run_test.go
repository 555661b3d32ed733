package check

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/internal/synth"
)

func mustParse(t testing.TB, src string) *Check {
	t.Helper()
	c, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func collectRows(t testing.TB, checks []*Check, rs []collect.Resource) []Result {
	t.Helper()
	var rows []Result
	if err := RunAt(context.Background(), fixtureNow, checks, NewMemorySource(rs), func(r Result) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestRunStatuses: pass, fail with its reason, skip when "when" is
// false, and error for a resource the expression cannot read, in one run
// that goes on past the error.
func TestRunStatuses(t *testing.T) {
	c := mustParse(t, goodCheck)
	rs := []collect.Resource{
		{Type: "idp.user", ID: "1", Attributes: map[string]any{"email": "a@x", "suspended": false, "mfa_enrolled": true}},
		{Type: "idp.user", ID: "2", Attributes: map[string]any{"email": "b@x", "suspended": false, "mfa_enrolled": false}},
		{Type: "idp.user", ID: "3", Attributes: map[string]any{"email": "c@x", "suspended": true}},
		{Type: "idp.user", ID: "4", Attributes: map[string]any{"email": "d@x", "suspended": false}},
		{Type: "idp.user", ID: "5", Attributes: map[string]any{"email": "e@x", "suspended": false, "mfa_enrolled": "yes"}},
		{Type: "idp.user", ID: "6", Attributes: nil},
		{Type: "github.member", ID: "7", Attributes: map[string]any{}},
	}
	got := collectRows(t, []*Check{c}, rs)
	want := []struct {
		id     string
		status Status
		reason string
	}{{"1", Pass, ""}, {"2", Fail, "b@x has no MFA"}, {"3", Skip, ""}, {"4", Error, "condition: no such key: mfa_enrolled"},
		{"5", Fail, "e@x has no MFA"}, {"6", Error, "when: no such key: suspended"}}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceID != w.id || got[i].Status != w.status || got[i].Reason != w.reason || got[i].CheckID != "demo-mfa" {
			t.Errorf("row %d: %+v, want %+v", i, got[i], w)
		}
	}
}

// TestRunOrderAcrossWorkers: with more resources than one batch, rows
// still come in the source's order, check by check.
func TestRunOrderAcrossWorkers(t *testing.T) {
	a := mustParse(t, goodCheck)
	b := mustParse(t, strings.Replace(goodCheck, "id: demo-mfa", "id: demo-b", 1))
	var rs []collect.Resource
	for i := range 5000 {
		rs = append(rs, collect.Resource{Type: "idp.user", ID: fmt.Sprint(i), Attributes: map[string]any{"email": "x", "suspended": false, "mfa_enrolled": i%3 == 0}})
	}
	got := collectRows(t, []*Check{a, b}, rs)
	if len(got) != 10000 {
		t.Fatalf("%d rows", len(got))
	}
	for i, r := range got {
		wantCheck := []string{"demo-mfa", "demo-b"}[i%2]
		wantStatus := Fail
		if (i/2)%3 == 0 {
			wantStatus = Pass
		}
		if r.ResourceID != fmt.Sprint(i/2) || r.CheckID != wantCheck || r.Status != wantStatus {
			t.Fatalf("row %d: %+v", i, r)
		}
	}
}

// TestRunStopsOnEmitError: an error from emit ends the run with it.
func TestRunStopsOnEmitError(t *testing.T) {
	c := mustParse(t, goodCheck)
	var rs []collect.Resource
	for i := range 3000 {
		rs = append(rs, collect.Resource{Type: "idp.user", ID: fmt.Sprint(i), Attributes: map[string]any{"suspended": true}})
	}
	stop := errors.New("disk full")
	for _, procs := range []int{runtime.GOMAXPROCS(0), 1} { // the pipeline, then the one-core path
		prev := runtime.GOMAXPROCS(procs)
		n := 0
		err := Run(context.Background(), []*Check{c}, NewMemorySource(rs), func(Result) error {
			n++
			if n == 700 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 700 {
			t.Errorf("procs=%d: err %v after %d rows", procs, err, n)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := Run(ctx, []*Check{c}, NewMemorySource(rs), func(Result) error { return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("procs=%d: cancelled run: %v", procs, err)
		}
		runtime.GOMAXPROCS(prev)
	}
}

// TestRunLookupJoin: the leaver check joins the roster by lower-cased
// email, counts only end dates in the past, and ignores case.
func TestRunLookupJoin(t *testing.T) {
	checks, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var leaver *Check
	for _, c := range checks {
		if c.ID == "idp-leaver-suspended" {
			leaver = c
		}
	}
	person := func(id, email, end string) collect.Resource {
		return collect.Resource{Type: "hr.person", ID: id, Attributes: map[string]any{"email": email, "end_date": end}}
	}
	user := func(id, email string, suspended bool) collect.Resource {
		return collect.Resource{Type: "idp.user", ID: id, Attributes: map[string]any{"email": email, "suspended": suspended}}
	}
	rs := []collect.Resource{
		person("p1", "Gone@Example.com", "2026-05-20"),  // left
		person("p2", "later@example.com", "2026-07-01"), // leaves next month
		person("p3", "staying@example.com", ""),         // employed
		person("p4", "bad-date@example.com", "someday"), // unreadable: not a leaver
		user("u1", "gone@example.COM", false),
		user("u2", "gone@example.com", true),
		user("u3", "later@example.com", false),
		user("u4", "staying@example.com", false),
		user("u5", "bad-date@example.com", false),
	}
	got := collectRows(t, []*Check{leaver}, rs)
	want := map[string]Status{"u1": Fail, "u2": Pass, "u3": Pass, "u4": Pass, "u5": Pass}
	if len(got) != len(want) {
		t.Fatalf("%d rows: %+v", len(got), got)
	}
	for _, r := range got {
		if r.Status != want[r.ResourceID] {
			t.Errorf("%s: %s (%s), want %s", r.ResourceID, r.Status, r.Reason, want[r.ResourceID])
		}
	}
	if got[0].Reason != "gone@example.COM is active but left on 2026-05-20" {
		t.Errorf("reason %q", got[0].Reason)
	}
}

// TestRunOneCoreSameRows: the one-core path (no pipeline) gives exactly
// the rows of the parallel one, over the synthetic organization and every
// built-in check.
func TestRunOneCoreSameRows(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	src := NewMemorySource(synth.Resources(3000, 7))
	parallel := collectRows(t, all, src.all())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	single := collectRows(t, all, src.all())
	if !reflect.DeepEqual(parallel, single) {
		t.Errorf("one core gives %d rows, several %d, or they differ", len(single), len(parallel))
	}
}

// TestReadsMeta: expressions that may read type, id or name are told
// apart from those reading attributes only.
func TestReadsMeta(t *testing.T) {
	for src, want := range map[string]bool{
		"resource.attributes.x == 1":                  false,
		"resource . attributes.x && resourceful == 1": false,
		"resource.name != 'postgres'":                 true,
		"resource['id'] == 'x'":                       true,
		"size(resource) > 0":                          true,
		"has(resource.attributes.a) && resource.type": true,
		"lower(resource.attributes.email) in ['x']":   false,
	} {
		if got := readsMeta(src); got != want {
			t.Errorf("readsMeta(%q) = %v", src, got)
		}
	}
}
