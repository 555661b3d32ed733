package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRegisterCLI imports each register from CSV (a bad row refused by
// line and column with nothing stored, then a good file), lists it as
// JSON, exports it as formula-safe CSV, and lists the risk library.
func TestRegisterCLI(t *testing.T) {
	dir := t.TempDir()
	c := &cli{t, []string{"--data", dir}}
	c.ok(nil, "init")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, r := range []struct {
		cmd, bad, msg, good string
		n                   int
	}{
		{"risk", "title,category,likelihood,impact\nok,data,2,2\nbad,data,2,7\n", "CSV line 3, column 4 (impact)",
			"title,category,likelihood,impact,description\n=cmd|' /C calc'!A0,access,4,5,phished password\nVendor breach,vendor,2,4,\n", 2},
		{"vendor", "name,tier\nok,low\nbad,platinum\n", "CSV line 3, column 2 (tier)", "name,tier,service\nCloudCo,critical,Hosting\n", 1},
		{"asset", "name,type,environment,classification\nDB,database,prod,restricted\n", "CSV line 2, column 3 (environment)",
			"name,type,environment,classification\nOrders DB,database,production,restricted\nLaptops,endpoint,corporate,internal\n", 2},
		{"incident", "title,severity,reported_at\nok,sev2,2026-01-01\nbad,sev9,2026-01-02\n", "CSV line 3, column 2 (severity)",
			"title,severity,reported_at,status\nLeaked key,sev2,2026-01-15 10:00,resolved\nOld outage,sev3,2025-06-01,resolved\n", 2},
	} {
		c.fails(2, r.msg, r.cmd, "import", "--csv", write(r.cmd+"-bad.csv", r.bad))
		var none []map[string]any
		c.ok(&none, r.cmd, "list", "--json")
		if len(none) != 0 {
			t.Fatalf("%s: a refused import stored %d records", r.cmd, len(none))
		}
		c.ok(nil, r.cmd, "import", "--csv", write(r.cmd+".csv", r.good))
		var got []map[string]any
		c.ok(&got, r.cmd, "list", "--json")
		if len(got) != r.n {
			t.Fatalf("%s list = %d records, want %d", r.cmd, len(got), r.n)
		}
	}
	out, _, code := c.run("risk", "export", "--csv")
	if code != 0 || !strings.HasPrefix(out, "id,title,category") || !strings.Contains(out, "'=cmd|") {
		t.Fatalf("risk export (%d):\n%s", code, out)
	}
	// The worst risk comes first and the gap filter finds it.
	var gaps []map[string]any
	c.ok(&gaps, "risk", "list", "--json", "--gap")
	if len(gaps) != 1 || gaps[0]["category"] != "access" {
		t.Fatalf("gap risks = %v", gaps)
	}
	var window []map[string]any
	c.ok(&window, "incident", "list", "--json", "--from", "2026-01-01", "--to", "2026-03-31")
	if len(window) != 1 || window[0]["title"] != "Leaked key" {
		t.Fatalf("incidents of Q1 2026 = %v", window)
	}
	obs := write("resources.json", `[{"type":"github.repository","id":"1","name":"northwind/api"},{"type":"github.user","id":"2","name":"octocat"}]`)
	var observed map[string]int
	c.ok(&observed, "asset", "observe", obs, "--integration", "github", "--json")
	if observed["added"] != 1 {
		t.Fatalf("observe = %v", observed)
	}
	var lib []map[string]any
	c.ok(&lib, "risk", "library", "--json")
	if len(lib) < 40 {
		t.Fatalf("library lists %d risks", len(lib))
	}
	for _, k := range []string{"id", "title", "category"} {
		if _, ok := lib[0][k]; !ok || len(lib[0]) != 3 {
			t.Fatalf("library entry %v, want exactly id, title, category", lib[0])
		}
	}
}
