package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/store"
	"github.com/pquerna/otp/totp"
)

// totpCode returns the current code for secret by the fixture's clock.
func (u *uiEnv) totpCode(t *testing.T, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, u.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// wrongCode returns a six-digit code that no period the server accepts
// (the current one and one either side) would produce.
func (u *uiEnv) wrongCode(t *testing.T, secret string) string {
	t.Helper()
	var valid []string
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		code, err := totp.GenerateCode(secret, u.clock.Now().Add(d))
		if err != nil {
			t.Fatal(err)
		}
		valid = append(valid, code)
	}
	for i := 0; ; i++ {
		if c := fmt.Sprintf("%06d", i); !slices.Contains(valid, c) {
			return c
		}
	}
}

// rawRows returns every value of a table's rows as text, read with a
// connection of its own, past the store.
func (u *uiEnv) rawRows(t *testing.T, table string) string {
	t.Helper()
	driver, dsn := "pgx", u.target.DatabaseURL
	if dsn == "" {
		driver, dsn = "sqlite", "file:"+store.SQLitePath(u.target.DataDir)+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(&out, "%v\t", v)
		}
		out.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// signInPassword posts the password of a user with MFA and returns the
// browser waiting for its second factor, with the MFA form's CSRF token.
func (u *uiEnv) signInPassword(t *testing.T, key string) *uiClient {
	t.Helper()
	b := u.client(t)
	b.signInAs(t, u.users[key].Email, "/signin/mfa?next=%2F")
	b.readCSRF(t, "/signin/mfa")
	return b
}

// TestMFA enrols a user in TOTP, then signs in with a code and with
// recovery codes.
func TestMFA(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		usr := u.users[uManager]
		b := u.signIn(t, uManager)
		doc := b.get(t, "/account/mfa").doc(t)
		secret := strings.TrimSpace(doc.Find("#totp-secret").Text())
		sealed, _ := doc.Find(`input[name="sealed"]`).Attr("value")
		if src, _ := doc.Find("img.qr").Attr("src"); !strings.HasPrefix(src, "data:image/png;base64,") {
			t.Errorf("enrolment QR code src = %.40q", src)
		}
		if len(secret) < 16 || sealed == "" || strings.Contains(sealed, secret) {
			t.Fatalf("enrolment shows secret %q and sealed field %q", secret, sealed)
		}

		// Neither a wrong code nor another user's sealed secret enrols.
		p := b.post(t, "/account/mfa", url.Values{"sealed": {sealed}, "code": {u.wrongCode(t, secret)}})
		wantStatus(t, "enrol with a wrong code", p, http.StatusSeeOther, "/account/mfa")
		other := u.signIn(t, uViewer)
		otherDoc := other.get(t, "/account/mfa").doc(t)
		otherSealed, _ := otherDoc.Find(`input[name="sealed"]`).Attr("value")
		p = b.post(t, "/account/mfa", url.Values{"sealed": {otherSealed}, "code": {u.totpCode(t, strings.TrimSpace(otherDoc.Find("#totp-secret").Text()))}})
		wantStatus(t, "enrol with another user's sealed secret", p, http.StatusBadRequest, "")
		if got, _ := u.db.FindUserByID(ctx, u.orgA, usr.ID); got.MFAEnabled {
			t.Fatal("a failed enrolment turned MFA on")
		}

		p = b.post(t, "/account/mfa", url.Values{"sealed": {sealed}, "code": {u.totpCode(t, secret)}})
		wantStatus(t, "enrol", p, http.StatusOK, "")
		u.clock.Advance(30 * time.Second) // the enrolment's code is used up
		var codes []string
		p.doc(t).Find("#recovery-codes li").Each(func(_ int, li *goquery.Selection) { codes = append(codes, strings.TrimSpace(li.Text())) })
		if len(codes) != 10 || codes[0] == "" || codes[0] == codes[1] {
			t.Fatalf("recovery codes %q, want 10 different ones", codes)
		}
		again := b.get(t, "/account/mfa")
		for _, c := range codes {
			if strings.Contains(again.body, c) {
				t.Fatalf("recovery code %s is shown again", c)
			}
		}
		if strings.Contains(again.body, secret) || again.doc(t).Find("#totp-secret").Length() != 0 {
			t.Fatal("the TOTP secret is shown again after enrolment")
		}

		// The secret is stored sealed under the user's ID.
		if raw := u.rawRows(t, "users"); strings.Contains(raw, secret) || strings.Contains(raw, codes[0]) {
			t.Error("the users table holds the raw TOTP secret or a raw recovery code")
		}
		stored, err := u.db.FindUserByID(ctx, u.orgA, usr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if opened, err := u.server.box.Open(stored.MFASecret, totpPurpose(usr.ID)); err != nil || opened != secret {
			t.Errorf("the stored secret does not open to the enrolled one: %v", err)
		}

		// A password alone leaves a session that cannot reach any page.
		b2 := u.signInPassword(t, uManager)
		wantStatus(t, "the dashboard after the password alone", b2.get(t, "/"), http.StatusSeeOther, "/signin?next=%2F")
		wantStatus(t, "the controls after the password alone", b2.get(t, "/controls"), http.StatusSeeOther, "/signin?next=%2Fcontrols")
		failed := func() int {
			es, err := u.db.FindAuditLog(ctx, u.orgA, attest.AuditFilter{Action: "user.sign_in_failed", EntityID: fmt.Sprint(usr.ID)})
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		p = b2.post(t, "/signin/mfa", url.Values{"code": {u.wrongCode(t, secret)}, "next": {"/"}})
		wantStatus(t, "a wrong code", p, http.StatusUnauthorized, "")
		if n := failed(); n != 1 {
			t.Errorf("a wrong code made %d failed sign-in entries, want 1", n)
		}
		p = b2.post(t, "/signin/mfa", url.Values{"code": {u.totpCode(t, secret)}, "next": {"/"}})
		wantStatus(t, "the right code", p, http.StatusSeeOther, "/")
		wantStatus(t, "the dashboard after the code", b2.get(t, "/"), http.StatusOK, "")

		// A recovery code works once.
		for i, want := range []int{http.StatusSeeOther, http.StatusUnauthorized} {
			b3 := u.signInPassword(t, uManager)
			p := b3.post(t, "/signin/mfa", url.Values{"code": {strings.ToUpper(codes[3])}})
			wantStatus(t, fmt.Sprintf("recovery code, use %d", i+1), p, want, "")
		}
		if n := failed(); n != 2 {
			t.Errorf("%d failed sign-in entries, want 2", n)
		}
	})
}

// TestRequireMFA turns on the organization's MFA requirement: users without
// MFA are sent to enrol after signing in and cannot turn MFA off.
func TestRequireMFA(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		admin := u.signIn(t, uAdmin)
		p := admin.post(t, "/settings/security", url.Values{"require_mfa": {"on"}, "oidc_default_role": {attest.RoleEmployee}})
		wantStatus(t, "require MFA", p, http.StatusSeeOther, "/settings")
		b := u.client(t)
		b.signInAs(t, u.users[uViewer].Email, "/account/mfa")
		p = b.get(t, "/account/mfa")
		wantStatus(t, "the enrolment page", p, http.StatusOK, "")
		if msg := p.doc(t).Find(".flash").Text(); !strings.Contains(msg, "requires two-factor") {
			t.Errorf("flash %q does not say why", msg)
		}
		b.readCSRF(t, "/account/mfa")
		wantStatus(t, "turning MFA off", b.post(t, "/account/mfa/disable", url.Values{"code": {"123456"}}), http.StatusForbidden, "")

		// Until the user enrols, every other page sends them back to
		// enrolment and every change is refused.
		for _, path := range []string{"/", "/controls", "/tasks", "/criteria"} {
			wantStatus(t, "held before enrolment: "+path, b.get(t, path), http.StatusSeeOther, "/account/mfa")
		}
		wantStatus(t, "a change before enrolment", b.post(t, "/tasks", url.Values{"title": {"x"}}), http.StatusForbidden, "")
		doc := b.get(t, "/account/mfa").doc(t)
		secret := strings.TrimSpace(doc.Find("#totp-secret").Text())
		sealed, _ := doc.Find(`input[name="sealed"]`).Attr("value")
		wantStatus(t, "enrol", b.post(t, "/account/mfa", url.Values{"sealed": {sealed}, "code": {u.totpCode(t, secret)}}), http.StatusOK, "")
		wantStatus(t, "the dashboard after enrolment", b.get(t, "/controls"), http.StatusOK, "")
	})
}

// TestTOTPReplay: a TOTP code signs in once; the same code again, in the
// same 30 seconds, is refused.
func TestTOTPReplay(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		b := u.signIn(t, uViewer)
		doc := b.get(t, "/account/mfa").doc(t)
		secret := strings.TrimSpace(doc.Find("#totp-secret").Text())
		sealed, _ := doc.Find(`input[name="sealed"]`).Attr("value")
		enrolCode := u.totpCode(t, secret)
		wantStatus(t, "enrol", b.post(t, "/account/mfa", url.Values{"sealed": {sealed}, "code": {enrolCode}}), http.StatusOK, "")
		again := u.signInPassword(t, uViewer)
		wantStatus(t, "the enrolment's code", again.post(t, "/signin/mfa", url.Values{"code": {enrolCode}}), http.StatusUnauthorized, "")
		u.clock.Advance(30 * time.Second)
		code := u.totpCode(t, secret)
		first := u.signInPassword(t, uViewer)
		wantStatus(t, "the code, first use", first.post(t, "/signin/mfa", url.Values{"code": {code}}), http.StatusSeeOther, "/")
		second := u.signInPassword(t, uViewer)
		wantStatus(t, "the same code again", second.post(t, "/signin/mfa", url.Values{"code": {code}}), http.StatusUnauthorized, "")
		u.clock.Advance(30 * time.Second)
		third := u.signInPassword(t, uViewer)
		wantStatus(t, "the next period's code", third.post(t, "/signin/mfa", url.Values{"code": {u.totpCode(t, secret)}}), http.StatusSeeOther, "/")
	})
}
