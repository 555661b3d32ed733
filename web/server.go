// Package web serves Attest over HTTP: the JSON API under /api/v1 (and,
// later, the server-rendered UI). Handlers return errors; one function
// renders them.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// Services is what the web layer needs from storage.
type Services interface {
	attest.ControlService
	attest.EngagementService
	attest.TaskService
	attest.ReadinessService
	attest.OrganizationService
	// Scope returns what an engagement's categories bring into scope.
	Scope(ctx context.Context, orgID, engagementID int64) (*attest.Scope, error)
	// CurrentEngagement returns the organization's newest engagement.
	CurrentEngagement(ctx context.Context, orgID int64) (*attest.Engagement, error)
	// Framework returns the framework in use.
	Framework() *attest.Framework
}

// MaxBodyBytes caps a request body; larger ones get 413.
const MaxBodyBytes = 1 << 20

// Server is Attest's HTTP handler.
type Server struct {
	svc    Services
	log    *slog.Logger
	mux    *http.ServeMux
	routes []route
}

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// access says who may call a route.
type access int

const (
	// public routes need no credential.
	public access = iota
	// read routes need any valid token.
	read
	// write routes need a token whose role may change readiness data.
	write
)

// route is one entry of the route table; tests walk the table.
type route struct {
	method, pattern string
	access          access
	handle          handlerFunc
}

// NewServer returns a server over svc.
func NewServer(svc Services, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{svc: svc, log: log, mux: http.NewServeMux()}
	s.routes = s.apiRoutes()
	s.routes = append(s.routes,
		route{"GET", "/healthz", public, s.health},
		route{"GET", "/{$}", public, s.home},
	)
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
	}
	s.mux.Handle("/api/", s.wrap(route{access: public, handle: func(w http.ResponseWriter, r *http.Request) error {
		return attest.Errorf(attest.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path)
	}}))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	s.mux.ServeHTTP(w, r)
}

type ctxKey int

const tokenKey ctxKey = 0

// tokenFrom returns the authenticated token of the request.
func tokenFrom(ctx context.Context) *attest.Token {
	t, _ := ctx.Value(tokenKey).(*attest.Token)
	return t
}

// wrap authenticates and authorizes a route, caps the body, and renders any
// error the handler returns.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		err := s.authorize(rt, r)
		if err == nil {
			err = rt.handle(w, r)
		}
		if err != nil {
			s.renderError(w, r, err)
		}
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
	})
}

func (s *Server) authorize(rt route, r *http.Request) error {
	if rt.access == public {
		return nil
	}
	auth := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || secret == "" {
		return attest.Errorf(attest.EUNAUTHORIZED, "send an API token as 'Authorization: Bearer attest_…'")
	}
	tok, err := s.svc.Authenticate(r.Context(), strings.TrimSpace(secret))
	if err != nil {
		return err
	}
	if rt.access == write && !attest.Can(tok.Role, attest.EditReadiness) {
		return attest.Errorf(attest.EFORBIDDEN, "a token with role %s may not change data", tok.Role)
	}
	*r = *r.WithContext(attest.WithActor(context.WithValue(r.Context(), tokenKey, tok), "token:"+tok.Name))
	return nil
}

// errorStatus maps domain error codes to HTTP statuses.
var errorStatus = map[string]int{
	attest.EINVALID:      http.StatusBadRequest,
	attest.ENOTFOUND:     http.StatusNotFound,
	attest.ECONFLICT:     http.StatusConflict,
	attest.EUNAUTHORIZED: http.StatusUnauthorized,
	attest.EFORBIDDEN:    http.StatusForbidden,
	attest.EINTERNAL:     http.StatusInternalServerError,
}

// renderError writes err as {"error":{"code","message"}} with its status.
// Internal errors are logged and shown only as "Internal error".
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code, status := attest.ErrorCode(err), 0
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		code, status = "too_large", http.StatusRequestEntityTooLarge
		err = attest.Errorf(code, "the request body is larger than %d bytes", MaxBodyBytes)
	}
	if status == 0 {
		status = errorStatus[code]
	}
	if code == attest.EINTERNAL {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == attest.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="attest"`)
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": attest.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
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
	return nil
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write([]byte(homePage))
	return err
}

const homePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Attest</title></head>
<body><main>
<h1>Attest is running</h1>
<p>The JSON API is served under <code>/api/v1</code>; send an API token as <code>Authorization: Bearer …</code>.
Create one with <code>attest token create --name NAME</code>.</p>
<p>Readiness from the command line: <code>attest readiness</code>.</p>
</main></body></html>
`
