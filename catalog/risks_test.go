package catalog

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestRiskLibrary checks the built-in library: at least 40 risks, each
// with a known category and controls that the SOC 2 library has (the
// loader refuses anything else), and risks in every major area.
func TestRiskLibrary(t *testing.T) {
	lib, err := RiskLibrary()
	if err != nil {
		t.Fatal(err)
	}
	if len(lib) < 40 {
		t.Fatalf("the library holds %d risks, want at least 40", len(lib))
	}
	cats := map[string]int{}
	for _, r := range lib {
		cats[r.Category]++
	}
	for _, c := range []string{"access", "data", "vendor", "availability", "privacy", "people"} {
		if cats[c] == 0 {
			t.Errorf("no library risk in category %s", c)
		}
	}
	if r, err := LibraryRisk("LIB-ACC-01"); err != nil || r.Controls[0] != "ACC-01" {
		t.Errorf("LibraryRisk(LIB-ACC-01) = %v, %v", r, err)
	}
}

// TestLoadRiskLibraryRejects names the problem of each bad library.
func TestLoadRiskLibraryRejects(t *testing.T) {
	fw := MustSOC2()
	ok := "  - id: X-1\n    title: T\n    category: access\n    description: D\n    likelihood: 2\n    impact: 3\n    controls: [ACC-01]\n"
	for _, c := range []struct{ name, body, want string }{
		{"unknown control", strings.Replace(ok, "ACC-01", "ACC-99", 1), `unknown control "ACC-99"`},
		{"unknown category", strings.Replace(ok, "access", "weather", 1), `unknown category`},
		{"repeated ID", ok + ok, "repeated ID"},
		{"off scale", strings.Replace(ok, "impact: 3", "impact: 7", 1), "1 to 5"},
		{"no controls", strings.Replace(ok, "[ACC-01]", "[]", 1), "at least one"},
		{"unknown key", ok + "    colour: red\n", "colour"},
	} {
		fsys := fstest.MapFS{"lib.yaml": {Data: []byte("risks:\n" + c.body)}}
		_, err := LoadRiskLibrary(fsys, "lib.yaml", fw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}
