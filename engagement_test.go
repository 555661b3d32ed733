package attest_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// TestValidateWindow pins the window limits: the shortest window runs from
// a date to the day before the same date three months on (2026-01-01 to
// 2026-03-31); the longest ends on the same date twelve months on.
func TestValidateWindow(t *testing.T) {
	tests := []struct {
		name       string
		start, end attest.Date
		ok         bool
	}{
		{"six months", "2026-01-01", "2026-06-30", true},
		{"exactly 3 months", "2026-01-01", "2026-03-31", true},
		{"3 months less a day", "2026-01-01", "2026-03-30", false},
		{"3 months from a month's end", "2026-11-30", "2027-02-27", true},
		{"short from a month's end", "2026-11-30", "2027-02-26", false},
		{"exactly 12 months", "2026-01-01", "2026-12-31", true},
		{"12 months to the same date", "2026-01-01", "2027-01-01", true},
		{"12 months and a day", "2026-01-01", "2027-01-02", false},
		{"leap day start, 12 months", "2024-02-29", "2025-02-28", true},
		{"leap day start, past 12 months", "2024-02-29", "2025-03-01", false},
		{"end before start", "2026-06-30", "2026-01-01", false},
		{"equal dates", "2026-01-01", "2026-01-01", false},
		{"no start", "", "2026-06-30", false},
		{"no end", "2026-01-01", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := attest.ValidateWindow(tt.start, tt.end)
			if tt.ok && err != nil {
				t.Errorf("ValidateWindow(%s, %s) = %v, want ok", tt.start, tt.end, err)
			}
			if !tt.ok && attest.ErrorCode(err) != attest.EINVALID {
				t.Errorf("ValidateWindow(%s, %s) = %v, want EINVALID", tt.start, tt.end, err)
			}
		})
	}
}

func typeII() *attest.Engagement {
	return &attest.Engagement{Name: "Audit", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30"}
}

func TestEngagementValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *attest.Engagement)
		want   string // a fragment of the error message; "" for valid
	}{
		{"valid Type II", func(e *attest.Engagement) {}, ""},
		{"valid Type I", func(e *attest.Engagement) {
			e.ReportType, e.AsOfDate, e.WindowStart, e.WindowEnd = attest.TypeI, "2026-05-01", "", ""
		}, ""},
		{"empty name", func(e *attest.Engagement) { e.Name = "  " }, "needs a name"},
		{"long name", func(e *attest.Engagement) { e.Name = strings.Repeat("x", 201) }, "longer than 200"},
		{"Type I without as-of date", func(e *attest.Engagement) { e.ReportType, e.WindowStart, e.WindowEnd = attest.TypeI, "", "" }, "needs an as-of date"},
		{"Type I with a window", func(e *attest.Engagement) { e.ReportType, e.AsOfDate = attest.TypeI, "2026-05-01" }, "not an observation window"},
		{"Type II with an as-of date", func(e *attest.Engagement) { e.AsOfDate = "2026-05-01" }, "not an as-of date"},
		{"Type II without a window", func(e *attest.Engagement) { e.WindowStart, e.WindowEnd = "", "" }, "needs an observation window"},
		{"window end before start", func(e *attest.Engagement) { e.WindowStart, e.WindowEnd = "2026-06-30", "2026-01-01" }, "before it starts"},
		{"window over 12 months", func(e *attest.Engagement) { e.WindowEnd = "2027-03-01" }, "longer than 12 months"},
		{"window under 3 months", func(e *attest.Engagement) { e.WindowEnd = "2026-02-28" }, "shorter than 3 months"},
		{"malformed date", func(e *attest.Engagement) { e.TargetDate = "2026-02-30" }, "not a date"},
		{"unknown report type", func(e *attest.Engagement) { e.ReportType = "type3" }, "report type"},
		{"unknown category", func(e *attest.Engagement) { e.Categories = []string{"avail", "safety"} }, `unknown category "safety"`},
		{"unknown system kind", func(e *attest.Engagement) { e.Systems = []*attest.System{{Name: "db", Kind: "mainframe"}} }, "unknown system kind"},
		{"unnamed system", func(e *attest.Engagement) { e.Systems = []*attest.System{{Name: " ", Kind: "database"}} }, "system needs a name"},
	}
	fw := tinyFramework()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := typeII()
			tt.change(e)
			err := e.Validate(fw)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want ok", err)
				}
				return
			}
			if attest.ErrorCode(err) != attest.EINVALID || !strings.Contains(attest.ErrorMessage(err), tt.want) {
				t.Errorf("Validate = %v, want EINVALID saying %q", err, tt.want)
			}
		})
	}
}

func TestEngagementNormalizes(t *testing.T) {
	tests := []struct {
		name       string
		categories []string
		want       []string
	}{
		{"none gives the required one", nil, []string{"sec"}},
		{"framework order, required first", []string{"priv", "avail"}, []string{"sec", "avail", "priv"}},
		{"duplicates dropped", []string{"avail", "sec", "avail"}, []string{"sec", "avail"}},
	}
	fw := tinyFramework()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := typeII()
			e.Name = "  Audit  "
			e.Categories = tt.categories
			e.Drivers = []string{" customer asked ", "", "  "}
			e.Systems = []*attest.System{{Name: " API "}}
			if err := e.Validate(fw); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e.Categories, tt.want) {
				t.Errorf("categories = %v, want %v", e.Categories, tt.want)
			}
			if e.Name != "Audit" || !reflect.DeepEqual(e.Drivers, []string{"customer asked"}) || e.Customers == nil {
				t.Errorf("name %q, drivers %q, customers %v: want trimmed values and an empty, non-nil list", e.Name, e.Drivers, e.Customers)
			}
			if s := e.Systems[0]; s.Name != "API" || s.Kind != "other" {
				t.Errorf("system = %+v, want name API, kind other", s)
			}
		})
	}
}

func TestEngagementUpdateApply(t *testing.T) {
	fw := tinyFramework()
	typeI, asOf, none := attest.TypeI, attest.Date("2026-05-01"), attest.Date("")
	e := typeII()
	err := attest.EngagementUpdate{ReportType: &typeI, AsOfDate: &asOf, WindowStart: &none, WindowEnd: &none}.Apply(e, fw)
	if err != nil || e.ReportType != attest.TypeI || e.AsOfDate != asOf || e.WindowStart != "" || e.Name != "Audit" {
		t.Fatalf("switch to Type I: %v, %+v", err, e)
	}
	end := attest.Date("2025-01-01")
	if err := (attest.EngagementUpdate{WindowEnd: &end}).Apply(e, fw); attest.ErrorCode(err) != attest.EINVALID {
		t.Errorf("a window on a Type I engagement: %v, want EINVALID", err)
	}
}

func TestDeriveScope(t *testing.T) {
	fw := tinyFramework()
	controls := []*attest.Control{
		ctl("SA", attest.NotStarted, "", "S1.1"),
		ctl("AP", attest.NotStarted, "", "A1.2", "P1.1"),
		ctl("PA", attest.NotStarted, "", "P1.1"),
	}
	tests := []struct {
		categories       []string
		criteria, inside []string
	}{
		{[]string{"sec"}, []string{"S1.1", "S1.2", "S1.3"}, []string{"SA"}},
		{[]string{"sec", "avail"}, []string{"S1.1", "S1.2", "S1.3", "A1.1", "A1.2"}, []string{"SA", "AP"}},
		{[]string{"priv"}, []string{"P1.1"}, []string{"AP", "PA"}},
	}
	for _, tt := range tests {
		s := attest.DeriveScope(fw, tt.categories, controls)
		var inside []string
		for _, c := range s.Controls {
			inside = append(inside, c.ID)
		}
		if !reflect.DeepEqual(s.Criteria, tt.criteria) || !reflect.DeepEqual(inside, tt.inside) {
			t.Errorf("scope of %v = %v with %v, want %v with %v", tt.categories, s.Criteria, inside, tt.criteria, tt.inside)
		}
	}
}
