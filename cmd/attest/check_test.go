package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const userCheck = `id: acme-hosts-named
title: Hosts follow the naming scheme
description: Every host's name starts with the team prefix.
resource_types: [linux.host]
severity: low
controls: [END-08]
window: 30d
condition: resource.name.startsWith('acme-')
reason: resource.name + ' does not start with acme-'
remediation: Rename the host.
`

// TestCheckCLI: list (built-in and --dir), validate with positions, and
// run over a JSON Lines file with --fail-on. None of it needs a database.
func TestCheckCLI(t *testing.T) {
	t.Parallel()
	c := &cli{t, []string{"--data", t.TempDir()}}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mine := filepath.Join(dir, "mine")
	write("mine/hosts.yaml", userCheck)

	var rows []struct {
		ID            string   `json:"id"`
		Title         string   `json:"title"`
		Controls      []string `json:"controls"`
		ResourceTypes []string `json:"resource_types"`
	}
	c.ok(&rows, "check", "list", "--json")
	if len(rows) < 40 {
		t.Errorf("%d built-in checks listed", len(rows))
	}
	found := false
	for _, r := range rows {
		if r.ID == "idp-leaver-suspended" {
			found = r.Title != "" && len(r.Controls) > 0 && r.ResourceTypes[0] == "idp.user"
		}
	}
	if !found {
		t.Error("idp-leaver-suspended missing or incomplete in the list")
	}
	n := len(rows)
	c.ok(&rows, "check", "list", "--json", "--dir", mine)
	if len(rows) != n+1 || rows[n].ID != "acme-hosts-named" {
		t.Errorf("--dir: %d rows, last %+v", len(rows), rows[len(rows)-1])
	}

	if out := c.ok(nil, "check", "validate", mine); !strings.Contains(out, "1 checks valid") {
		t.Errorf("validate: %q", out)
	}
	bad := filepath.Join(dir, "bad")
	write("bad/good.yaml", userCheck)
	write("bad/broken.yaml", strings.Replace(strings.Replace(userCheck, "acme-hosts-named", "acme-broken", 1), "startsWith('acme-')", "startsWith(acme)", 1))
	write("bad/control.yaml", strings.Replace(strings.Replace(userCheck, "acme-hosts-named", "acme-control", 1), "[END-08]", "[ZZZ-01]", 1))
	c.fails(2, filepath.Join(bad, "broken.yaml")+":8:37: condition: undeclared reference to 'acme'", "check", "validate", bad)
	c.fails(2, filepath.Join(bad, "control.yaml")+`:6:11: control "ZZZ-01"`, "check", "validate", bad)
	c.fails(2, "is a built-in check", "check", "list", "--dir", filepath.Dir(write("dup/dup.yaml", strings.Replace(userCheck, "acme-hosts-named", "linux-firewall", 1))))

	res := write("res.jsonl", `{"type":"linux.host","id":"h1","name":"acme-web-1","attributes":{"firewall_enabled":true,"disk_encrypted":true}}
{"type":"linux.host","id":"h2","name":"web-2","attributes":{"firewall_enabled":false,"disk_encrypted":true}}
`)
	var results []struct {
		Check, Resource, Status, Reason string
	}
	c.ok(&results, "check", "run", "--json", "--resources", res, "--check", "linux-firewall", "--dir", mine, "--check", "acme-hosts-named")
	want := []string{"linux-firewall h1 pass", "acme-hosts-named h1 pass", "linux-firewall h2 fail", "acme-hosts-named h2 fail"}
	var got []string
	for _, r := range results {
		got = append(got, r.Check+" "+r.Resource+" "+r.Status)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("rows %v, want %v", got, want)
	}
	c.fails(1, "1 pass, 1 fail", "check", "run", "--json", "--resources", res, "--check", "linux-firewall", "--fail-on", "fail")
	c.ok(nil, "check", "run", "--resources", res, "--check", "linux-disk-encryption", "--fail-on", "fail")
	// A host without the attribute is an error row, not a failed run.
	noattr := write("noattr.jsonl", `{"type":"linux.host","id":"h3","name":"x","attributes":{}}`+"\n")
	c.ok(&results, "check", "run", "--json", "--resources", noattr, "--check", "linux-firewall")
	if len(results) != 1 || results[0].Status != "error" {
		t.Errorf("missing attribute: %+v", results)
	}
	c.fails(1, "1 error", "check", "run", "--resources", noattr, "--check", "linux-firewall", "--fail-on", "error")
	c.fails(2, "broken.jsonl:2:", "check", "run", "--resources", write("broken.jsonl", `{"type":"linux.host","id":"h1"}`+"\n{oops\n"))
	c.fails(2, "no check \"nope\"", "check", "run", "--resources", res, "--check", "nope")
}
