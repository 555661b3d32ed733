package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/store"
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

func TestPolicyAdoptAndList(t *testing.T) {
	dir := t.TempDir()
	c := &cli{t, []string{"--data", dir}}
	c.ok(nil, "init", "--org-name", "Acme Cloud")
	var none []map[string]any
	c.ok(&none, "policy", "list", "--json")
	if len(none) != 0 {
		t.Fatalf("a new organization lists %d policies", len(none))
	}
	var p map[string]any
	c.fails(2, "not a member", "policy", "adopt", "incident-response", "--owner", "Dana")
	c.ok(&p, "policy", "adopt", "incident-response", "--json", "--owner", "admin@localhost", "--security-contact", "security@acme.example")
	owner, _ := p["owner"].(map[string]any)
	if p["status"] != "draft" || p["current_version"] != "1.0" || owner["email"] != "admin@localhost" || p["template_id"] != "incident-response" {
		t.Fatalf("adopted policy %v", p)
	}
	c.fails(2, "no policy template", "policy", "adopt", "no-such-template")
	c.fails(2, "publishing fills in", "policy", "adopt", "backup", "--effective-date", "2026-01-01")
	c.fails(2, "publishing fills in", "policy", "adopt", "backup", "--approver", "Bob")
	var list []map[string]any
	c.ok(&list, "policy", "list", "--json")
	if len(list) != 1 || list[0]["title"] != p["title"] {
		t.Fatalf("policy list %v", list)
	}
	var audit []map[string]any
	c.ok(&audit, "audit", "--json", "--action", "policy.adopt")
	if len(audit) != 1 || !strings.HasPrefix(fmt.Sprint(audit[0]["actor"]), "cli") {
		t.Errorf("audit of the adoption: %v", audit)
	}
	// The draft's text has the organization, the contact and the review
	// cycle filled in; placeholders without a value stay for later.
	db, err := store.Open(context.Background(), store.Config{DataDir: dir}, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	versions, err := db.FindPolicyVersions(context.Background(), 1, int64(p["id"].(float64)))
	if err != nil || len(versions) != 1 {
		t.Fatalf("versions: %v %v", versions, err)
	}
	body := versions[0].Body
	for _, want := range []string{"Acme Cloud", "every 12 months", "Administrator"} {
		if !strings.Contains(body, want) {
			t.Errorf("the draft lacks %q", want)
		}
	}
	if strings.Contains(body, "{{organization}}") || !strings.Contains(body, "{{approver}}") {
		t.Error("placeholders: the organization should be filled, the approver left for later")
	}
}
