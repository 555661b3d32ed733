package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// adminBrowser signs a new admin of org in with a password and returns
// the browser and the settings page's CSRF token.
func (f *ssoFixture) adminBrowser(t *testing.T, org int64, email string) (*ssoBrowser, string) {
	t.Helper()
	hash, err := attest.HashPassword(ssoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreateUser(context.Background(), &attest.User{OrgID: org, Email: email, Role: attest.RoleAdmin, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	b := newSSOBrowser()
	if p := b.do(t, "POST", f.srv.URL+"/signin", url.Values{"email": {email}, "password": {ssoPassword}}); p.status != http.StatusOK {
		t.Fatalf("sign-in of %s: %d %s", email, p.status, p.body)
	}
	p := b.do(t, "GET", f.srv.URL+"/settings", nil)
	m := ssoCSRFField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token on the settings page: %d", p.status)
	}
	return b, m[1]
}

// TestSSODomainClaims checks that on a server hosting two organizations,
// single sign-on serves a domain only for the organization that proved it:
// organization B cannot route, create or sign in people of A's verified
// domain, its own domain waits for proof, and a revoked claim stops an
// attempt already at the provider.
func TestSSODomainClaims(t *testing.T) {
	forEachSSO(t, func(t *testing.T, f *ssoFixture) {
		ctx := context.Background()
		b, csrf := f.adminBrowser(t, f.orgB, "admin@b.example")

		// B points its SSO at the same provider and types A's domain: refused
		// beside the field, with what was typed kept.
		p := b.do(t, "POST", f.srv.URL+"/settings/security", url.Values{"csrf": {csrf}, "oidc_issuer": {f.idp.URL},
			"oidc_client_id": {"b-client"}, "oidc_client_secret": {"b-secret"}, "oidc_domain": {ssoDomain}, "oidc_default_role": {attest.RoleAdmin}})
		if p.status != refusedStatus || !strings.Contains(p.body, `id="oidc_domain-error"`) || !strings.Contains(p.body, "another organization on this server has verified") ||
			!strings.Contains(p.body, `value="b-client"`) || strings.Contains(p.body, "b-secret") {
			t.Fatalf("B saving A's domain: %d, want 422 with the reason beside the domain and the client ID kept (secret not echoed): %s", p.status, p.body)
		}
		if st, _ := f.db.FindSettings(ctx, f.orgB); st.SSOEnabled() {
			t.Fatal("the refused settings were stored")
		}

		// Claiming A's domain directly gives B an unverified claim that no
		// DNS answer can verify while A holds it.
		p = b.do(t, "POST", f.srv.URL+"/settings/domains", url.Values{"csrf": {csrf}, "domain": {strings.ToUpper(ssoDomain)}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "Publish the TXT record") {
			t.Fatalf("B claiming %s: %d %s", ssoDomain, p.status, p.body)
		}
		claim, err := f.db.FindDomainClaim(ctx, f.orgB, ssoDomain)
		if err != nil || claim.Verified() {
			t.Fatalf("B's claim: %+v %v", claim, err)
		}
		f.server.DNS = txtRecords{claim.TXTName(): {claim.TXTValue()}}
		p = b.do(t, "POST", f.srv.URL+"/settings/domains/"+ssoDomain+"/verify", url.Values{"csrf": {csrf}})
		if p.status != refusedStatus || !strings.Contains(p.body, "another organization on this server has verified") {
			t.Fatalf("B verifying A's domain: %d %s", p.status, p.body)
		}
		// A's people still go to A's provider and sign in to A.
		ann := newSSOBrowser()
		f.signedIn(t, ann, ann.do(t, "GET", f.login(t, ann, "ann@a.example", "sub-ann").String(), nil))
		if u, err := f.db.FindUserByEmail(ctx, "ann@a.example"); err != nil || u.OrgID != f.orgA {
			t.Fatalf("ann: %+v %v, want a user of A", u, err)
		}

		// B's own domain: saved, claimed, but not served until proven.
		p = b.do(t, "POST", f.srv.URL+"/settings/domains", url.Values{"csrf": {csrf}, "domain": {"not a domain"}})
		if p.status != refusedStatus || !strings.Contains(p.body, `id="domain-error"`) || !strings.Contains(p.body, `value="not a domain"`) {
			t.Fatalf("a bad domain: %d, want 422 beside the field with the input kept: %s", p.status, p.body)
		}
		p = b.do(t, "POST", f.srv.URL+"/settings/security", url.Values{"csrf": {csrf}, "oidc_issuer": {f.idp.URL},
			"oidc_client_id": {"b-client"}, "oidc_domain": {"b.example"}, "oidc_default_role": {attest.RoleEmployee}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "Security settings saved") {
			t.Fatalf("B saving its SSO: %d %s", p.status, p.body)
		}
		guest := newSSOBrowser()
		f.refused(t, guest, guest.do(t, "GET", f.srv.URL+"/sso?email=bo@b.example", nil), 404, ssoNotSetUp)
		bc, err := f.db.FindDomainClaim(ctx, f.orgB, "b.example")
		if err != nil {
			t.Fatal(err)
		}
		f.server.DNS = txtRecords{bc.TXTName(): {"attest-domain-verification=wrong"}}
		p = b.do(t, "POST", f.srv.URL+"/settings/domains/b.example/verify", url.Values{"csrf": {csrf}})
		if p.status != refusedStatus || !strings.Contains(p.body, "do not hold") {
			t.Fatalf("verify with a wrong record: %d %s", p.status, p.body)
		}
		f.server.DNS = txtRecords{bc.TXTName(): {bc.TXTValue()}}
		p = b.do(t, "POST", f.srv.URL+"/settings/domains/b.example/verify", url.Values{"csrf": {csrf}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "b.example is verified") {
			t.Fatalf("verify b.example: %d %s", p.status, p.body)
		}
		if org, _, err := f.db.FindSettingsByDomain(ctx, "b.example"); err != nil || org != f.orgB {
			t.Fatalf("b.example routes to %d, %v; want B", org, err)
		}

		// The operator revokes A's claim while Ann is at the provider: the
		// callback refuses her, and /sso no longer routes a.example.
		ann2 := newSSOBrowser()
		cb := f.login(t, ann2, "ann@a.example", "sub-ann")
		if err := f.db.DeleteDomainClaim(ctx, f.orgA, ssoDomain); err != nil {
			t.Fatal(err)
		}
		f.refused(t, ann2, ann2.do(t, "GET", cb.String(), nil), 403, ssoNotSetUp)
		f.refused(t, guest, guest.do(t, "GET", f.srv.URL+"/sso?email=ann@a.example", nil), 404, ssoNotSetUp)
	})
}
