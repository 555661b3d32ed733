package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestCSRF sends state-changing requests that another site could forge:
// each is refused with 403 and changes nothing.
func TestCSRF(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		admin := u.signIn(t, uAdmin)
		viewer := u.signIn(t, uViewer)
		for _, c := range []struct {
			name   string
			csrf   *string // nil sends no csrf field
			header map[string]string
		}{
			{name: "no token"},
			{name: "empty token", csrf: new(string)},
			{name: "wrong token", csrf: ptrTo(admin.csrf + "x")},
			{name: "another session's token", csrf: &viewer.csrf},
			{name: "token in the wrong header", header: map[string]string{"X-Csrf": admin.csrf}},
			{name: "cross-site origin", csrf: &admin.csrf, header: map[string]string{"Origin": "https://evil.example"}},
			{name: "cross-site fetch", csrf: &admin.csrf, header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
			{name: "same-site fetch", csrf: &admin.csrf, header: map[string]string{"Sec-Fetch-Site": "same-site"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				form := url.Values{"status": {"implemented"}, "owner": {"mallory"}}
				if c.csrf != nil {
					form.Set("csrf", *c.csrf)
				}
				req := formRequest(t, admin.base+"/controls/GOV-02", form)
				for k, v := range c.header {
					req.Header.Set(k, v)
				}
				if p := admin.do(t, req); p.status != http.StatusForbidden {
					t.Errorf("status %d, want 403: %.200s", p.status, p.body)
				}
				ctl, err := u.db.FindControlByID(ctx, u.orgA, "GOV-02")
				if err != nil {
					t.Fatal(err)
				}
				if ctl.Status != attest.NotStarted || ctl.OwnerID != 0 {
					t.Errorf("GOV-02 changed to %s, owner %d", ctl.Status, ctl.OwnerID)
				}
			})
		}
		// The same form with the session's token and no cross-site marks
		// goes through: the refusals above were the checks' doing.
		p := admin.post(t, "/controls/GOV-02", url.Values{"status": {"implemented"}, "owner": {ownerA}})
		wantStatus(t, "the genuine form", p, http.StatusSeeOther, "/controls/GOV-02")

		// Signing out and signing in are refused across sites too.
		req := formRequest(t, admin.base+"/signout", url.Values{"csrf": {admin.csrf}})
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		wantStatus(t, "cross-site sign-out", admin.do(t, req), http.StatusForbidden, "")
		wantStatus(t, "the session after a cross-site sign-out", admin.get(t, "/"), http.StatusOK, "")
		anon := u.client(t)
		req = formRequest(t, anon.base+"/signin", url.Values{"email": {u.users[uViewer].Email}, "password": {uiPassword}})
		req.Header.Set("Origin", "https://evil.example")
		wantStatus(t, "cross-site sign-in", anon.do(t, req), http.StatusForbidden, "")
		if anon.sessionCookie(t) != "" {
			t.Error("a cross-site sign-in set a session cookie")
		}
	})
}

func ptrTo[T any](v T) *T { return &v }

// TestSessionLifetime checks what ends a session: fixation, idle and
// absolute timeouts, sign-out, deactivation, an auditor's access expiry, and
// a revoked API token.
func TestSessionLifetime(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		signedOut := func(t *testing.T, what string, b *uiClient) {
			t.Helper()
			p := b.get(t, "/controls")
			wantStatus(t, what, p, http.StatusSeeOther, "/signin?next=%2Fcontrols")
		}
		t.Run("fixation", func(t *testing.T) {
			planted := u.signIn(t, uViewer).sessionCookie(t) // a live ID the attacker knows
			b := u.client(t)
			base, _ := url.Parse(b.base)
			b.c.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: planted, Path: "/"}})
			b.signInAs(t, u.users[uManager].Email, "/")
			if got := b.sessionCookie(t); got == planted || got == "" {
				t.Fatalf("session ID after sign-in = %q, want a new one", got)
			}
			attacker := u.client(t)
			attacker.c.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: planted, Path: "/"}})
			signedOut(t, "the planted ID after the victim signed in", attacker)
		})
		t.Run("idle timeout", func(t *testing.T) {
			b := u.signIn(t, uViewer)
			for range 3 {
				u.clock.Advance(attest.SessionIdleTimeout - time.Minute)
				wantStatus(t, "a request within the idle timeout", b.get(t, "/controls"), http.StatusOK, "")
			}
			u.clock.Advance(attest.SessionIdleTimeout + time.Second)
			signedOut(t, "a request after the idle timeout", b)
		})
		t.Run("absolute timeout", func(t *testing.T) {
			b := u.signIn(t, uViewer)
			step := attest.SessionIdleTimeout - 5*time.Minute
			elapsed := time.Duration(0)
			for ; elapsed+step <= attest.SessionMaxAge; elapsed += step {
				u.clock.Advance(step)
				wantStatus(t, fmt.Sprintf("a busy session after %s", elapsed+step), b.get(t, "/controls"), http.StatusOK, "")
			}
			u.clock.Advance(step)
			signedOut(t, fmt.Sprintf("a busy session after %s", elapsed+step), b)
		})
		t.Run("sign-out", func(t *testing.T) {
			b := u.signIn(t, uViewer)
			old := b.sessionCookie(t)
			wantStatus(t, "sign-out", b.post(t, "/signout", nil), http.StatusSeeOther, "/signin")
			if b.sessionCookie(t) != "" {
				t.Error("sign-out left the session cookie in the browser")
			}
			replay := u.client(t)
			base, _ := url.Parse(replay.base)
			replay.c.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: old, Path: "/"}})
			signedOut(t, "the old cookie after sign-out", replay)
		})
		t.Run("deactivated user", func(t *testing.T) {
			b := u.signIn(t, uManager)
			admin := u.signIn(t, uAdmin)
			p := admin.post(t, fmt.Sprintf("/settings/users/%d", u.users[uManager].ID), url.Values{"role": {attest.RoleComplianceManager}})
			wantStatus(t, "deactivate", p, http.StatusSeeOther, "/settings")
			signedOut(t, "the deactivated user's session", b)
			p = u.client(t).post(t, "/signin", url.Values{"email": {u.users[uManager].Email}, "password": {uiPassword}})
			wantStatus(t, "the deactivated user signing in", p, http.StatusUnauthorized, "")
		})
		t.Run("auditor access expiry", func(t *testing.T) {
			b := u.signIn(t, uAuditor)
			wantStatus(t, "the auditor before expiry", b.get(t, fmt.Sprintf("/engagements/%d", u.engA)), http.StatusOK, "")
			ends := u.clock.Now().Add(10 * time.Minute)
			if _, err := u.db.UpdateUser(ctx, u.orgA, u.users[uAuditor].ID, attest.UserUpdate{AccessExpires: ptrTo(&ends)}); err != nil {
				t.Fatal(err)
			}
			u.clock.Advance(10 * time.Minute)
			for _, path := range []string{"/", "/controls", fmt.Sprintf("/engagements/%d", u.engA), "/audit"} {
				p := b.get(t, path)
				wantStatus(t, "the auditor after expiry: "+path, p, http.StatusForbidden, "")
				if strings.Contains(p.body, secretA) {
					t.Errorf("%s shows A's data to an expired auditor", path)
				}
			}
			// Signing out still works, and ends the session.
			wantStatus(t, "the expired auditor signing out", b.post(t, "/signout", nil), http.StatusSeeOther, "/signin")
			signedOut(t, "the expired auditor's session", b)
			p := u.client(t).post(t, "/signin", url.Values{"email": {u.users[uAuditor].Email}, "password": {uiPassword}})
			wantStatus(t, "the expired auditor signing in", p, http.StatusForbidden, "")
			if !strings.Contains(p.body, "access has ended") {
				t.Errorf("the refusal does not say why: %.300s", p.body)
			}
		})
		t.Run("revoked token", func(t *testing.T) {
			admin := u.signIn(t, uAdmin)
			p := admin.post(t, "/settings/tokens", url.Values{"name": {"ci"}, "role": {attest.RoleViewer}})
			wantStatus(t, "create token", p, http.StatusOK, "")
			secret := p.doc(t).Find("#new-secret").Text()
			if r := u.do(t, "GET", "/api/v1/controls", secret, ""); r.status != http.StatusOK {
				t.Fatalf("the new token = %d, want 200", r.status)
			}
			toks, err := u.db.FindTokens(ctx, u.orgA)
			if err != nil {
				t.Fatal(err)
			}
			var id int64
			for _, tk := range toks {
				if tk.Name == "ci" {
					id = tk.ID
				}
			}
			wantStatus(t, "revoke token", admin.post(t, fmt.Sprintf("/settings/tokens/%d/revoke", id), nil), http.StatusSeeOther, "/settings")
			if r := u.do(t, "GET", "/api/v1/controls", secret, ""); r.status != http.StatusUnauthorized {
				t.Errorf("the revoked token = %d, want 401", r.status)
			}
		})
	})
}

// TestSessionCookie checks the cookie's flags, plain, over TLS and behind a
// TLS-terminating proxy (an https:// public URL, plain HTTP here), and HSTS.
func TestSessionCookie(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		tls := httptest.NewTLSServer(u.server)
		defer tls.Close()
		for _, c := range []struct {
			name      string
			srv       *httptest.Server
			publicURL string
			cookie    string
			secure    bool
		}{
			{"plain", u.srv, "", sessionCookie, false},
			{"plain with an http public URL", u.srv, "http://attest.example", sessionCookie, false},
			{"TLS", tls, "", sessionCookieTLS, true},
			{"behind a TLS proxy", u.srv, "https://attest.example", sessionCookieTLS, true},
		} {
			t.Run(c.name, func(t *testing.T) {
				u.server.PublicURL = c.publicURL
				defer func() { u.server.PublicURL = "" }()
				b := newUIClient(t, c.srv)
				p := b.post(t, "/signin", url.Values{"email": {u.users[uViewer].Email}, "password": {uiPassword}})
				wantStatus(t, "sign in", p, http.StatusSeeOther, "/")
				res := &http.Response{Header: p.header}
				var got *http.Cookie
				for _, ck := range res.Cookies() {
					if strings.Contains(ck.Name, "session") {
						got = ck
					}
				}
				switch {
				case got == nil:
					t.Fatalf("no session cookie in %q", p.header.Values("Set-Cookie"))
				case got.Name != c.cookie:
					t.Errorf("cookie name %q, want %q", got.Name, c.cookie)
				case !got.HttpOnly || got.SameSite != http.SameSiteLaxMode || got.Path != "/" || got.Domain != "":
					t.Errorf("cookie %q: want HttpOnly, SameSite=Lax, Path=/ and no Domain", got.Raw)
				case got.Secure != c.secure:
					t.Errorf("cookie %q: Secure = %v, want %v", got.Raw, got.Secure, c.secure)
				}
				if c.srv == tls || !c.secure { // a cookie jar sends Secure cookies over https only
					wantStatus(t, "the dashboard on the new session", b.get(t, "/"), http.StatusOK, "")
				}
				hsts := b.get(t, "/signin").header.Get("Strict-Transport-Security")
				if c.secure != strings.HasPrefix(hsts, "max-age=") {
					t.Errorf("Strict-Transport-Security = %q over %s", hsts, c.name)
				}
			})
		}
	})
}

// TestSignInLockout checks that repeated failures lock an email out, known
// or not, that the lockout says until when, is logged, and ends.
func TestSignInLockout(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		for _, c := range []struct {
			name, email string
			// after is what the right password gets once the lockout ends.
			after int
		}{
			{"known email", u.users[uViewer].Email, http.StatusSeeOther},
			{"unknown email", "nobody@a.example", http.StatusUnauthorized},
		} {
			t.Run(c.name, func(t *testing.T) {
				b := u.client(t)
				attempt := func(password string) *uiPage {
					return b.post(t, "/signin", url.Values{"email": {c.email}, "password": {password}})
				}
				for i := 1; i < attest.LoginMaxFailures; i++ {
					wantStatus(t, fmt.Sprintf("wrong password %d", i), attempt("not the password"), http.StatusUnauthorized, "")
				}
				until := "Try again after " + u.clock.Now().Add(attest.LoginLockout).Format("15:04") + " UTC"
				wantStatus(t, "the failure that locks", attempt("not the password"), http.StatusTooManyRequests, "")
				u.clock.Advance(attest.LoginLockout - time.Second)
				p := attempt(uiPassword)
				wantStatus(t, "the right password while locked out", p, http.StatusTooManyRequests, "")
				if msg := p.doc(t).Find(".flash").Text(); !strings.Contains(msg, until) {
					t.Errorf("lockout message %q does not say %q", msg, until)
				}
				if b.sessionCookie(t) != "" {
					t.Error("a locked-out sign-in set a session cookie")
				}
				u.clock.Advance(time.Second)
				wantStatus(t, "the right password after the lockout", attempt(uiPassword), c.after, "")
			})
		}
		entries, err := u.db.FindAuditLog(context.Background(), u.orgA, attest.AuditFilter{Action: "user.sign_in_failed"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != attest.LoginMaxFailures {
			t.Fatalf("%d sign_in_failed entries, want %d", len(entries), attest.LoginMaxFailures)
		}
		for _, en := range entries {
			if en.EntityID != fmt.Sprint(u.users[uViewer].ID) || !strings.Contains(string(en.After), u.users[uViewer].Email) {
				t.Errorf("entry %d names user %s (%s), want the viewer", en.Seq, en.EntityID, en.After)
			}
		}
	})
}
