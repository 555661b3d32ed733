package store

import (
	"context"
	"testing"

	"github.com/attest-dev/attest"
)

func TestSettings(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a, b := newOrg(t, db, "A"), newOrg(t, db, "B")
		st, err := db.FindSettings(ctx, a)
		if err != nil || st.RequireMFA || st.SSOEnabled() || st.OIDCDefaultRole != attest.RoleEmployee {
			t.Fatalf("defaults: %+v %v", st, err)
		}
		sso := &attest.Settings{RequireMFA: true, OIDCIssuer: "https://idp.example.com", OIDCClient: "attest", OIDCSecret: "v1:sealed", OIDCDomain: "@A.example"}
		if err := db.UpdateSettings(ctx, a, sso); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindSettings(ctx, a)
		if err != nil || !got.RequireMFA || got.OIDCDomain != "a.example" || got.OIDCSecret != "v1:sealed" {
			t.Fatalf("after update: %+v %v", got, err)
		}
		// Saving claimed the domain; with B on the server the claim waits
		// for proof, and single sign-on does not serve it yet.
		_, _, err = db.FindSettingsByDomain(ctx, "a.example")
		wantCode(t, err, attest.ENOTFOUND)
		if err := db.VerifyDomainClaim(ctx, a, "a.example", attest.ClaimByOperator); err != nil {
			t.Fatal(err)
		}
		org, found, err := db.FindSettingsByDomain(ctx, "A.example")
		if err != nil || org != a || found.OIDCClient != "attest" {
			t.Fatalf("by domain: %d %+v %v", org, found, err)
		}
		_, _, err = db.FindSettingsByDomain(ctx, "b.example")
		wantCode(t, err, attest.ENOTFOUND)
		// A second organization cannot claim the same domain; its settings stay.
		claim := &attest.Settings{OIDCIssuer: "https://other.example.com", OIDCClient: "x", OIDCDomain: "a.example"}
		if err := db.UpdateSettings(ctx, b, claim); attest.ErrorField(err) != "oidc_domain" {
			t.Fatalf("B saving A's verified domain: %v, want a refusal about oidc_domain", err)
		}
		if st, _ := db.FindSettings(ctx, b); st.SSOEnabled() {
			t.Error("a refused claim was stored")
		}
		wantCode(t, db.UpdateSettings(ctx, a, &attest.Settings{OIDCIssuer: "ftp://x", OIDCClient: "c", OIDCDomain: "a.example"}), attest.EINVALID)
		wantCode(t, db.UpdateSettings(ctx, a, &attest.Settings{OIDCIssuer: "https://x", OIDCDomain: "a.example"}), attest.EINVALID)
		wantCode(t, db.UpdateSettings(ctx, a, &attest.Settings{OIDCDefaultRole: "owner"}), attest.EINVALID)
	})
}
