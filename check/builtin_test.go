package check

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/goccy/go-yaml"
)

// fixtureNow is the clock of every fixture run, so that dates in the
// fixtures keep meaning the same thing.
var fixtureNow = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// loadFixture reads a fixture file of resources. Attributes go through
// JSON, as a collector's do, so numbers are float64 like in production.
func loadFixture(t testing.TB, path string) []collect.Resource {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Resources []map[string]any `yaml:"resources"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	js, err := json.Marshal(raw.Resources)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var rs []collect.Resource
	if err := json.Unmarshal(js, &rs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rs
}

// TestBuiltinChecks runs every built-in check on its passing and its
// failing fixture: every row of the check must have the fixture's status,
// there must be at least one, and a failure must explain itself. A check
// without both fixtures, or a fixture folder without a check, fails.
func TestBuiltinChecks(t *testing.T) {
	checks, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) < 40 {
		t.Errorf("%d built-in checks, want at least 40", len(checks))
	}
	ids := map[string]bool{}
	for _, c := range checks {
		ids[c.ID] = true
		for _, tc := range []struct {
			file string
			want Status
		}{{"pass.yaml", Pass}, {"fail.yaml", Fail}} {
			t.Run(c.ID+"/"+tc.file, func(t *testing.T) {
				rs := loadFixture(t, filepath.Join("testdata", "builtin", c.ID, tc.file))
				var rows []Result
				err := RunAt(context.Background(), fixtureNow, []*Check{c}, NewMemorySource(rs), func(r Result) error {
					rows = append(rows, r)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) == 0 {
					t.Fatal("no rows: the fixture holds no resource the check selects")
				}
				for _, r := range rows {
					if r.Status != tc.want {
						t.Errorf("%s %s: status %s (%s), want %s", r.ResourceType, r.ResourceID, r.Status, r.Reason, tc.want)
					}
					if r.Status == Fail && (r.Reason == "" || strings.Contains(r.Reason, "could not be given")) {
						t.Errorf("%s: failure without a usable reason: %q", r.ResourceID, r.Reason)
					}
				}
			})
		}
	}
	dirs, err := os.ReadDir(filepath.Join("testdata", "builtin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !ids[d.Name()] {
			t.Errorf("testdata/builtin/%s: fixtures for a check that does not exist", d.Name())
		}
	}
}

// TestBuiltinResourceTypes: built-in checks and their lookups select only
// resource types listed in RESOURCES.md, the contract with the collectors,
// and read only attributes the contract names.
func TestBuiltinResourceTypes(t *testing.T) {
	contract := resourceContract(t)
	checks, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	attrRef := regexp.MustCompile(`resource\.attributes\.([a-z_0-9]+)`)
	for _, c := range checks {
		types := slices.Clone(c.ResourceTypes)
		for _, l := range c.Lookups {
			types = append(types, l.ResourceType)
		}
		for _, typ := range types {
			if _, ok := contract[typ]; !ok {
				t.Errorf("%s: resource type %s is not in RESOURCES.md", c.File, typ)
			}
		}
		// Expressions of the check read its own types; lookups' read theirs.
		check := func(src string, typs []string) {
			for _, m := range attrRef.FindAllStringSubmatch(src, -1) {
				found := false
				for _, typ := range typs {
					found = found || contract[typ][m[1]]
				}
				if !found {
					t.Errorf("%s: attribute %s is not in RESOURCES.md for %v", c.File, m[1], typs)
				}
			}
		}
		check(c.When+" "+c.Condition, c.ResourceTypes)
		for _, l := range c.Lookups {
			check(l.When+" "+l.Key, []string{l.ResourceType})
		}
	}
}

// resourceContract reads RESOURCES.md: a "## type" heading per resource
// type, then a table whose first column is an attribute name in backticks.
func resourceContract(t *testing.T) map[string]map[string]bool {
	t.Helper()
	data, err := os.ReadFile("RESOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	var cur string
	row := regexp.MustCompile("^\\| `([a-z_0-9]+)`")
	for _, line := range strings.Split(string(data), "\n") {
		if typ, ok := strings.CutPrefix(line, "## "); ok && strings.Contains(typ, ".") {
			cur = strings.Trim(strings.TrimSpace(typ), "`")
			out[cur] = map[string]bool{}
			continue
		}
		if m := row.FindStringSubmatch(line); m != nil && cur != "" {
			out[cur][m[1]] = true
		}
	}
	if len(out) < 20 {
		t.Fatalf("RESOURCES.md lists %d resource types; the parser or the file is broken", len(out))
	}
	return out
}
