package main

import (
	"sort"
	"strings"
	"testing"
)

func TestPolicyTemplatesCommand(t *testing.T) {
	c := &cli{t, []string{"--data", t.TempDir()}}
	var rows []map[string]any
	c.ok(&rows, "policy", "templates", "--json")
	if len(rows) < 20 {
		t.Fatalf("%d templates, want at least 20", len(rows))
	}
	var keys []string
	for k := range rows[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "controls,id,title,type" {
		t.Errorf("template keys %v, want controls, id, title, type", keys)
	}
	var procedures []map[string]any
	c.ok(&procedures, "policy", "templates", "--json", "--type", "procedure")
	if len(procedures) < 2 || len(procedures) >= len(rows) {
		t.Errorf("%d procedures of %d templates", len(procedures), len(rows))
	}
	for _, p := range procedures {
		if p["type"] != "procedure" || len(p["controls"].([]any)) == 0 {
			t.Errorf("procedure row %v", p)
		}
	}
	c.fails(2, "must be one of", "policy", "templates", "--type", "memo")
}
