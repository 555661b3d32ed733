package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestPublishFillsPlaceholders: publishing writes the approvers' names and
// the publication date into the text, and refuses, naming each one, while
// placeholders that only a person can fill are left.
func TestPublishFillsPlaceholders(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		day := time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return day }
		org := newOrg(t, db, "Acme")
		ann := newUser(t, db, org, "Ann Archer", attest.RoleComplianceManager)
		bob := newUser(t, db, org, "Bob Baker", attest.RoleAdmin)

		// Adopted without a security contact: publication must refuse.
		p, err := db.AdoptTemplate(ctx, org, template(t, "access-control"), map[string]string{"organization": "Acme", "owner": "CISO"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetApprovers(ctx, org, p.ID, []int64{ann, bob}); err != nil {
			t.Fatal(err)
		}
		send(t, db, org, p.ID)
		for _, id := range []int64{ann, bob} {
			if _, err := db.Decide(ctx, org, p.ID, "1.0", id, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		_, err = db.Publish(ctx, org, p.ID, "1.0")
		wantCode(t, err, attest.EINVALID)
		if msg := attest.ErrorMessage(err); !strings.Contains(msg, "{{security_contact}}") || strings.Contains(msg, "{{approver}}") || strings.Contains(msg, "{{owner}}") {
			t.Fatalf("refusal names %q; want {{security_contact}} and not what publication fills", msg)
		}
		if got, _ := db.FindPolicyByID(ctx, org, p.ID); got.PublishedVersion != "" {
			t.Fatalf("refused publication published %q", got.PublishedVersion)
		}

		// A second draft with the contact written in publishes, filled.
		vs, err := db.FindPolicyVersions(ctx, org, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		body := strings.ReplaceAll(vs[0].Body, "{{security_contact}}", "security@acme.example")
		if _, err := db.SaveDraft(ctx, org, p.ID, "1.0", body, false); err != nil {
			t.Fatal(err)
		}
		send(t, db, org, p.ID)
		for _, id := range []int64{ann, bob} {
			if _, err := db.Decide(ctx, org, p.ID, "1.1", id, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Publish(ctx, org, p.ID, "1.1"); err != nil {
			t.Fatal(err)
		}
		vs, err = db.FindPolicyVersions(ctx, org, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		pub := vs[len(vs)-1]
		if strings.Contains(pub.Body, "{{") {
			t.Errorf("published body keeps a placeholder: %q", pub.Body[strings.Index(pub.Body, "{{"):][:30])
		}
		for _, want := range []string{"| Approved by | Ann Archer and Bob Baker |", "| Effective date | 2026-04-02 |", "| Policy owner | CISO |"} {
			if !strings.Contains(pub.Body, want) {
				t.Errorf("published body lacks %q", want)
			}
		}
		if !pub.PublishedAt.Equal(day) || pub.EffectiveDate() != "2026-04-02" {
			t.Errorf("published at %v, effective %q", pub.PublishedAt, pub.EffectiveDate())
		}
		if vs[0].Body == pub.Body || !strings.Contains(vs[0].Body, "{{approver}}") {
			t.Errorf("the refused version's text changed")
		}
	})
}
