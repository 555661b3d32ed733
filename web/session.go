package web

import (
	"context"
	"crypto/subtle"
	"net/http"

	"github.com/attest-dev/attest"
)

// Session cookie names. The __Host- prefix (over TLS) pins the cookie to
// this host and path /.
const (
	sessionCookie    = "attest_session"
	sessionCookieTLS = "__Host-attest_session"
)

// currentSession is a loaded, valid session with its user.
type currentSession struct {
	idHash    string
	session   *attest.Session
	user      *attest.User
	principal *attest.Principal
	orgName   string
	// mustEnrol holds the session to the MFA enrolment page.
	mustEnrol bool
	// versions were read with the session (attest.Versions).
	versions *attest.Versions
}

// sessionFrom returns the request's session, or nil.
func sessionFrom(ctx context.Context) *currentSession {
	cs, _ := ctx.Value(sessionKey).(*currentSession)
	return cs
}

// secureKey marks a request that reached the user over HTTPS although
// this server saw plain HTTP: a TLS-terminating proxy in front, declared
// by an https:// PublicURL.
type secureKey struct{}

// isSecure reports whether the browser talks to us over HTTPS, directly or
// through a TLS-terminating proxy. Cookies are then Secure with the
// __Host- prefix, and HSTS is sent.
func isSecure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	on, _ := r.Context().Value(secureKey{}).(bool)
	return on
}

func cookieName(r *http.Request) string {
	if isSecure(r) {
		return sessionCookieTLS
	}
	return sessionCookie
}

// setSessionCookie gives the browser a session ID. The cookie lives as long
// as the session may (the server enforces the idle timeout).
func setSessionCookie(w http.ResponseWriter, r *http.Request, id string) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: id, Path: "/", HttpOnly: true, Secure: isSecure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(attest.SessionMaxAge.Seconds())})
}

func clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: "", Path: "/", HttpOnly: true, Secure: isSecure(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// sessionID returns the session ID the browser sent, or "".
func sessionID(r *http.Request) string {
	c, err := r.Cookie(cookieName(r))
	if err != nil {
		return ""
	}
	return c.Value
}

// loadSession finds the browser's session and its user. With full set,
// only a fully signed-in session of an active user counts.
func (s *Server) loadSession(w http.ResponseWriter, r *http.Request, full bool) (*currentSession, error) {
	id := sessionID(r)
	if id == "" {
		return nil, attest.Errorf(attest.EUNAUTHORIZED, "please sign in")
	}
	ctx := r.Context()
	hash := attest.HashToken(id)
	si, err := s.svc.FindSessionUser(ctx, hash)
	if err != nil {
		clearSessionCookie(w, r)
		return nil, err
	}
	sess, u := si.Session, si.User
	if full && sess.Stage != attest.StageFull {
		return nil, attest.Errorf(attest.EUNAUTHORIZED, "please finish signing in")
	}
	if !u.Active {
		s.svc.DeleteSession(ctx, hash)
		clearSessionCookie(w, r)
		return nil, attest.Errorf(attest.EUNAUTHORIZED, "this account is not active")
	}
	if err := s.svc.TouchSession(ctx, hash, sess); err != nil {
		return nil, err
	}
	p := &attest.Principal{OrgID: u.OrgID, Role: u.Role, UserID: u.ID, Name: u.Name, Email: u.Email, Actor: "user:" + u.Email}
	if p.Name == "" {
		p.Name = u.Email
	}
	if u.AccessExpires != nil {
		p.AccessExpires = *u.AccessExpires
	}
	if u.Role == attest.RoleAuditor {
		if p.Engagements, err = s.svc.FindAuditorGrants(ctx, u.OrgID, u.ID); err != nil {
			return nil, err
		}
	}
	// A password session in an organization that requires MFA may only
	// enrol (or sign out) until the user has it; single sign-on leaves the
	// second factor to the identity provider.
	mustEnrol := si.RequireMFA && !u.MFAEnabled && sess.Method != "sso"
	return &currentSession{idHash: hash, session: sess, user: u, principal: p, orgName: si.OrgName, mustEnrol: mustEnrol, versions: si.Versions}, nil
}

// checkCSRF refuses a state-changing request that comes from another site
// (Fetch metadata and Origin, through net/http) or whose form lacks the
// session's CSRF token.
func (s *Server) checkCSRF(r *http.Request, cs *currentSession) error {
	if err := s.csrf.Check(r); err != nil {
		return errCrossSite
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return checkToken(cs, got)
}

// errCrossSite refuses a state-changing request from another site.
var errCrossSite = attest.Errorf(attest.EFORBIDDEN, "the request came from another site and was refused")

// checkToken compares a form's CSRF token with the session's.
func checkToken(cs *currentSession, got string) error {
	if cs == nil || subtle.ConstantTimeCompare([]byte(got), []byte(cs.session.CSRF)) != 1 {
		return attest.Errorf(attest.EFORBIDDEN, "the form has expired: reload the page and try again")
	}
	return nil
}

// startSession creates a new session for the user (a fresh ID every time,
// so an ID planted before sign-in is worthless) and sets its cookie. Any
// session the browser already had is ended.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *attest.User, stage, method string) error {
	if old := sessionID(r); old != "" {
		s.svc.DeleteSession(r.Context(), attest.HashToken(old))
	}
	id := attest.RandomSecret(32)
	sess := &attest.Session{UserID: u.ID, OrgID: u.OrgID, CSRF: attest.RandomSecret(24), Stage: stage, Method: method}
	if err := s.svc.CreateSession(r.Context(), attest.HashToken(id), sess); err != nil {
		return err
	}
	setSessionCookie(w, r, id)
	return nil
}
