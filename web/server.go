// Package web serves Attest over HTTP: the server-rendered UI and the JSON
// API under /api/v1, from one route table. Handlers return errors; one
// function renders them as a page or as JSON.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/blob"
	"github.com/attest-dev/attest/netguard"
	"github.com/attest-dev/attest/seal"
)

// MaxBodyBytes caps a request body; larger ones get 413.
const MaxBodyBytes = 1 << 20

// Server is Attest's HTTP handler.
type Server struct {
	svc    Services
	box    *seal.Box
	log    *slog.Logger
	ui     *ui
	mux    *http.ServeMux
	routes []route
	csrf   *http.CrossOriginProtection
	// serving, when the services have it, marks a request as being
	// served, so long background writes yield to it (store.DB.Serving).
	serving func() (done func())
	// Now returns the current time; tests move it.
	Now func() time.Time
	// PublicURL, when set, is the base URL users reach Attest at (for
	// example https://attest.example.com behind a proxy); the SSO callback
	// URL is built from it instead of from the request's scheme and host.
	PublicURL string
	// Blobs holds the bytes of evidence files; without it uploads and
	// downloads are refused.
	Blobs blob.Store
	// UploadLimit is the largest evidence file accepted, in bytes; 0 means
	// blob.DefaultLimit.
	UploadLimit int64
	// Jobs lists failed background jobs (notification deliveries) for
	// admins; nil when the server runs none.
	Jobs JobQueue
	// AllowInternalTargets lets webhooks and identity providers live on
	// the server's own network (loopback, private, link-local addresses);
	// off, such URLs are refused when saved and when dialled.
	AllowInternalTargets bool
	// DNS looks up the TXT records that prove an organization's claim on
	// an email domain (net.DefaultResolver when nil); tests replace it.
	DNS attest.TXTResolver
	// Resolver resolves webhook and issuer hosts when they are saved
	// (net.DefaultResolver when nil); tests replace it.
	Resolver netguard.Resolver
	// TrustForwardedFor takes the client's address from the last
	// X-Forwarded-For entry (set by the proxy in front) instead of the
	// connection, for the sign-in limit. Leave it off unless a proxy that
	// sets the header is the only way in.
	TrustForwardedFor bool
	// signInLimit limits password checks per client address.
	signInLimit *addrLimiter
	// Monitor wires integrations and checks (integration.go).
	Monitor Monitor
	// dummyHash is checked against when an email is unknown, so a failed
	// sign-in takes as long whether or not the account exists.
	dummyHash string
}

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// authKind says how a route authenticates.
type authKind int

const (
	// public routes need no credential.
	public authKind = iota
	// token routes (the JSON API) need an API token.
	token
	// session routes (pages) need a signed-in browser session.
	session
)

// route is one entry of the route table. Tests walk the table, so every
// route must say who may call it.
type route struct {
	method, pattern string
	auth            authKind
	// action is the permission the route needs; "" means any signed-in
	// principal (pages that adapt to the role).
	action attest.Action
	handle handlerFunc
	// upload marks a route that streams a multipart body itself: such a
	// body may be as large as the upload limit plus MaxBodyBytes for the
	// other fields, and the handler checks the CSRF field as it reads the
	// form, because parsing the form first would spool the whole file.
	upload bool
}

// NewServer returns a server over svc; box seals secrets kept in the database.
func NewServer(svc Services, box *seal.Box, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	u, err := loadUI()
	if err != nil {
		return nil, err
	}
	dummy, err := attest.HashPassword("dummy password for timing")
	if err != nil {
		return nil, err
	}
	s := &Server{svc: svc, box: box, log: log, ui: u, mux: http.NewServeMux(), csrf: http.NewCrossOriginProtection(),
		Now: func() time.Time { return time.Now().UTC() }, dummyHash: dummy,
		signInLimit: newAddrLimiter(SignInBurst, SignInRefill)}
	if sv, ok := svc.(interface{ Serving() func() }); ok {
		s.serving = sv.Serving
	}
	s.routes = append(s.apiRoutes(), s.uiRoutes()...)
	s.routes = append(s.routes, s.registerRoutes()...)
	s.routes = append(s.routes, s.recordsRoutes()...)
	s.routes = append(s.routes, s.integrationRoutes()...)
	s.routes = append(s.routes,
		route{"GET", "/healthz", public, "", s.health, false},
		route{"GET", "/static/{file}", public, "", s.serveAsset, false},
	)
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
	}
	s.mux.Handle("/", s.wrap(route{auth: public, handle: func(w http.ResponseWriter, r *http.Request) error {
		return attest.Errorf(attest.ENOTFOUND, "there is no page at %s %s", r.Method, r.URL.Path)
	}}))
	return s, nil
}

// contentSecurityPolicy is every response's Content-Security-Policy (the
// sign-in page relaxes it: ssoFormCSP).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// ServeHTTP implements http.Handler: security headers on every response.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if r.TLS == nil && strings.HasPrefix(s.PublicURL, "https://") {
		r = r.WithContext(context.WithValue(r.Context(), secureKey{}, true))
	}
	if isSecure(r) {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	if s.serving != nil {
		defer s.serving()()
	}
	s.mux.ServeHTTP(w, r)
}

// Routes lists the method and pattern of every route, for tests and docs.
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.method + " " + rt.pattern
	}
	return out
}

// wrap authenticates and authorizes a route, caps the body, and renders any
// error the handler returns.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit(rt, r))
		r, err := s.authenticate(w, rt, r)
		if err == nil {
			err = checkRequestText(r)
		}
		if err == nil {
			err = rt.handle(w, r)
		}
		if err != nil {
			s.renderError(w, r, err)
		}
	})
}

// bodyLimit is the most a route's request body may hold.
func (s *Server) bodyLimit(rt route, r *http.Request) int64 {
	if rt.upload && isMultipart(r) {
		return s.uploadLimit() + MaxBodyBytes
	}
	return MaxBodyBytes
}

// uploadLimit is the largest file an upload may carry.
func (s *Server) uploadLimit() int64 {
	if s.UploadLimit > 0 {
		return s.UploadLimit
	}
	return blob.DefaultLimit
}

// isMultipart reports whether the request's body is multipart/form-data.
func isMultipart(r *http.Request) bool {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && ct == "multipart/form-data"
}

// authenticate checks the route's credential and permission and returns the
// request with the principal in its context.
func (s *Server) authenticate(w http.ResponseWriter, rt route, r *http.Request) (*http.Request, error) {
	var p *attest.Principal
	switch rt.auth {
	case public:
		// Pages that are public still learn who is signed in, if anyone.
		if cs, err := s.loadSession(w, r, false); err == nil {
			r = r.WithContext(context.WithValue(r.Context(), sessionKey, cs))
		}
		if r.Method != "GET" && r.Method != "HEAD" && !strings.HasPrefix(r.URL.Path, "/api/") {
			if err := s.csrf.Check(r); err != nil {
				return r, attest.Errorf(attest.EFORBIDDEN, "the request came from another site and was refused")
			}
		}
		return r, nil
	case token:
		tok, err := s.authorizeToken(r)
		if err != nil {
			return r, err
		}
		p = &attest.Principal{OrgID: tok.OrgID, Role: tok.Role, Name: tok.Name, Actor: "token:" + tok.Name}
	case session:
		cs, err := s.loadSession(w, r, true)
		if err != nil {
			return r, err
		}
		switch {
		case r.Method == "GET" || r.Method == "HEAD":
		case rt.upload && isMultipart(r) && r.Header.Get("X-CSRF-Token") == "":
			// The handler checks the token of its multipart form as it
			// streams it (checkStreamCSRF); the origin is checked now.
			if err := s.csrf.Check(r); err != nil {
				return r, errCrossSite
			}
		default:
			if err := s.checkCSRF(r, cs); err != nil {
				return r, err
			}
		}
		ctx := context.WithValue(r.Context(), sessionKey, cs)
		if (r.Method == "GET" || r.Method == "HEAD") && cs.versions != nil {
			// A page that changes nothing reads what it can from memory
			// under the versions read with its session (attest.Versions).
			ctx = attest.WithVersions(ctx, cs.versions)
		}
		r = r.WithContext(ctx)
		p = cs.principal
		if cs.mustEnrol && rt.pattern != "/account/mfa" {
			return r, errMustEnrol
		}
	}
	now := s.Now()
	if !p.AccessExpires.IsZero() && !now.Before(p.AccessExpires) {
		return r, attest.Errorf(attest.EFORBIDDEN, "your access ended on %s", p.AccessExpires.Format("2006-01-02"))
	}
	if rt.action != "" && !p.Can(rt.action, now) {
		return r, attest.Errorf(attest.EFORBIDDEN, "your role (%s) may not do this", strings.ReplaceAll(p.Role, "_", " "))
	}
	ctx := context.WithValue(r.Context(), principalKey, p)
	return r.WithContext(attest.WithActor(ctx, p.Actor)), nil
}

func (s *Server) authorizeToken(r *http.Request) (*attest.Token, error) {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(secret) == "" {
		return nil, attest.Errorf(attest.EUNAUTHORIZED, "send an API token as 'Authorization: Bearer attest_…'")
	}
	return s.svc.Authenticate(r.Context(), strings.TrimSpace(secret))
}

type ctxKey int

const (
	principalKey ctxKey = iota
	sessionKey
)

// errMustEnrol stops a password session of an organization that requires
// MFA until the user has set it up.
var errMustEnrol = attest.Errorf(attest.EFORBIDDEN, "your organization requires two-factor authentication: set it up first")

// principalFrom returns who is making the request.
func principalFrom(ctx context.Context) *attest.Principal {
	p, _ := ctx.Value(principalKey).(*attest.Principal)
	return p
}

// orgID is the organization of the request's principal.
func orgID(r *http.Request) int64 { return principalFrom(r.Context()).OrgID }

// errorStatus maps domain error codes to HTTP statuses.
var errorStatus = map[string]int{
	attest.EINVALID:      http.StatusBadRequest,
	attest.ENOTFOUND:     http.StatusNotFound,
	attest.ECONFLICT:     http.StatusConflict,
	attest.EUNAUTHORIZED: http.StatusUnauthorized,
	attest.EFORBIDDEN:    http.StatusForbidden,
	attest.EINTERNAL:     http.StatusInternalServerError,
	attest.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	"locked":             http.StatusTooManyRequests,
}

// wantsJSON reports whether the error should be rendered as JSON.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json")
}

// renderError writes err as {"error":{"code","message"}} for the API, or
// as an error page. Internal errors are logged and shown only as
// "Internal error"; a page that needs a session redirects to sign-in.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = attest.Errorf(attest.ETOOLARGE, "the request body is larger than %d bytes", tooBig.Limit)
	}
	code := attest.ErrorCode(err)
	status := errorStatus[code]
	if status == 0 {
		status = http.StatusBadRequest
	}
	if code == attest.EINTERNAL {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if wantsJSON(r) {
		if code == attest.EUNAUTHORIZED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="attest"`)
		}
		writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": attest.ErrorMessage(err)}})
		return
	}
	if err == errMustEnrol && (r.Method == "GET" || r.Method == "HEAD") {
		setFlash(w, "Your organization requires two-factor authentication: set it up to continue.")
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
		return
	}
	if code == attest.EUNAUTHORIZED && (r.Method == "GET" || r.Method == "HEAD") {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	v := &view{Title: http.StatusText(status), Data: map[string]any{"Status": status, "Message": attest.ErrorMessage(err)}}
	if rerr := s.render(w, r, status, "error", v); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, attest.ErrorMessage(err), status)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	// Compact: indenting took four fifths of the time of a large answer
	// (an organization's readiness); `| jq` shows it indented.
	return json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body into v, refusing unknown fields and trailing data.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return attest.Errorf(attest.EINVALID, "malformed JSON body: %s", err.Error())
	}
	if dec.More() {
		return attest.Errorf(attest.EINVALID, "malformed JSON body: more than one value")
	}
	return checkJSONText(reflect.ValueOf(v), "")
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// formError turns a form's bad input into a domain error about its field.
func formError(field string, err error) error {
	return attest.FieldErrorf(field, "%s: %s", field, attest.ErrorMessage(err))
}
