package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestSignInLimitPerAddress: wrong passwords from one address beyond the
// burst get 429 with Retry-After (even with the right password, and for
// other emails), without touching the per-email lockout; the bucket
// refills with time; right passwords do not use it up; X-Forwarded-For is
// ignored unless trusted.
func TestSignInLimitPerAddress(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		attempt := func(email, password, forwarded string) *uiPage {
			t.Helper()
			b := u.client(t)
			req := formRequest(t, b.base+"/signin", url.Values{"email": {email}, "password": {password}})
			if forwarded != "" {
				req.Header.Set("X-Forwarded-For", forwarded)
			}
			return b.do(t, req)
		}
		viewer := u.users[uViewer].Email
		// Right passwords give their token back.
		for i := 0; i < SignInBurst+5; i++ {
			wantStatus(t, "a right password", attempt(viewer, uiPassword, ""), http.StatusSeeOther, "")
		}
		// Spread over emails so no single email locks out.
		for i := 0; i < SignInBurst; i++ {
			wantStatus(t, "a wrong password within the burst", attempt("nobody"+string(rune('a'+i))+"@x.example", "wrong password", ""), http.StatusUnauthorized, "")
		}
		p := attempt(viewer, uiPassword, "")
		wantStatus(t, "the right password after the burst", p, http.StatusTooManyRequests, "")
		if ra := p.header.Get("Retry-After"); ra != "3" {
			t.Errorf("Retry-After = %q, want 3", ra)
		}
		wantStatus(t, "a spoofed X-Forwarded-For", attempt(viewer, uiPassword, "203.0.113.9"), http.StatusTooManyRequests, "")

		u.server.TrustForwardedFor = true
		wantStatus(t, "a trusted X-Forwarded-For", attempt(viewer, uiPassword, "198.51.100.1, 203.0.113.9"), http.StatusSeeOther, "")
		u.server.TrustForwardedFor = false

		u.clock.Advance(SignInRefill)
		wantStatus(t, "the right password after a refill", attempt(viewer, uiPassword, ""), http.StatusSeeOther, "")
		if until, err := u.db.LoginLockedUntil(t.Context(), viewer); err != nil || !until.IsZero() {
			t.Errorf("the viewer's email is locked until %v (%v)", until, err)
		}
	})
}

func TestAddrLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newAddrLimiter(2, time.Second)
	for i := 0; i < 2; i++ {
		if ok, _ := l.take("a", now); !ok {
			t.Fatalf("take %d refused within the burst", i)
		}
	}
	if ok, wait := l.take("a", now); ok || wait != time.Second {
		t.Errorf("over the burst: %v, wait %s", ok, wait)
	}
	if ok, _ := l.take("b", now); !ok {
		t.Error("another address shares the bucket")
	}
	if ok, _ := l.take("a", now.Add(time.Second)); !ok {
		t.Error("no refill after a second")
	}
}
