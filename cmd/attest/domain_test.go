package main

import (
	"testing"

	"github.com/attest-dev/attest/internal/testdb"
)

// TestDomainCommands: the operator lists, approves and revokes claims on
// a server with two organizations; approval needs an explicit --org and
// cannot hand one organization's verified domain to another.
func TestDomainCommands(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			c := newCLI(t, tg)
			c.ok(nil, "init")
			var created struct {
				ID int64 `json:"id"`
			}
			c.ok(&created, "org", "create", "--name", "Beta", "--json")
			b := jsonNumber(created.ID)
			c.fails(2, "needs --org", "domain", "approve", "beta.example")
			c.ok(nil, "domain", "approve", "beta.example", "--org", b)
			c.fails(2, "another organization", "domain", "approve", "beta.example", "--org", "1")
			c.fails(2, "not an email domain", "domain", "approve", "beta", "--org", b)
			var rows []map[string]any
			c.ok(&rows, "domain", "list", "--json")
			// Organization 1's refused approval left an unverified claim.
			if len(rows) != 2 || rows[0]["domain"] != "beta.example" {
				t.Fatalf("domain list: %v", rows)
			}
			verified := map[string]bool{}
			for _, r := range rows {
				verified[jsonNumber(r["org_id"])] = r["verified"] == true
				if r["txt_value"] == "" || r["txt_name"] != "_attest-challenge.beta.example" {
					t.Errorf("row %v lacks the TXT record to publish", r)
				}
			}
			if !verified[b] || verified["1"] {
				t.Fatalf("verified by organization: %v, want only %s", verified, b)
			}
			c.ok(nil, "domain", "revoke", "beta.example", "--org", b)
			c.fails(2, "has not claimed", "domain", "revoke", "beta.example", "--org", b)
			c.ok(nil, "domain", "approve", "beta.example", "--org", "1")
		})
	}
}
