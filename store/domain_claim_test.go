package store

import (
	"context"
	"sync"
	"testing"

	"github.com/attest-dev/attest"
)

func TestDomainClaims(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := newOrg(t, db, "A")
		// Alone on the server, A's claim is verified at once.
		c, err := db.ClaimDomain(ctx, a, "@Alpha.Example")
		if err != nil || c.Domain != "alpha.example" || !c.Verified() || c.Method != attest.ClaimBySoleOrganization {
			t.Fatalf("sole organization's claim: %+v %v", c, err)
		}
		again, err := db.ClaimDomain(ctx, a, "alpha.example")
		if err != nil || again.Token != c.Token {
			t.Fatalf("claiming again: %+v %v, want the same claim", again, err)
		}
		_, err = db.ClaimDomain(ctx, a, "alpha")
		wantCode(t, err, attest.EINVALID)

		// With B on the server, claims wait for proof.
		b := newOrg(t, db, "B")
		cb, err := db.ClaimDomain(ctx, b, "alpha.example")
		if err != nil || cb.Verified() || cb.Token == c.Token {
			t.Fatalf("B's claim on A's domain: %+v %v", cb, err)
		}
		wantCode(t, db.VerifyDomainClaim(ctx, b, "alpha.example", attest.ClaimByDNS), attest.ECONFLICT)
		wantCode(t, db.VerifyDomainClaim(ctx, b, "beta.example", attest.ClaimByDNS), attest.ENOTFOUND)
		if _, err := db.ClaimDomain(ctx, a, "shared.example"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimDomain(ctx, b, "shared.example"); err != nil {
			t.Fatal(err)
		}
		// Both verify at once: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, org := range []int64{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.VerifyDomainClaim(ctx, org, "shared.example", attest.ClaimByOperator)
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("verifying one domain for two organizations at once: %v, %v; want exactly one to succeed", errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil {
				wantCode(t, err, attest.ECONFLICT)
			}
		}
		all, err := db.FindAllDomainClaims(ctx)
		if err != nil || len(all) != 4 {
			t.Fatalf("all claims: %d %v", len(all), err)
		}
		// Revoking A's claim frees the domain for B.
		if err := db.DeleteDomainClaim(ctx, a, "alpha.example"); err != nil {
			t.Fatal(err)
		}
		if err := db.VerifyDomainClaim(ctx, b, "alpha.example", attest.ClaimByOperator); err != nil {
			t.Fatalf("B verifying the freed domain: %v", err)
		}
		wantCode(t, db.DeleteDomainClaim(ctx, a, "alpha.example"), attest.ENOTFOUND)
		// Each step is in the organization's audit log.
		entries, err := db.FindAuditLog(ctx, b, attest.AuditFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range entries {
			seen[e.Action] = true
		}
		if !seen["domain.claim"] || !seen["domain.verify"] {
			t.Errorf("B's audit log has %v, want domain.claim and domain.verify", seen)
		}
	})
}
