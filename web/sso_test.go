package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/internal/oidctest"
	"github.com/attest-dev/attest/internal/testdb"
)

// Single sign-on is tested against a real OpenID provider, oidctest's
// (zitadel/oidc's OpenID certified op package with its example storage),
// on a loopback server with a login page of its own. A cookie-jar client
// plays the browser through Attest, the provider's login form and back.

const (
	ssoClientID     = "attest-web"
	ssoClientSecret = "provider-issued client secret"
	ssoDomain       = "a.example"
	ssoPassword     = "correct horse"
	ssoAdminEmail   = "root@corp.example"
)

// ssoUsers are the provider's accounts; each signs in with its subject as
// username.
var ssoUsers = []oidctest.User{
	{Subject: "sub-ann", Email: "ann@a.example", EmailVerified: true, GivenName: "Ann", FamilyName: "Example"},
	{Subject: "sub-pw", Email: "pw@a.example", EmailVerified: true},
	{Subject: "sub-dup", Email: "pw@a.example", EmailVerified: true},
	{Subject: "sub-out", Email: "out@elsewhere.example", EmailVerified: true},
	{Subject: "sub-unverified", Email: "unverified@a.example", EmailVerified: false},
	{Subject: "sub-bob", Email: "bob@a.example", EmailVerified: true},
	{Subject: "sub-auditor", Email: "auditor@a.example", EmailVerified: true},
	{Subject: "sub-gone", Email: "gone@a.example", EmailVerified: true},
	{Subject: "sub-claims", Email: "claims@a.example", EmailVerified: true, GivenName: "Claire", FamilyName: "Claims"},
	{Subject: "sub-token", Email: "token@a.example", EmailVerified: true},
}

// ssoClaimsOf decodes a JWT's payload.
func ssoClaimsOf(jwt string) (map[string]any, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("a JWT of %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	claims := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, err
	}
	return claims, nil
}

func ssoSegment(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ssoResigned returns a rewrite that changes claims and signs the token
// again with the provider's own key: a token the provider could have
// issued.
func ssoResigned(idp *oidctest.Provider, change func(claims map[string]any)) func(jwt string) (string, error) {
	return func(jwt string) (string, error) {
		claims, err := ssoClaimsOf(jwt)
		if err != nil {
			return "", err
		}
		change(claims)
		return idp.Sign(claims)
	}
}

// ssoTampered changes the subject but keeps the provider's signature.
func ssoTampered(jwt string) (string, error) {
	parts := strings.Split(jwt, ".")
	claims, err := ssoClaimsOf(jwt)
	if err != nil {
		return "", err
	}
	claims["sub"] = "sub-ann"
	if parts[1], err = ssoSegment(claims); err != nil {
		return "", err
	}
	return strings.Join(parts, "."), nil
}

// ssoUnsigned drops the signature and says so in the header.
func ssoUnsigned(jwt string) (string, error) {
	parts := strings.Split(jwt, ".")
	header, err := ssoSegment(map[string]string{"alg": "none", "typ": "JWT"})
	if err != nil || len(parts) != 3 {
		return "", fmt.Errorf("unsign %d parts: %v", len(parts), err)
	}
	return header + "." + parts[1] + ".", nil
}

// ssoBrowser is a cookie-jar client that follows redirects, optionally
// stopping before Attest's SSO callback so a test can look at it.
type ssoBrowser struct {
	c              *http.Client
	stopAtCallback bool
}

func newSSOBrowser() *ssoBrowser {
	jar, _ := cookiejar.New(nil)
	b := &ssoBrowser{}
	b.c = &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if b.stopAtCallback && req.URL.Path == "/sso/callback" {
			return http.ErrUseLastResponse
		}
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		return nil
	}}
	return b
}

// ssoPage is a response as the browser ended up with it.
type ssoPage struct {
	status int
	url    *url.URL
	header http.Header
	body   string
}

func (b *ssoBrowser) do(t *testing.T, method, target string, form url.Values) ssoPage {
	t.Helper()
	var res *http.Response
	var err error
	if method == "POST" {
		res, err = b.c.PostForm(target, form)
	} else {
		res, err = b.c.Get(target)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	return ssoPageOf(res)
}

// ssoPageOf reads and closes the response.
func ssoPageOf(res *http.Response) ssoPage {
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return ssoPage{status: res.StatusCode, url: res.Request.URL, header: res.Header, body: string(body)}
}

// ssoFixture is Attest over a seeded database, with organization A's SSO
// pointed at a running provider.
type ssoFixture struct {
	*env
	target testdb.Target
	idp    *oidctest.Provider
}

// forEachSSO runs fn per database, in parallel, on a fresh fixture whose
// SSO an admin has set up through the settings page.
func forEachSSO(t *testing.T, fn func(t *testing.T, f *ssoFixture)) {
	for _, target := range testdb.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			t.Parallel()
			f := &ssoFixture{env: newEnv(t, target), target: target}
			// The test's identity provider listens on loopback.
			f.server.AllowInternalTargets = true
			f.idp = oidctest.Start(t, oidctest.Config{ClientID: ssoClientID, ClientSecret: ssoClientSecret,
				RedirectURI: f.srv.URL + "/sso/callback"}, ssoUsers...)
			f.configure(t)
			fn(t, f)
		})
	}
}

var ssoCSRFField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// configure signs an admin of organization A in with a password and saves
// the SSO settings through the settings form.
func (f *ssoFixture) configure(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	hash, err := attest.HashPassword(ssoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreateUser(ctx, &attest.User{OrgID: f.orgA, Email: ssoAdminEmail, Role: attest.RoleAdmin, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	b := newSSOBrowser()
	if p := b.do(t, "POST", f.srv.URL+"/signin", url.Values{"email": {ssoAdminEmail}, "password": {ssoPassword}}); p.status != http.StatusOK {
		t.Fatalf("admin sign-in: %d %s", p.status, p.body)
	}
	p := b.do(t, "GET", f.srv.URL+"/settings", nil)
	m := ssoCSRFField.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("settings page: %d, CSRF field found: %v", p.status, m != nil)
	}
	p = b.do(t, "POST", f.srv.URL+"/settings/security", url.Values{"csrf": {m[1]}, "oidc_issuer": {f.idp.URL},
		"oidc_client_id": {ssoClientID}, "oidc_client_secret": {ssoClientSecret}, "oidc_domain": {ssoDomain},
		"oidc_default_role": {attest.RoleComplianceManager}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Security settings saved") {
		t.Fatalf("save SSO settings: %d %s", p.status, p.body)
	}
	// Saving claimed the domain; with organization B on the server too,
	// the claim waits for proof. The admin publishes the TXT record the
	// page shows and verifies it.
	c, err := f.db.FindDomainClaim(ctx, f.orgA, ssoDomain)
	if err != nil || c.Verified() {
		t.Fatalf("claim after saving: %+v %v, want an unverified claim", c, err)
	}
	if !strings.Contains(p.body, c.TXTValue()) {
		t.Fatalf("the settings page does not show the TXT record %q to publish", c.TXTValue())
	}
	f.server.DNS = txtRecords{c.TXTName(): {"v=spf1 -all", c.TXTValue()}}
	p = b.do(t, "POST", f.srv.URL+"/settings/domains/"+ssoDomain+"/verify", url.Values{"csrf": {m[1]}})
	if p.status != http.StatusOK || !strings.Contains(p.body, ssoDomain+" is verified") {
		t.Fatalf("verify the domain: %d %s", p.status, p.body)
	}
}

// txtRecords is a DNS zone of TXT records, for domain verification.
type txtRecords map[string][]string

func (z txtRecords) LookupTXT(_ context.Context, name string) ([]string, error) {
	if r, ok := z[name]; ok {
		return r, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// login starts SSO at Attest with the typed email, signs in at the
// provider as subject and returns the callback URL the provider sends the
// browser back to, not yet followed.
func (f *ssoFixture) login(t *testing.T, b *ssoBrowser, typed, subject string) *url.URL {
	t.Helper()
	b.stopAtCallback = true
	defer func() { b.stopAtCallback = false }()
	p := b.do(t, "GET", f.srv.URL+"/sso?email="+url.QueryEscape(typed), nil)
	if p.status != http.StatusOK || p.url.Path != oidctest.LoginPath || !strings.HasPrefix(p.url.String(), f.idp.URL) {
		t.Fatalf("GET /sso?email=%s ended at %d %s, want the provider's login page: %s", typed, p.status, p.url, p.body)
	}
	res, err := f.idp.Login(b.c, p.url, subject)
	if err != nil {
		t.Fatalf("provider login as %s: %v", subject, err)
	}
	p = ssoPageOf(res)
	loc, err := url.Parse(p.header.Get("Location"))
	if p.status != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), f.srv.URL+"/sso/callback?") {
		t.Fatalf("provider login as %s: %d to %q, want a redirect to Attest's callback: %s", subject, p.status, p.header.Get("Location"), p.body)
	}
	return loc
}

// signedIn fails unless p is the dashboard of a fresh session.
func (f *ssoFixture) signedIn(t *testing.T, b *ssoBrowser, p ssoPage) {
	t.Helper()
	if p.status != http.StatusOK || p.url.Path != "/" || !strings.Contains(p.body, "<title>Dashboard · Attest</title>") {
		t.Fatalf("ended at %d %s, want the dashboard: %s", p.status, p.url, p.body)
	}
	if !ssoHasSession(b, f.srv.URL) {
		t.Fatal("signed in without a session cookie")
	}
}

// refused fails unless p is the sign-in page with status and message, and
// the browser holds no session.
func (f *ssoFixture) refused(t *testing.T, b *ssoBrowser, p ssoPage, status int, msg string) {
	t.Helper()
	if p.status != status || (p.url.Path != "/sso/callback" && p.url.Path != "/sso") || !strings.Contains(p.body, msg) {
		t.Fatalf("ended at %d %s, want %d with %q: %s", p.status, p.url, status, msg, p.body)
	}
	if ssoHasSession(b, f.srv.URL) {
		t.Fatal("a refused sign-in left a session cookie")
	}
	if p := b.do(t, "GET", f.srv.URL+"/", nil); p.url.Path != "/signin" {
		t.Fatalf("after a refused sign-in, / = %d %s, want the sign-in page", p.status, p.url)
	}
}

func ssoHasSession(b *ssoBrowser, base string) bool {
	u, _ := url.Parse(base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == sessionCookie && c.Value != "" {
			return true
		}
	}
	return false
}

func (f *ssoFixture) user(t *testing.T, email string) *attest.User {
	t.Helper()
	u, err := f.db.FindUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("find %s: %v", email, err)
	}
	return u
}

// rawSecret reads organization A's stored client secret directly.
func (f *ssoFixture) rawSecret(t *testing.T) string {
	t.Helper()
	driver, dsn := "pgx", f.target.DatabaseURL
	if dsn == "" {
		driver, dsn = "sqlite", filepath.Join(f.target.DataDir, "attest.db")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	q := "SELECT oidc_client_secret FROM org_settings WHERE org_id = $1"
	if driver == "sqlite" {
		q = strings.Replace(q, "$1", "?", 1)
	}
	if err := db.QueryRow(q, f.orgA).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSSOSignIn walks sign-ins through the provider in order: each case
// may rely on what earlier ones created.
func TestSSOSignIn(t *testing.T) {
	forEachSSO(t, func(t *testing.T, f *ssoFixture) {
		ctx := context.Background()
		hash, err := attest.HashPassword("a long enough password")
		if err != nil {
			t.Fatal(err)
		}
		auditor := &attest.User{OrgID: f.orgA, Email: "auditor@a.example", Role: attest.RoleAuditor}
		for _, u := range []*attest.User{
			{OrgID: f.orgA, Email: "pw@a.example", Role: attest.RoleControlOwner, PasswordHash: hash},
			{OrgID: f.orgB, Email: "bob@a.example", Role: attest.RoleAdmin, PasswordHash: hash},
			auditor,
		} {
			if err := f.db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		expired := time.Now().Add(-24 * time.Hour)
		if _, err := f.db.UpdateUser(ctx, f.orgA, auditor.ID, attest.UserUpdate{AccessExpires: func() **time.Time { p := &expired; return &p }()}); err != nil {
			t.Fatal(err)
		}
		const (
			unverifiable = "could not be verified"
			signsIn      = 0
		)
		// userinfoBefore is the provider's count of userinfo requests
		// before a case that must make none.
		var userinfoBefore int64
		for _, c := range []struct {
			name, subject string
			// typed is the email typed at Attest; "" means ann@a.example.
			typed   string
			setup   func(t *testing.T)
			rewrite func(jwt string) (string, error)
			status  int // 0: signs in
			msg     string
			check   func(t *testing.T)
		}{
			{name: "first sign-in creates the user with the default role", subject: "sub-ann", check: func(t *testing.T) {
				u := f.user(t, "ann@a.example")
				if u.OrgID != f.orgA || u.Role != attest.RoleComplianceManager || u.PasswordHash != "" || u.SSOSubject != "sub-ann" || !u.Active || u.Name != "Ann Example" {
					t.Errorf("created user %+v, want Ann Example in org A, compliance manager, no password, subject sub-ann", u)
				}
			}},
			{name: "second sign-in reuses the user", subject: "sub-ann", check: func(t *testing.T) {
				users, err := f.db.FindUsers(ctx, f.orgA)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, u := range users {
					if u.Email == "ann@a.example" {
						n++
					}
				}
				if n != 1 || f.user(t, "ann@a.example").LastLogin == nil {
					t.Errorf("%d users ann@a.example after two sign-ins, want 1 with a last login", n)
				}
			}},
			{name: "an account without subject is linked by email", subject: "sub-pw", typed: "pw@a.example", check: func(t *testing.T) {
				u := f.user(t, "pw@a.example")
				if u.SSOSubject != "sub-pw" || u.Role != attest.RoleControlOwner || u.PasswordHash != hash {
					t.Errorf("linked user %+v, want subject sub-pw and its role and password kept", u)
				}
			}},
			{name: "another identity with a linked account's email", subject: "sub-dup", status: 403, msg: "linked to another single sign-on identity"},
			{name: "an email outside the allowed domain", subject: "sub-out", status: 403, msg: "not in the domain allowed"},
			{name: "an unverified email", subject: "sub-unverified", status: 403, msg: "has not verified your email"},
			{name: "an account of another organization", subject: "sub-bob", status: 403, msg: "cannot sign in with this identity provider"},
			{name: "an auditor whose access ended", subject: "sub-auditor", status: 403, msg: "Your access has ended"},
			{name: "a user before deactivation", subject: "sub-gone"},
			{name: "a deactivated user", subject: "sub-gone", status: 403, msg: "This account is deactivated", setup: func(t *testing.T) {
				off := false
				if _, err := f.db.UpdateUser(ctx, f.orgA, f.user(t, "gone@a.example").ID, attest.UserUpdate{Active: &off}); err != nil {
					t.Fatal(err)
				}
			}},
			{name: "email claims in the ID token, without userinfo", subject: "sub-claims", setup: func(t *testing.T) {
				f.idp.SetClaimsInIDToken(true)
				userinfoBefore = f.idp.UserinfoCalls()
				t.Cleanup(func() { f.idp.SetClaimsInIDToken(false) })
			}, check: func(t *testing.T) {
				if n := f.idp.UserinfoCalls() - userinfoBefore; n != 0 {
					t.Errorf("userinfo called %d times although the ID token had the claims", n)
				}
				if u := f.user(t, "claims@a.example"); u.Name != "Claire Claims" {
					t.Errorf("name %q, want Claire Claims from the ID token", u.Name)
				}
			}},
			{name: "an ID token re-signed by the provider's key, unchanged", subject: "sub-token", rewrite: ssoResigned(f.idp, func(map[string]any) {})},
			{name: "a tampered ID token", subject: "sub-token", rewrite: ssoTampered, status: 403, msg: unverifiable},
			{name: "an unsigned ID token", subject: "sub-token", rewrite: ssoUnsigned, status: 403, msg: unverifiable},
			{name: "an ID token for another audience", subject: "sub-token", status: 403, msg: unverifiable,
				rewrite: ssoResigned(f.idp, func(c map[string]any) { c["aud"] = []string{"another-client"}; c["azp"] = "another-client" })},
			{name: "an ID token from another issuer", subject: "sub-token", status: 403, msg: unverifiable,
				rewrite: ssoResigned(f.idp, func(c map[string]any) { c["iss"] = "http://127.0.0.1:1" })},
			{name: "an expired ID token", subject: "sub-token", status: 403, msg: unverifiable,
				rewrite: ssoResigned(f.idp, func(c map[string]any) {
					c["exp"] = time.Now().Add(-time.Hour).Unix()
					c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
				})},
			{name: "an ID token with another nonce", subject: "sub-token", status: 403, msg: unverifiable,
				rewrite: ssoResigned(f.idp, func(c map[string]any) { c["nonce"] = "replayed-nonce" })},
		} {
			t.Run(c.name, func(t *testing.T) {
				if c.setup != nil {
					c.setup(t)
				}
				f.idp.SetIDTokenRewrite(c.rewrite)
				defer f.idp.SetIDTokenRewrite(nil)
				typed := c.typed
				if typed == "" {
					typed = "ann@a.example"
				}
				b := newSSOBrowser()
				p := b.do(t, "GET", f.login(t, b, typed, c.subject).String(), nil)
				if c.status == signsIn {
					f.signedIn(t, b, p)
				} else {
					f.refused(t, b, p, c.status, c.msg)
				}
				if c.check != nil {
					c.check(t)
				}
			})
		}
	})
}

// TestSSOFlow checks the state that ties a callback to the browser that
// started the sign-in, and the lookup by email domain.
func TestSSOFlow(t *testing.T) {
	forEachSSO(t, func(t *testing.T, f *ssoFixture) {
		const expired = "expired or did not start here"
		t.Run("flow cookie is sealed, HttpOnly and SameSite=Lax", func(t *testing.T) {
			b := newSSOBrowser()
			b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			p := b.do(t, "GET", f.srv.URL+"/sso?email=ann@a.example", nil)
			loc, _ := url.Parse(p.header.Get("Location"))
			q := loc.Query()
			if p.status != http.StatusSeeOther || !strings.HasPrefix(loc.String(), f.idp.URL+"/authorize?") ||
				q.Get("state") == "" || q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
				q.Get("client_id") != ssoClientID || q.Get("redirect_uri") != f.srv.URL+"/sso/callback" {
				t.Fatalf("GET /sso = %d to %s, want the provider's authorize endpoint with state, nonce and S256 PKCE", p.status, loc)
			}
			res := &http.Response{Header: p.header}
			var flow *http.Cookie
			for _, c := range res.Cookies() {
				if c.Name == ssoCookie {
					flow = c
				}
			}
			if flow == nil || !flow.HttpOnly || flow.SameSite != http.SameSiteLaxMode || flow.MaxAge <= 0 || flow.MaxAge > 600 {
				t.Fatalf("flow cookie %+v, want HttpOnly, SameSite=Lax, at most 10 minutes", flow)
			}
			for _, v := range []string{q.Get("state"), q.Get("nonce")} {
				if strings.Contains(flow.Value, v) {
					t.Errorf("flow cookie %q shows %q in clear", flow.Value, v)
				}
			}
		})
		t.Run("the sign-in page lets the SSO form redirect to the provider", func(t *testing.T) {
			// Browsers check form-action on the redirects after a form is
			// sent too: with form-action 'self' Chromium blocks GET /sso's
			// redirect to the provider.
			b := newSSOBrowser()
			csp := b.do(t, "GET", f.srv.URL+"/signin", nil).header.Get("Content-Security-Policy")
			if strings.Contains(csp, "form-action") || !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("sign-in page CSP %q, want every page's without form-action", csp)
			}
			if csp := b.do(t, "GET", f.srv.URL+"/nope", nil).header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") {
				t.Errorf("other pages' CSP %q, want form-action 'self'", csp)
			}
		})
		t.Run("wrong state", func(t *testing.T) {
			b := newSSOBrowser()
			cb := f.login(t, b, "ann@a.example", "sub-ann")
			q := cb.Query()
			q.Set("state", q.Get("state")+"x")
			cb.RawQuery = q.Encode()
			f.refused(t, b, b.do(t, "GET", cb.String(), nil), 403, expired)
		})
		t.Run("callback in another browser", func(t *testing.T) {
			cb := f.login(t, newSSOBrowser(), "ann@a.example", "sub-ann")
			other := newSSOBrowser()
			f.refused(t, other, other.do(t, "GET", cb.String(), nil), 403, expired)
		})
		t.Run("callback replayed", func(t *testing.T) {
			b := newSSOBrowser()
			cb := f.login(t, b, "ann@a.example", "sub-ann")
			var flow *http.Cookie
			for _, c := range b.c.Jar.Cookies(cb) {
				if c.Name == ssoCookie {
					flow = c
				}
			}
			if flow == nil {
				t.Fatal("no flow cookie before the callback")
			}
			f.signedIn(t, b, b.do(t, "GET", cb.String(), nil))
			// The browser no longer has the flow...
			b.c.Jar.SetCookies(cb, []*http.Cookie{{Name: sessionCookie, Value: "", MaxAge: -1, Path: "/"}})
			f.refused(t, b, b.do(t, "GET", cb.String(), nil), 403, expired)
			// ...and one who copied it cannot use the code a second time.
			thief := newSSOBrowser()
			thief.c.Jar.SetCookies(cb, []*http.Cookie{{Name: ssoCookie, Value: flow.Value, Path: "/"}})
			f.refused(t, thief, thief.do(t, "GET", cb.String(), nil), 403, "could not be verified")
		})
		t.Run("provider error", func(t *testing.T) {
			b := newSSOBrowser()
			cb := f.login(t, b, "ann@a.example", "sub-ann")
			q := url.Values{"state": {cb.Query().Get("state")}, "error": {"access_denied"}}
			f.refused(t, b, b.do(t, "GET", f.srv.URL+"/sso/callback?"+q.Encode(), nil), 403, "did not sign you in")
		})
		t.Run("domains without SSO get one answer", func(t *testing.T) {
			ctx := context.Background()
			// Organization B has users but no SSO; it cannot claim A's domain.
			b := newSSOBrowser()
			for _, email := range []string{"x@nowhere.example", "root@corp.example", "x@A.EXAMPLE.other"} {
				f.refused(t, b, b.do(t, "GET", f.srv.URL+"/sso?email="+url.QueryEscape(email), nil), 404, "Single sign-on is not set up for this email domain.")
			}
			f.refused(t, b, b.do(t, "GET", f.srv.URL+"/sso?email=nobody", nil), 400, "Enter your work email")
			st := &attest.Settings{OIDCIssuer: f.idp.URL, OIDCClient: "b-client", OIDCDomain: ssoDomain}
			if err := f.db.UpdateSettings(ctx, f.orgB, st); attest.ErrorField(err) != "oidc_domain" {
				t.Fatalf("B claiming A's SSO domain: %v, want a refusal about oidc_domain", err)
			}
			if got, _ := f.db.FindSettings(ctx, f.orgB); got.SSOEnabled() {
				t.Error("the refused claim was stored")
			}
		})
	})
}

// TestSSOSecretSealed checks that the client secret saved through the
// settings form is stored sealed for organization A, and works.
func TestSSOSecretSealed(t *testing.T) {
	forEachSSO(t, func(t *testing.T, f *ssoFixture) {
		raw := f.rawSecret(t)
		if raw == "" || strings.Contains(raw, ssoClientSecret) || !strings.HasPrefix(raw, "v1:") {
			t.Fatalf("org_settings.oidc_client_secret = %q, want a sealed value", raw)
		}
		if got, err := f.server.box.Open(raw, oidcPurpose(f.orgA)); err != nil || got != ssoClientSecret {
			t.Errorf("open with A's purpose = %q, %v", got, err)
		}
		if _, err := f.server.box.Open(raw, oidcPurpose(f.orgB)); err == nil {
			t.Error("A's sealed secret opens for organization B")
		}
		st, err := f.db.FindSettings(context.Background(), f.orgA)
		if err != nil {
			t.Fatal(err)
		}
		if js, _ := json.Marshal(st); strings.Contains(string(js), raw) {
			t.Errorf("settings JSON %s carries the sealed secret", js)
		}
		// The provider checks the secret at its token endpoint.
		b := newSSOBrowser()
		f.signedIn(t, b, b.do(t, "GET", f.login(t, b, "ann@a.example", "sub-ann").String(), nil))
	})
}

// TestSSORedirectURL checks the callback URL registered at the provider:
// from PublicURL when set (behind a proxy), else from the request.
func TestSSORedirectURL(t *testing.T) {
	tlsReq := httptest.NewRequest("GET", "https://attest.internal/sso", nil)
	for _, c := range []struct {
		name, public string
		req          *http.Request
		want         string
	}{
		{"plain request", "", httptest.NewRequest("GET", "http://127.0.0.1:8080/sso", nil), "http://127.0.0.1:8080/sso/callback"},
		{"TLS request", "", tlsReq, "https://attest.internal/sso/callback"},
		{"public URL", "https://attest.example.com/", httptest.NewRequest("GET", "http://127.0.0.1:8080/sso", nil), "https://attest.example.com/sso/callback"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := (&Server{PublicURL: c.public}).ssoRedirectURL(c.req); got != c.want {
				t.Errorf("redirect URL %q, want %q", got, c.want)
			}
		})
	}
}
