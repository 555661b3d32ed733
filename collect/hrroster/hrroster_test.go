package hrroster_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/conformance"
	"github.com/attest-dev/attest/collect/hrroster"
)

func TestConformance(t *testing.T) {
	path, _ := filepath.Abs("testdata/roster.csv")
	conformance.RunService(t, conformance.Service{
		Kind:        hrroster.Kind,
		Good:        collect.Config{Settings: map[string]string{"path": path}},
		Want:        4,
		Unreachable: &collect.Config{Settings: map[string]string{"path": "/nonexistent/roster.csv"}},
	})
}

func TestRoster(t *testing.T) {
	path, _ := filepath.Abs("testdata/roster.csv")
	rs, err := conformance.Run(t.Context(), t, hrroster.Kind, collect.Config{Settings: map[string]string{"path": path}, Now: func() time.Time { return conformance.Now }})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, r := range rs {
		got[r.ID] = r.Attributes
	}
	want := map[string]map[string]any{
		"alice@acme.example": {"active": true, "end_date": nil, "manager": "carol@acme.example", "days_since_end": nil},
		"bob@acme.example":   {"active": false, "end_date": "2026-02-28", "days_since_end": 14.0, "name": "Bob Stone"},
		"dana@acme.example":  {"active": true, "name": "Dana O'Neil, Jr.", "department": "Sales"},
	}
	for id, w := range want {
		for k, v := range w {
			if !reflect.DeepEqual(got[id][k], v) {
				t.Errorf("%s: %s = %#v, want %#v", id, k, got[id][k], v)
			}
		}
	}
}

// TestBadRows: every bad row is named by line and column, and nothing is
// emitted.
func TestBadRows(t *testing.T) {
	tests := []struct {
		name, csv string
		want      []string
	}{
		{"missing column", "name,email,department,manager,start_date\nA,a@x.example,,,2024-01-01\n", []string{`line 1: no "end_date" column`}},
		{"bad values", "name,email,department,manager,start_date,end_date\n" +
			",a@x.example,,,2024-01-01,\n" +
			"B,not-an-email,,,2024-01-01,\n" +
			"C,c@x.example,,,2024-13-01,\n" +
			"D,d@x.example,,,2024-02-01,2024-01-01\n" +
			"E,A@x.example,,,2024-02-01,\n",
			[]string{"line 2, column name: required", `line 3, column email: "not-an-email"`, `line 4, column start_date: "2024-13-01" is not a date`,
				"line 5, column end_date: 2024-01-01 is before the start date", "line 6, column email: a@x.example is already on line 2"}},
		{"field count", "name,email,department,manager,start_date,end_date\nA,a@x.example,,2024-01-01,\n", []string{"line 2, column"}},
		{"NUL byte", "name,email,department,manager,start_date,end_date\nA\x00,a@x.example,,,2024-01-01,\n", []string{"line 2, column name: not text"}},
		{"empty", "", []string{"the roster is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs []collect.Resource
			var err error
			if tt.csv == "" { // New refuses empty text; Parse must too
				rs, err = hrroster.Parse(strings.NewReader(""), conformance.Now)
			} else {
				rs, err = conformance.Run(t.Context(), t, hrroster.Kind, collect.Config{Settings: map[string]string{"csv": tt.csv}})
			}
			if len(rs) != 0 || err == nil {
				t.Fatalf("got %d people and %v", len(rs), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestSettingsValidated(t *testing.T) {
	for _, s := range []map[string]string{{}, {"path": "relative.csv"}, {"path": "/a.csv", "csv": "x"}} {
		if _, err := hrroster.Kind.New(collect.Config{Settings: s}); err == nil || !strings.HasPrefix(err.Error(), "path") {
			t.Errorf("%v: got %v", s, err)
		}
	}
}
