package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRecordsCLI: each register lists as JSON, refuses a CSV with a bad
// row naming line and column (storing nothing), imports a good one, and
// exports formula-safe CSV.
func TestRecordsCLI(t *testing.T) {
	dir := t.TempDir()
	c := &cli{t, []string{"--data", dir}}
	c.ok(nil, "init", "--demo")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	count := func(args ...string) int {
		var rows []map[string]any
		c.ok(&rows, append(args, "list", "--json", "--limit", "500")...)
		return len(rows)
	}
	tests := []struct {
		cmd, bad, msg, good string
		extra               []string
		added               int
	}{
		{"person", "name,email,start_date\nAna Silva,ana@northwind.example,2026-01-05\nBo,bo@northwind.example,someday\n", "CSV line 3, column start_date",
			"name,email,department,start_date\nAna Silva,ana@northwind.example,Finance,2026-01-05\n\"=HYPERLINK(\"\"x\"\")\",formula@northwind.example,Finance,\n", nil, 2},
		{"change", "title,implemented_on,approver\nFix,2026-01-02,Nobody Known\n", "CSV line 2, column approver",
			"title,implemented_on,requester,approver,emergency\nPatch,2026-01-02,Sofia Alvarez,Marcus Lee,no\nHotfix,2026-01-03,Kenji Sato,,yes\n", nil, 2},
		{"control-test", "control_id,period,result\nGOV-01,2026-Q1,passed\n", "CSV line 2, column result",
			"control_id,period,due_date\nGOV-01,2026-Q1,2026-03-31\n", nil, 1},
		{"training", "title,due_date\nPhishing,next month\n", "CSV line 2, column due_date",
			"title,kind,due_date\nPhishing basics,awareness,2027-01-31\n", nil, 1},
		{"access-review", "account,email\nana,ana@x.example\nana,\n", "CSV line 3, column account",
			"account,name,email,privileges\nana,Ana,ana@northwind.example,admin\nbot,,,deploy\n", []string{"--system", "Okta"}, 1},
	}
	for _, tt := range tests {
		before := count(tt.cmd)
		c.fails(2, tt.msg, append([]string{tt.cmd, "import", "--csv", write(tt.cmd+"-bad.csv", tt.bad)}, tt.extra...)...)
		if n := count(tt.cmd); n != before {
			t.Errorf("%s: a refused import changed %d rows into %d", tt.cmd, before, n)
		}
		c.ok(nil, append([]string{tt.cmd, "import", "--csv", write(tt.cmd+"-good.csv", tt.good)}, tt.extra...)...)
		if n := count(tt.cmd); n != before+tt.added {
			t.Errorf("%s: %d rows after importing %d into %d", tt.cmd, n, tt.added, before)
		}
		out := c.ok(nil, tt.cmd, "export", "--csv")
		if lines := strings.Count(out, "\n"); lines < before+tt.added+1 {
			t.Errorf("%s export: %d lines for %d rows", tt.cmd, lines, before+tt.added)
		}
	}
	out := c.ok(nil, "person", "export", "--csv")
	if !strings.Contains(out, `'=HYPERLINK`) || strings.Contains(out, "\n=HYPERLINK") {
		t.Errorf("the roster export is not formula-safe:\n%s", out)
	}
	// The demo has someone late with training: overdue exits 1.
	c.fails(1, "training assignments are overdue", "training", "overdue")
}

// TestAccessReviewFromIntegrationCLI: a review starts from the demo's okta
// integration's accounts; a schedule is set, listed and stopped; an
// unknown integration is refused; merged pull requests import as changes,
// an unknown control refused.
func TestAccessReviewFromIntegrationCLI(t *testing.T) {
	c := &cli{t, []string{"--data", t.TempDir()}}
	c.ok(nil, "init", "--demo")
	var r struct {
		ID       int64  `json:"id"`
		Source   string `json:"source"`
		Accounts int    `json:"accounts"`
	}
	c.ok(&r, "access-review", "start", "--integration", "okta", "--system", "Okta from the CLI", "--control", "ACC-05", "--json")
	if r.ID == 0 || r.Source != "idp.user" || r.Accounts == 0 {
		t.Errorf("review %+v", r)
	}
	c.fails(2, "no integration", "access-review", "start", "--integration", "nope", "--system", "X")
	var list []struct {
		ID          int64  `json:"id"`
		System      string `json:"system"`
		Integration string `json:"integration"`
		EveryMonths int    `json:"every_months"`
	}
	c.ok(&list, "access-review", "schedule", "--integration", "okta", "--system", "Okta from the CLI", "--json")
	var mine int64
	for _, sc := range list {
		if sc.System == "Okta from the CLI" && sc.Integration == "okta" && sc.EveryMonths == 3 {
			mine = sc.ID
		}
	}
	if mine == 0 {
		t.Fatalf("schedules %+v", list)
	}
	c.ok(&list, "access-review", "schedule", "--stop", strconv.FormatInt(mine, 10), "--json")
	for _, sc := range list {
		if sc.ID == mine {
			t.Errorf("the stopped schedule is still listed")
		}
	}
	// Changes from the pull requests the code host collected.
	var imported map[string]int
	c.ok(&imported, "change", "pull-requests", "--integration", "github-northwind", "--json")
	if _, ok := imported["added"]; !ok {
		t.Errorf("pull request import said %v", imported)
	}
	c.fails(2, "unknown control", "change", "pull-requests", "--control", "NOPE-1")
}
