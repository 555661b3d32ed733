package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/netguard"
)

// OIDC single sign-on, as a relying party (authorization code flow with
// PKCE). Between GET /sso and GET /sso/callback the flow's state, nonce and
// PKCE verifier live in a short-lived cookie sealed with the server's box:
// the browser cannot read or alter it, nothing is stored server-side for an
// abandoned sign-in, and the cookie binds the callback to the browser that
// started the flow (a callback replayed in another browser has no cookie).

// ssoFlowTTL is how long a user has to sign in at the provider.
const ssoFlowTTL = 10 * time.Minute

// Cookie names of the flow; the __Host- prefix (over TLS) pins it to this
// host.
const (
	ssoCookie    = "attest_sso"
	ssoCookieTLS = "__Host-attest_sso"
	ssoPurpose   = "sso-flow"
)

// ssoClient talks to identity providers (discovery, JWKS, token and
// userinfo endpoints); it refuses the server's own network unless the
// operator allows internal targets.
func (s *Server) ssoClient() *http.Client {
	if s.AllowInternalTargets {
		return ssoInternalClient
	}
	return ssoGuardedClient
}

var (
	ssoGuardedClient  = netguard.Client(10*time.Second, false)
	ssoInternalClient = netguard.Client(10*time.Second, true)
)

// ssoNotSetUp is the one answer for every domain without a usable SSO.
const ssoNotSetUp = "Single sign-on is not set up for this email domain."

// ssoFormCSP is the Content-Security-Policy of the sign-in page, which
// holds the SSO form: every page's, without form-action 'self'. Browsers
// check form-action on each redirect that follows a form submission too
// (Chromium blocks the navigation), and GET /sso redirects to the identity
// provider, whose origin is not known before the email is typed.
var ssoFormCSP = strings.Replace(contentSecurityPolicy, " form-action 'self';", "", 1)

// ssoFlow is what the sealed cookie carries from /sso to the callback.
type ssoFlow struct {
	OrgID    int64     `json:"org"`
	State    string    `json:"state"`
	Nonce    string    `json:"nonce"`
	Verifier string    `json:"verifier"`
	Redirect string    `json:"redirect"`
	Expires  time.Time `json:"expires"`
}

// ssoStart finds the organization by the email's domain and sends the
// browser to its identity provider.
func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) error {
	email := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("email")))
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return s.ssoRefuse(w, r, http.StatusBadRequest, "Enter your work email to sign in with single sign-on.")
	}
	orgID, st, err := s.svc.FindSettingsByDomain(r.Context(), email[at+1:])
	if code := attest.ErrorCode(err); code == attest.ENOTFOUND || code == attest.ECONFLICT {
		if code == attest.ECONFLICT {
			s.log.Warn("sso: several organizations claim the email domain", "domain", email[at+1:])
		}
		return s.ssoRefuse(w, r, http.StatusNotFound, ssoNotSetUp)
	} else if err != nil {
		return err
	}
	provider, err := s.ssoProvider(r.Context(), st)
	if err != nil {
		s.log.Error("sso: provider discovery failed", "org", orgID, "issuer", st.OIDCIssuer, "err", err)
		return s.ssoRefuse(w, r, http.StatusBadGateway, "The identity provider could not be reached. Try again later.")
	}
	flow := ssoFlow{OrgID: orgID, State: attest.RandomSecret(24), Nonce: attest.RandomSecret(24),
		Verifier: oauth2.GenerateVerifier(), Redirect: s.ssoRedirectURL(r), Expires: s.Now().Add(ssoFlowTTL)}
	raw, err := json.Marshal(flow)
	if err != nil {
		return err
	}
	sealed, err := s.box.Seal(string(raw), ssoPurpose)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookieName(r), Value: sealed, Path: "/", HttpOnly: true, Secure: isSecure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(ssoFlowTTL.Seconds())})
	cfg := s.ssoConfig(provider, st, flow.Redirect, "")
	http.Redirect(w, r, cfg.AuthCodeURL(flow.State, oidc.Nonce(flow.Nonce), oauth2.S256ChallengeOption(flow.Verifier),
		oauth2.SetAuthURLParam("login_hint", email)), http.StatusSeeOther)
	return nil
}

// ssoCallback completes the flow: it checks the state against the sealed
// cookie, exchanges the code (with the PKCE verifier), verifies the ID
// token (signature by the provider's JWKS, issuer, audience, expiry, nonce)
// and signs the user in, creating or linking the account as needed.
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	flow, ok := s.takeSSOFlow(w, r)
	q := r.URL.Query()
	if !ok || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(flow.State)) != 1 {
		s.log.Warn("sso: callback without a matching sign-in flow", "has_flow", ok)
		return s.ssoRefuse(w, r, http.StatusForbidden, "Your single sign-on attempt expired or did not start here. Start again.")
	}
	if e := q.Get("error"); e != "" {
		s.log.Warn("sso: provider returned an error", "org", flow.OrgID, "error", e, "description", q.Get("error_description"))
		return s.ssoRefuse(w, r, http.StatusForbidden, "The identity provider did not sign you in.")
	}
	st, err := s.svc.FindSettings(ctx, flow.OrgID)
	if err != nil {
		return err
	}
	if !st.SSOEnabled() {
		return s.ssoRefuse(w, r, http.StatusForbidden, ssoNotSetUp)
	}
	secret := ""
	if st.OIDCSecret != "" {
		if secret, err = s.box.Open(st.OIDCSecret, oidcPurpose(flow.OrgID)); err != nil {
			return attest.Errorf(attest.EINTERNAL, "open the SSO client secret of organization %d: %v", flow.OrgID, err)
		}
	}
	provider, err := s.ssoProvider(ctx, st)
	if err != nil {
		s.log.Error("sso: provider discovery failed", "org", flow.OrgID, "issuer", st.OIDCIssuer, "err", err)
		return s.ssoRefuse(w, r, http.StatusBadGateway, "The identity provider could not be reached. Try again later.")
	}
	id, err := s.verifyIdentity(ctx, provider, s.ssoConfig(provider, st, flow.Redirect, secret), st.OIDCClient, flow, q.Get("code"))
	if err != nil {
		s.log.Warn("sso: sign-in refused", "org", flow.OrgID, "err", err)
		return s.ssoRefuse(w, r, http.StatusForbidden, "Single sign-on failed: the identity provider's answer could not be verified.")
	}
	if !id.verified {
		s.log.Warn("sso: email not verified", "org", flow.OrgID, "email", id.email)
		return s.ssoRefuse(w, r, http.StatusForbidden, "Your identity provider has not verified your email address.")
	}
	if at := strings.LastIndexByte(id.email, '@'); at <= 0 || id.email[at+1:] != st.OIDCDomain {
		s.log.Warn("sso: email outside the allowed domain", "org", flow.OrgID, "email", id.email)
		return s.ssoRefuse(w, r, http.StatusForbidden, "Your email address is not in the domain allowed to sign in here.")
	}
	// The domain must still be this organization's verified claim: one
	// organization's provider never signs in or creates people of a
	// domain another organization proved, even if the claim moved while
	// the browser was at the provider.
	if owner, _, err := s.svc.FindSettingsByDomain(ctx, st.OIDCDomain); err != nil || owner != flow.OrgID {
		if code := attest.ErrorCode(err); err != nil && code != attest.ENOTFOUND && code != attest.ECONFLICT {
			return err
		}
		s.log.Warn("sso: the domain is not verified for the organization", "org", flow.OrgID, "domain", st.OIDCDomain)
		return s.ssoRefuse(w, r, http.StatusForbidden, ssoNotSetUp)
	}
	u, refusal, err := s.ssoUser(ctx, flow.OrgID, st, id)
	if err != nil {
		return err
	}
	if refusal != "" {
		s.log.Warn("sso: sign-in refused", "org", flow.OrgID, "email", id.email, "reason", refusal)
		return s.ssoRefuse(w, r, http.StatusForbidden, refusal)
	}
	return s.finishSignIn(w, r, u, "sso", "/")
}

// ssoIdentity is who the provider says signed in.
type ssoIdentity struct {
	subject, email, name string
	verified             bool
}

// verifyIdentity exchanges the code and verifies the ID token. Claims missing
// from the ID token (some providers put email only in userinfo) are read
// from the userinfo endpoint, whose subject must match.
func (s *Server) verifyIdentity(ctx context.Context, provider *oidc.Provider, cfg *oauth2.Config, clientID string, flow ssoFlow, code string) (*ssoIdentity, error) {
	if code == "" {
		return nil, errors.New("no authorization code")
	}
	ctx = oidc.ClientContext(ctx, s.ssoClient())
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		return nil, err
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, errors.New("the token response has no ID token")
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: clientID, Now: s.Now}).Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		return nil, errors.New("the ID token's nonce does not match")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, err
		}
	}
	var c struct {
		Email    string `json:"email"`
		Verified any    `json:"email_verified"`
		Name     string `json:"name"`
	}
	if err := idt.Claims(&c); err != nil {
		return nil, err
	}
	id := &ssoIdentity{subject: idt.Subject, email: c.Email, name: c.Name, verified: c.Verified == true || c.Verified == "true"}
	if id.email == "" {
		ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, err
		}
		if ui.Subject != idt.Subject {
			return nil, errors.New("the userinfo subject differs from the ID token's")
		}
		id.email, id.verified = ui.Email, ui.EmailVerified
		var extra struct {
			Name string `json:"name"`
		}
		if ui.Claims(&extra) == nil && id.name == "" {
			id.name = extra.Name
		}
	}
	if id.subject == "" {
		return nil, errors.New("the ID token has no subject")
	}
	id.email = strings.ToLower(strings.TrimSpace(id.email))
	id.name = strings.TrimSpace(id.name)
	if len(id.name) > 200 {
		id.name = id.name[:200]
	}
	return id, nil
}

// ssoUser finds, links or creates the organization's user for a verified
// identity. A non-empty refusal says why the identity may not sign in.
func (s *Server) ssoUser(ctx context.Context, orgID int64, st *attest.Settings, id *ssoIdentity) (*attest.User, string, error) {
	ctx = attest.WithActor(ctx, "user:"+id.email)
	u, err := s.svc.FindUserBySubject(ctx, orgID, id.subject)
	if attest.ErrorCode(err) == attest.ENOTFOUND {
		u, err = s.svc.FindUserByEmail(ctx, id.email)
		if attest.ErrorCode(err) == attest.ENOTFOUND {
			nu := &attest.User{OrgID: orgID, Email: id.email, Name: id.name, Role: st.OIDCDefaultRole}
			// Read back what was stored (CreateUser leaves defaults such as
			// Active to the database); a conflict means another sign-in
			// created the user meanwhile.
			if err = s.svc.CreateUser(ctx, nu); err == nil || attest.ErrorCode(err) == attest.ECONFLICT {
				u, err = s.svc.FindUserByEmail(ctx, id.email)
			}
		}
		if err != nil {
			return nil, "", err
		}
		switch {
		case u.OrgID != orgID:
			return nil, "This email belongs to an account that cannot sign in with this identity provider.", nil
		case u.SSOSubject != "" && u.SSOSubject != id.subject:
			return nil, "This account is linked to another single sign-on identity.", nil
		}
		if refusal := s.ssoRefusal(u); refusal != "" {
			return nil, refusal, nil
		}
		if u.SSOSubject == "" {
			if err := s.svc.LinkSubject(ctx, orgID, u.ID, id.subject); err != nil {
				return nil, "", err
			}
			u.SSOSubject = id.subject
		}
		return u, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	return u, s.ssoRefusal(u), nil
}

// ssoRefusal says why an existing user may not sign in, or "".
func (s *Server) ssoRefusal(u *attest.User) string {
	if !u.Active {
		return "This account is deactivated."
	}
	if u.AccessExpires != nil && !s.Now().Before(*u.AccessExpires) {
		return "Your access has ended. Ask an administrator to extend it."
	}
	return ""
}

// ssoProvider discovers the issuer's endpoints and keys. Discovery runs per
// sign-in: it is two requests, and a provider that rotates keys or moves
// endpoints is followed at once.
func (s *Server) ssoProvider(ctx context.Context, st *attest.Settings) (*oidc.Provider, error) {
	return oidc.NewProvider(oidc.ClientContext(ctx, s.ssoClient()), st.OIDCIssuer)
}

func (s *Server) ssoConfig(p *oidc.Provider, st *attest.Settings, redirect, secret string) *oauth2.Config {
	return &oauth2.Config{ClientID: st.OIDCClient, ClientSecret: secret, Endpoint: p.Endpoint(), RedirectURL: redirect,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// ssoRedirectURL is the callback URL to register at the provider: under
// PublicURL when set, else on the request's scheme and host.
func (s *Server) ssoRedirectURL(r *http.Request) string { return s.baseURL(r) + "/sso/callback" }

// baseURL is where users reach the server: PublicURL when set, else the
// request's scheme and host. Links in notifications are built on it.
func (s *Server) baseURL(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimRight(s.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host}).String()
}

func ssoCookieName(r *http.Request) string {
	if isSecure(r) {
		return ssoCookieTLS
	}
	return ssoCookie
}

// takeSSOFlow reads and clears the flow cookie: each flow is used once.
func (s *Server) takeSSOFlow(w http.ResponseWriter, r *http.Request) (ssoFlow, bool) {
	var flow ssoFlow
	c, err := r.Cookie(ssoCookieName(r))
	if err != nil {
		return flow, false
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookieName(r), Value: "", Path: "/", HttpOnly: true, Secure: isSecure(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
	raw, err := s.box.Open(c.Value, ssoPurpose)
	if err != nil || json.Unmarshal([]byte(raw), &flow) != nil || !s.Now().Before(flow.Expires) || flow.State == "" {
		return ssoFlow{}, false
	}
	return flow, true
}

// ssoRefuse shows the sign-in page with why single sign-on did not work.
func (s *Server) ssoRefuse(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	return s.render(w, r, status, "signin", &view{Title: "Sign in", Flash: msg, Data: map[string]any{}})
}
