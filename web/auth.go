package web

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) error {
	if cs := sessionFrom(r.Context()); cs != nil && cs.session.Stage == attest.StageFull {
		return redirect(w, r, safeNext(r.URL.Query().Get("next")), "")
	}
	return s.render(w, r, http.StatusOK, "signin", &view{Title: "Sign in", Data: map[string]any{"Next": r.URL.Query().Get("next")}})
}

// signIn checks an email and password. Failures are counted per email,
// known or not, and lock the email out for a while; the answer is the same
// for an unknown email and a wrong password.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	next := r.PostFormValue("next")
	fail := func(status int, msg string) error {
		return s.render(w, r, status, "signin", &view{Title: "Sign in", Flash: msg, Data: map[string]any{"Next": next, "Email": email}})
	}
	if email == "" || password == "" {
		return fail(http.StatusBadRequest, "Enter your email and password.")
	}
	addr := s.clientAddr(r)
	allowed, wait := s.signInLimit.take(addr, s.Now())
	if !allowed {
		s.log.Warn("sign-in refused: too many from one address", "addr", addr)
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return fail(http.StatusTooManyRequests, "Too many sign-in attempts from your address. Wait a few seconds and try again.")
	}
	until, err := s.svc.LoginLockedUntil(ctx, email)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		s.log.Warn("sign-in refused: locked out", "email", email, "until", until)
		return fail(http.StatusTooManyRequests, fmt.Sprintf("Too many failed sign-ins. Try again after %s UTC.", until.UTC().Format("15:04")))
	}
	u, err := s.svc.FindUserByEmail(ctx, email)
	hash := s.dummyHash
	if err == nil {
		hash = u.PasswordHash
	}
	ok := attest.CheckPassword(hash, password) && err == nil && u.Active && u.PasswordHash != ""
	if ok {
		s.signInLimit.give(addr) // only failures count against an address
	}
	if ok && u.AccessExpires != nil && !s.Now().Before(*u.AccessExpires) {
		return fail(http.StatusForbidden, "Your access has ended. Ask an administrator to extend it.")
	}
	if !ok {
		locked, ferr := s.svc.RecordLoginFailure(ctx, email)
		if ferr != nil {
			return ferr
		}
		s.log.Warn("sign-in failed", "email", email, "locked", !locked.IsZero())
		if !locked.IsZero() {
			return fail(http.StatusTooManyRequests, fmt.Sprintf("Too many failed sign-ins. Try again after %s UTC.", locked.UTC().Format("15:04")))
		}
		return fail(http.StatusUnauthorized, "That email and password do not match an active account.")
	}
	if u.MFAEnabled {
		if err := s.startSession(w, r, u, attest.StageMFA, "password+totp"); err != nil {
			return err
		}
		return redirect(w, r, "/signin/mfa?next="+url.QueryEscape(safeNext(next)), "")
	}
	return s.finishSignIn(w, r, u, "password", next)
}

// finishSignIn starts a full session, records the sign-in and sends the user
// on; an organization that requires MFA sends users without it to enrol.
func (s *Server) finishSignIn(w http.ResponseWriter, r *http.Request, u *attest.User, method, next string) error {
	if err := s.startSession(w, r, u, attest.StageFull, method); err != nil {
		return err
	}
	if err := s.svc.RecordLogin(attest.WithActor(r.Context(), "user:"+u.Email), u, method); err != nil {
		return err
	}
	st, err := s.svc.FindSettings(r.Context(), u.OrgID)
	if err != nil {
		return err
	}
	if st.RequireMFA && !u.MFAEnabled && method != "sso" {
		return redirect(w, r, "/account/mfa", "Your organization requires two-factor authentication: set it up to continue.")
	}
	return redirect(w, r, safeNext(next), "")
}

func (s *Server) mfaPage(w http.ResponseWriter, r *http.Request) error {
	if cs := sessionFrom(r.Context()); cs == nil || cs.session.Stage != attest.StageMFA {
		return redirect(w, r, "/signin", "")
	}
	return s.render(w, r, http.StatusOK, "signin_mfa", &view{Title: "Two-factor code", Data: map[string]any{"Next": r.URL.Query().Get("next")}})
}

// signInMFA checks the TOTP or recovery code of a password-verified session.
// Wrong codes count as failed sign-ins.
func (s *Server) signInMFA(w http.ResponseWriter, r *http.Request) error {
	cs := sessionFrom(r.Context())
	if cs == nil || cs.session.Stage != attest.StageMFA {
		return redirect(w, r, "/signin", "Your sign-in expired; start again.")
	}
	if err := s.checkCSRF(r, cs); err != nil {
		return err
	}
	u := cs.user
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	next := r.PostFormValue("next")
	if until, err := s.svc.LoginLockedUntil(r.Context(), u.Email); err != nil || !until.IsZero() {
		s.svc.DeleteSession(r.Context(), cs.idHash)
		return redirect(w, r, "/signin", "Too many failed attempts. Try again later.")
	}
	ok, err := s.checkSecondFactor(r, u, code)
	if err != nil {
		return err
	}
	if !ok {
		if _, err := s.svc.RecordLoginFailure(r.Context(), u.Email); err != nil {
			return err
		}
		return s.render(w, r, http.StatusUnauthorized, "signin_mfa", &view{Title: "Two-factor code", Flash: "That code is not valid.", Data: map[string]any{"Next": next}})
	}
	return s.finishSignIn(w, r, u, "password+totp", next)
}

// checkSecondFactor accepts a current TOTP code or an unused recovery code;
// a user without MFA has neither.
func (s *Server) checkSecondFactor(r *http.Request, u *attest.User, code string) (bool, error) {
	if code == "" || !u.MFAEnabled {
		return false, nil
	}
	secret, err := s.box.Open(u.MFASecret, totpPurpose(u.ID))
	if err != nil {
		return false, fmt.Errorf("open TOTP secret of user %d: %w", u.ID, err)
	}
	if len(code) == 6 {
		step, ok := totpStep(secret, code, s.Now())
		if !ok {
			return false, nil
		}
		// A code is accepted once: replaying it (or an older one) fails.
		return s.svc.UseTOTPStep(r.Context(), u.OrgID, u.ID, step)
	}
	return s.svc.UseRecoveryCode(r.Context(), u.OrgID, u.ID, attest.HashToken(strings.ToLower(code)))
}

func totpPurpose(userID int64) string { return "totp:" + strconv.FormatInt(userID, 10) }

// signOut ends the session. It is a public route so that anyone signed in
// can leave, an auditor whose access ended included; the form's CSRF token
// is still required.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if cs := sessionFrom(r.Context()); cs != nil {
		if err := s.checkCSRF(r, cs); err != nil {
			return err
		}
		if err := s.svc.DeleteSession(r.Context(), cs.idHash); err != nil {
			return err
		}
	}
	clearSessionCookie(w, r)
	return redirect(w, r, "/signin", "You are signed out.")
}

// mfaSetupPage shows the enrolment: a new secret as QR code and text. The
// secret travels sealed in the form until a code confirms it.
func (s *Server) mfaSetupPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, nil)
}

// renderAccount shows the account page (two-factor authentication,
// password, notifications); pwErrors are the password form's messages by
// field.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, pwErrors map[string]string) error {
	cs := sessionFrom(r.Context())
	data := map[string]any{"Enabled": cs.user.MFAEnabled, "PasswordErrors": pwErrors, "HasPassword": cs.user.PasswordHash != "", "Email": cs.user.Email}
	if !cs.user.MFAEnabled {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: "Attest", AccountName: cs.user.Email})
		if err != nil {
			return err
		}
		img, err := key.Image(220, 220)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return err
		}
		sealed, err := s.box.Seal(key.Secret(), enrolPurpose(cs.user.ID))
		if err != nil {
			return err
		}
		data["Secret"] = key.Secret()
		data["Sealed"] = sealed
		data["QR"] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	}
	choices, err := s.eventChoices(r.Context(), cs.user.OrgID, cs.user.ID)
	if err != nil {
		return err
	}
	data["Events"] = choices
	return s.render(w, r, status, "account_mfa", &view{Title: "Two-factor authentication", Nav: "account", Data: data})
}

func enrolPurpose(userID int64) string { return "totp-enrol:" + strconv.FormatInt(userID, 10) }

// mfaSetup confirms an enrolment with a code and shows the recovery codes
// once.
func (s *Server) mfaSetup(w http.ResponseWriter, r *http.Request) error {
	cs := sessionFrom(r.Context())
	u := cs.user
	if u.MFAEnabled {
		return attest.Errorf(attest.ECONFLICT, "two-factor authentication is already on")
	}
	secret, err := s.box.Open(r.PostFormValue("sealed"), enrolPurpose(u.ID))
	if err != nil {
		return attest.Errorf(attest.EINVALID, "the enrolment form is not valid: start again")
	}
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	step, ok := totpStep(secret, code, s.Now())
	if !ok {
		return redirect(w, r, "/account/mfa", "That code did not match: scan the new code and try again.")
	}
	sealed, err := s.box.Seal(secret, totpPurpose(u.ID))
	if err != nil {
		return err
	}
	codes := make([]string, 10)
	hashes := make([]string, 10)
	for i := range codes {
		codes[i] = strings.ToLower(attest.RandomSecret(8))
		hashes[i] = attest.HashToken(codes[i])
	}
	if err := s.svc.SetMFA(r.Context(), u.OrgID, u.ID, sealed, hashes); err != nil {
		return err
	}
	// The code that confirmed the enrolment cannot sign in again.
	if _, err := s.svc.UseTOTPStep(r.Context(), u.OrgID, u.ID, step); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "account_recovery", &view{Title: "Recovery codes", Nav: "account", Data: codes})
}

// mfaDisable turns TOTP off, unless the organization requires it.
func (s *Server) mfaDisable(w http.ResponseWriter, r *http.Request) error {
	cs := sessionFrom(r.Context())
	st, err := s.svc.FindSettings(r.Context(), cs.user.OrgID)
	if err != nil {
		return err
	}
	if st.RequireMFA {
		return attest.Errorf(attest.EFORBIDDEN, "your organization requires two-factor authentication")
	}
	ok, err := s.checkSecondFactor(r, cs.user, strings.TrimSpace(r.PostFormValue("code")))
	if err != nil {
		return err
	}
	if !ok {
		return redirect(w, r, "/account/mfa", "That code is not valid.")
	}
	if err := s.svc.SetMFA(r.Context(), cs.user.OrgID, cs.user.ID, "", nil); err != nil {
		return err
	}
	return redirect(w, r, "/account/mfa", "Two-factor authentication is off.")
}

// invitePage shows the form that turns an invitation into an account.
func (s *Server) invitePage(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.svc.FindInvitation(r.Context(), r.PathValue("secret"))
	if err != nil {
		return err
	}
	if !inv.Usable(s.Now()) {
		return attest.Errorf(attest.EINVALID, "this invitation has expired or was already used")
	}
	return s.render(w, r, http.StatusOK, "invite", &view{Title: "Join", Data: inv})
}

// acceptInvite creates the account and signs it in.
func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	secret := r.PathValue("secret")
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		return attest.Errorf(attest.EINVALID, "the two passwords differ")
	}
	hash, err := attest.HashPassword(r.PostFormValue("password"))
	if err != nil {
		return err
	}
	u := &attest.User{Name: strings.TrimSpace(r.PostFormValue("name")), PasswordHash: hash}
	if err := s.svc.AcceptInvitation(r.Context(), secret, u); err != nil {
		return err
	}
	return s.finishSignIn(w, r, u, "invitation", "/")
}

// totpStep returns the 30-second time step whose code matches, allowing one
// step of clock drift either way.
func totpStep(secret, code string, now time.Time) (int64, bool) {
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, drift := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(drift*30) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / 30, true
		}
	}
	return 0, false
}
