package catalog

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSOC2Criteria checks the catalog against the 61 IDs of the 2017 Trust
// Services Criteria, kept in testdata as plain facts.
func TestSOC2Criteria(t *testing.T) {
	fw, err := SOC2()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/soc2-ids.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(raw))
	if len(want) != 61 {
		t.Fatalf("testdata lists %d IDs, want 61", len(want))
	}
	if len(fw.Criteria) != len(want) {
		t.Fatalf("catalog has %d criteria, want %d", len(fw.Criteria), len(want))
	}
	for i, c := range fw.Criteria {
		if c.ID != want[i] {
			t.Errorf("criterion %d is %s, want %s", i, c.ID, want[i])
		}
		if !strings.HasPrefix(c.ID, c.Series+".") {
			t.Errorf("%s is in series %s", c.ID, c.Series)
		}
		if c.Title == "" || c.Guidance == "" || len(c.PointsOfFocus) == 0 {
			t.Errorf("%s lacks a title, guidance or points of focus", c.ID)
		}
	}
	perCategory := map[string]int{}
	for _, c := range fw.Criteria {
		perCategory[c.Category]++
	}
	wantPer := map[string]int{"security": 33, "availability": 3, "confidentiality": 2, "processing_integrity": 5, "privacy": 18}
	for cat, n := range wantPer {
		if perCategory[cat] != n {
			t.Errorf("category %s has %d criteria, want %d", cat, perCategory[cat], n)
		}
	}
	if len(fw.Categories) != 5 || !fw.Categories[0].Required || fw.Categories[0].ID != "security" {
		t.Errorf("categories = %+v, want 5 with security first and required", fw.Categories)
	}
	for _, cat := range fw.Categories[1:] {
		if cat.Required {
			t.Errorf("category %s must be optional", cat.ID)
		}
	}
	prefix := map[string]string{"CC": "security", "A1": "availability", "C1": "confidentiality", "PI": "processing_integrity", "P": "privacy"}
	for _, c := range fw.Criteria {
		var got string
		for _, p := range []string{"CC", "PI", "A1", "C1", "P"} {
			if strings.HasPrefix(c.ID, p) {
				got = prefix[p]
				break
			}
		}
		if got != c.Category {
			t.Errorf("%s is filed under %s, want %s", c.ID, c.Category, got)
		}
	}
}

func TestControlLibraryCoverage(t *testing.T) {
	fw := MustSOC2()
	if len(fw.Controls) < 120 {
		t.Fatalf("library has %d controls, want at least 120", len(fw.Controls))
	}
	cover := map[string]int{}
	for _, c := range fw.Controls {
		for _, id := range c.Criteria {
			cover[id]++
		}
		if c.Description == "" || len(c.Evidence) == 0 || c.OwnerRole == "" {
			t.Errorf("control %s lacks a description, evidence or owner role", c.ID)
		}
	}
	for _, crit := range fw.Criteria {
		min := 1
		if crit.Category == "security" {
			min = 2
		}
		if cover[crit.ID] < min {
			t.Errorf("criterion %s is addressed by %d controls, want at least %d", crit.ID, cover[crit.ID], min)
		}
	}
}

func TestLoadRejectsBadContent(t *testing.T) {
	const framework = `id: x
name: X
categories:
  - {id: security, name: Security, required: true}
series:
  - {id: S1, category: security, title: One}
criteria:
  - {id: S1.1, series: S1, title: First}
`
	tests := []struct {
		name, framework, controls, wantErr string
	}{
		{"unknown key", framework + "colour: red\n", "", "colour"},
		{"duplicate criterion", framework + "  - {id: S1.1, series: S1, title: Again}\n", "", "duplicate"},
		{"unknown series", framework + "  - {id: S2.1, series: S2, title: Orphan}\n", "", "unknown series"},
		{"unknown category", strings.Replace(framework, "category: security", "category: nope", 1), "", "unknown category"},
		{"control maps to unknown criterion", framework, "controls:\n  - {id: AB-01, name: N, criteria: [S9.9], owner_role: it, frequency: daily, evidence: [{what: w, frequency: daily}]}\n", "unknown criterion"},
		{"control with bad frequency", framework, "controls:\n  - {id: AB-01, name: N, criteria: [S1.1], owner_role: it, frequency: hourly, evidence: [{what: w, frequency: daily}]}\n", "frequency"},
		{"duplicate control", framework, "controls:\n  - {id: AB-01, name: N, criteria: [S1.1], owner_role: it, frequency: daily}\n  - {id: AB-01, name: M, criteria: [S1.1], owner_role: it, frequency: daily}\n", "duplicate"},
		{"control mapping nothing", framework, "controls:\n  - {id: AB-01, name: N, criteria: [], owner_role: it, frequency: daily}\n", "no criterion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"x/framework.yaml": {Data: []byte(tt.framework)}}
			if tt.controls != "" {
				fsys["x/controls.yaml"] = &fstest.MapFile{Data: []byte(tt.controls)}
			}
			_, err := Load(fsys, "x")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Load() error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
	fw, err := Load(fstest.MapFS{"x/framework.yaml": {Data: []byte(framework)}}, "x")
	if err != nil || fw.Criterion("S1.1") == nil || fw.Criterion("S1.1").Category != "security" {
		t.Fatalf("a valid framework without controls: %v, %+v", err, fw)
	}
}
