package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp/totp"
)

// A wrong password keeps the user on the sign-in page with an error; the
// right one leads to the dashboard; signing out ends the session.
func TestSignInWithPassword(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()

		e.open("/")
		e.wantPath("/signin")
		e.shot("signin")

		if status := e.signIn(admin.Email, "not the password"); status != 401 {
			t.Errorf("wrong password: status %d, want 401", status)
		}
		e.wantPath("/signin")
		if got, want := e.flash(), "That email and password do not match an active account."; got != want {
			t.Errorf("wrong password: flash %q, want %q", got, want)
		}
		if got := get(e, chromedp.Value(chromedp.CSS("#email"))); got != admin.Email {
			t.Errorf("wrong password: email field %q, want it kept as %q", got, admin.Email)
		}
		e.shot("signin-wrong-password")

		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.wantPath("/")
		if got := e.text("h1"); got != res.Engagement.Name {
			t.Errorf("dashboard heading %q, want %q", got, res.Engagement.Name)
		}
		if got := e.text("header .who span"); !strings.Contains(got, admin.Name) {
			t.Errorf("header %q does not name %s", got, admin.Name)
		}
		e.shot("dashboard")

		e.signOut()
		// The session is gone: the dashboard asks to sign in again.
		e.open("/")
		if got := e.path(); got != "/signin?next=%2F" {
			t.Errorf("dashboard after sign-out went to %s, want /signin?next=%%2F", got)
		}
	})
}

// A user turns on TOTP from the account page, gets recovery codes, and
// from then on signs in with a password and a code.
func TestMFAEnrolmentAndSignIn(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}

		e.open("/account/mfa")
		e.do(chromedp.WaitVisible(chromedp.CSS("img.qr")))
		secret := e.text("#totp-secret")
		if len(secret) < 16 {
			t.Fatalf("TOTP secret %q is too short", secret)
		}
		e.shot("mfa-enrolment")
		e.typeInto("#code", code(t, secret))
		if status := e.submit(`form[action="/account/mfa"]`); status != 200 {
			t.Fatalf("turn MFA on: status %d", status)
		}
		codes := get(e, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#recovery-codes code")].map(c => c.textContent)`))
		if len(codes) != 10 {
			t.Fatalf("got %d recovery codes, want 10: %q", len(codes), codes)
		}
		e.shot("mfa-recovery-codes")
		u, err := e.db.FindUserByID(context.Background(), res.Organization.ID, admin.ID)
		if err != nil || !u.MFAEnabled {
			t.Fatalf("after enrolment MFAEnabled = %v (err %v), want true", u != nil && u.MFAEnabled, err)
		}

		e.signOut()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.wantPath("/signin/mfa")
		e.shot("signin-mfa")
		e.typeInto("#code", wrongCode(t, secret))
		if status := e.submit(`form[action="/signin/mfa"]`); status != 401 {
			t.Errorf("wrong code: status %d, want 401", status)
		}
		if got := e.flash(); got != "That code is not valid." {
			t.Errorf("wrong code: flash %q", got)
		}
		// The enrolment used up the current period's code: the next one is
		// accepted too (one period of clock drift).
		e.typeInto("#code", codeAt(t, secret, time.Now().Add(30*time.Second)))
		if status := e.submit(`form[action="/signin/mfa"]`); status != 200 {
			t.Fatalf("sign in with code: status %d", status)
		}
		e.wantPath("/")
		if got := e.text("h1"); got != res.Engagement.Name {
			t.Errorf("dashboard heading %q, want %q", got, res.Engagement.Name)
		}
		e.open("/account/mfa")
		if got := e.text("main p"); !strings.Contains(got, "is on") {
			t.Errorf("account page says %q, want MFA on", got)
		}
	})
}

// code is the current TOTP code of the secret.
func code(t *testing.T, secret string) string {
	t.Helper()
	return codeAt(t, secret, time.Now())
}

// codeAt is the TOTP code of the secret at a time.
func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatalf("TOTP code: %v", err)
	}
	return c
}

// wrongCode is a six-digit code that is not valid for the secret in the
// window the server accepts (one period either side of now).
func wrongCode(t *testing.T, secret string) string {
	t.Helper()
	valid := map[string]bool{}
	now := time.Now()
	for _, d := range []time.Duration{-60 * time.Second, -30 * time.Second, 0, 30 * time.Second, 60 * time.Second} {
		c, err := totp.GenerateCode(secret, now.Add(d))
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

// The sign-in form works from the keyboard alone: Tab reaches the skip
// link, the brand, the email and the password fields in that order, and
// Enter submits.
func TestSignInWithKeyboard(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		e.open("/signin")
		focused := func() string {
			return get(e, chromedp.Evaluate[string](`(el => el.id ? "#" + el.id : el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))(document.activeElement)`))
		}
		for _, want := range []string{"a.skip", "a.brand", "#email"} {
			e.do(chromedp.KeyEvent(kb.Tab))
			if got := focused(); got != want {
				e.fail("Tab focused %s, want %s", got, want)
			}
			if want == "a.skip" {
				// The skip link is off screen until it has the focus.
				left := get(e, chromedp.Evaluate[float64](`document.activeElement.getBoundingClientRect().left`))
				if left < 0 {
					t.Errorf("the focused skip link is off screen (left %v)", left)
				}
				e.shot("signin-keyboard-skip-link")
			}
		}
		e.do(chromedp.KeyEvent(admin.Email), chromedp.KeyEvent(kb.Tab))
		if got := focused(); got != "#password" {
			e.fail("Tab from the email field focused %s, want #password", got)
		}
		e.do(chromedp.KeyEvent(password))
		e.shot("signin-keyboard")
		if status := e.follow(chromedp.KeyEvent(kb.Enter)); status != 200 {
			t.Fatalf("Enter in the password field: status %d", status)
		}
		e.wantPath("/")
		if got := e.text("h1"); got != res.Engagement.Name {
			t.Errorf("dashboard heading %q, want %q", got, res.Engagement.Name)
		}
	})
}
