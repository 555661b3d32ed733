package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/internal/oidctest"
)

// An admin sets up single sign-on on the settings page against a real
// OpenID provider (oidctest's, started in the test); then, in a fresh
// browser, a user of the allowed domain types their work email on the
// sign-in page, signs in at the provider's login page and comes back to
// the dashboard as a new user with the default role. An email of a domain
// without SSO is refused on the sign-in page.
func TestSSOSignIn(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		const (
			clientID     = "attest-northwind"
			clientSecret = "secret issued by the provider"
			domain       = "northwind.example"
			subject      = "idp-user-4711"
			email        = "ines.moreau@northwind.example"
		)
		res, admin := e.demo()
		idp := oidctest.Start(t, oidctest.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURI: e.base + "/sso/callback"},
			oidctest.User{Subject: subject, Email: email, EmailVerified: true, GivenName: "Ines", FamilyName: "Moreau"})

		// The admin configures SSO on the settings page.
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("admin sign-in: status %d", status)
		}
		e.open("/settings")
		if got := e.text(`form[action="/settings/security"] p.meta code`); got != e.base+"/sso/callback" {
			t.Errorf("settings show the redirect URI %q, want %q", got, e.base+"/sso/callback")
		}
		e.typeInto("#oidc_issuer", idp.URL)
		e.typeInto("#oidc_client_id", clientID)
		e.typeInto("#oidc_client_secret", clientSecret)
		e.typeInto("#oidc_domain", domain)
		e.do(chromedp.SetValue(chromedp.CSS("#oidc_default_role"), attest.RoleComplianceManager))
		if status := e.submit(`form[action="/settings/security"]`); status != 200 {
			t.Fatalf("save the SSO settings: status %d", status)
		}
		e.wantPath("/settings")
		if got := e.flash(); got != "Security settings saved." {
			e.fail("flash after saving SSO settings = %q", got)
		}
		// The server hosts one organization: saving claimed the domain and
		// verified the claim at once.
		if got := e.text(`#domain-claims tbody tr td:nth-child(2) .badge`); got != "verified" {
			e.fail("the domain claim's state = %q, want verified", got)
		}
		e.shot("settings-domains")
		st, err := e.db.FindSettings(context.Background(), res.Organization.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !st.SSOEnabled() || st.OIDCIssuer != idp.URL || st.OIDCClient != clientID || st.OIDCDomain != domain ||
			st.OIDCDefaultRole != attest.RoleComplianceManager || st.OIDCSecret == "" || strings.Contains(st.OIDCSecret, clientSecret) {
			t.Fatalf("stored SSO settings %+v, want issuer %s, client %s, domain %s, compliance manager, a sealed secret",
				st, idp.URL, clientID, domain)
		}

		// A user on another machine: no cookies from the admin's session.
		e.freshBrowser()

		// An email of a domain nobody set SSO up for stays on Attest.
		e.open("/signin")
		e.typeInto("#sso-email", "someone@elsewhere.example")
		if status := e.submit(`form[action="/sso"]`); status != 404 {
			t.Errorf("SSO for an unknown domain: status %d, want 404", status)
		}
		e.wantOrigin(e.base)
		e.wantPath("/sso")
		if got, want := e.flash(), "Single sign-on is not set up for this email domain."; got != want {
			e.fail("SSO for an unknown domain: flash %q, want %q", got, want)
		}
		e.shot("signin-sso-not-set-up")

		// The user types their work email into the SSO form...
		e.open("/signin")
		e.typeInto("#sso-email", email)
		e.shot("signin-sso")
		if status := e.submit(`form[action="/sso"]`); status != 200 {
			t.Fatalf("continue with SSO: status %d", status)
		}
		// ...signs in at the provider's login page...
		e.wantOrigin(idp.URL)
		e.wantPath(oidctest.LoginPath)
		if got := e.text("h1"); got != "Test OpenID provider" {
			e.fail("provider page heading %q", got)
		}
		e.typeInto("#username", subject)
		e.typeInto("#password", oidctest.Password)
		e.shot("provider-login")
		if status := e.submit("#login"); status != 200 {
			t.Fatalf("sign in at the provider: status %d", status)
		}
		// ...and lands on Attest's dashboard, signed in.
		e.wantOrigin(e.base)
		e.wantPath("/")
		if got := e.text("h1"); got != res.Engagement.Name {
			e.fail("dashboard heading %q, want %q", got, res.Engagement.Name)
		}
		if got, want := e.text("header .who span"), "Ines Moreau · compliance manager · "+res.Organization.Name; got != want {
			t.Errorf("header %q, want %q", got, want)
		}
		e.do(chromedp.WaitVisible(chromedp.CSS("#overall-score")))
		e.shot("dashboard-after-sso")

		u, err := e.db.FindUserByEmail(context.Background(), email)
		if err != nil {
			t.Fatalf("the SSO user was not stored: %v", err)
		}
		if u.OrgID != res.Organization.ID || u.SSOSubject != subject || u.Role != attest.RoleComplianceManager ||
			u.Name != "Ines Moreau" || u.PasswordHash != "" || !u.Active || u.LastLogin == nil {
			t.Errorf("stored user %+v, want Ines Moreau of %s, subject %s, compliance manager, no password, active, signed in",
				u, res.Organization.Name, subject)
		}
	})
}

// freshBrowser moves the env to a new browser context of the same
// Chromium, as a user on another machine: no cookies, no storage.
func (e *env) freshBrowser() {
	e.t.Helper()
	ctx, cancel := chromedp.NewContext(e.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(e.watch))
	e.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		e.fail("open a new browser context: %v", err)
	}
	e.ctx = ctx
}

// wantOrigin fails unless the tab shows a page of the server at base.
func (e *env) wantOrigin(base string) {
	e.t.Helper()
	loc := get(e, chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil || u.Scheme+"://"+u.Host != base {
		e.fail("the browser is at %s, want a page of %s", loc, base)
	}
}
