package conformance

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
)

// HTTP describes an HTTP collector under test: its kind, a working
// configuration (the suite fills in the base URL setting) and a handler
// serving the good fixture, paginated as the real API is.
type HTTP struct {
	Kind           collect.Kind
	Settings       map[string]string
	Secrets        map[string]string
	BaseURLSetting string // "base_url" unless set
	Handler        http.Handler
	Want           int               // resources the good fixture yields
	Skip           map[string]string // subtest name → why it does not apply
}

// fault decides, for the n-th request (from 1), whether to answer it
// itself; it returns false to let the fixture answer.
type fault func(n int, w http.ResponseWriter, r *http.Request) bool

// server serves the fixture through the current fault and counts.
type server struct {
	*httptest.Server
	mu     sync.Mutex
	fault  fault
	n      atomic.Int64
	served atomic.Bool // a fault's answer went out
	// emittedAfter counts resources emitted after served was set.
	emittedAfter atomic.Int64
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request, next http.Handler) {
	n := int(s.n.Add(1))
	s.mu.Lock()
	f := s.fault
	s.mu.Unlock()
	if f != nil && f(n, w, r) {
		return
	}
	next.ServeHTTP(w, r)
}

// RunHTTP runs the HTTP suite.
func RunHTTP(t *testing.T, h HTTP) {
	if h.BaseURLSetting == "" {
		h.BaseURLSetting = "base_url"
	}
	srv := &server{}
	srv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r, h.Handler)
	}))
	t.Cleanup(srv.Close)
	config := func(base string, sleeps *Sleeps) collect.Config {
		s := map[string]string{}
		for k, v := range h.Settings {
			s[k] = v
		}
		s[h.BaseURLSetting] = base
		return collect.Config{Settings: s, Secrets: h.Secrets, HTTP: &http.Client{},
			Now: func() time.Time { return Now }, Sleep: sleeps.Sleep}
	}
	setFault := func(f fault) {
		srv.mu.Lock()
		srv.fault = f
		srv.mu.Unlock()
		srv.n.Store(0)
		srv.served.Store(false)
		srv.emittedAfter.Store(0)
	}
	CheckKind(t, h.Kind, config(srv.URL, &Sleeps{}))

	var requests int
	t.Run("good", func(t *testing.T) {
		setFault(nil)
		rs, err := Run(t.Context(), t, h.Kind, config(srv.URL, &Sleeps{}))
		if err != nil {
			t.Fatalf("collect: %v", err)
		}
		if len(rs) != h.Want {
			t.Errorf("collected %d resources, want %d", len(rs), h.Want)
		}
		CheckResources(t, h.Kind, rs, Now)
		requests = int(srv.n.Load())
	})
	run := func(name string, f fault, check func(t *testing.T, rs []collect.Resource, err error, sl *Sleeps)) {
		t.Run(name, func(t *testing.T) {
			if why, ok := h.Skip[name]; ok {
				t.Skip(why)
			}
			setFault(f)
			sl := &Sleeps{}
			c, err := h.Kind.New(config(srv.URL, sl))
			if err != nil {
				t.Fatal(err)
			}
			var rs []collect.Resource
			err = c.Collect(t.Context(), func(r collect.Resource) error {
				if srv.served.Load() {
					srv.emittedAfter.Add(1)
				}
				rs = append(rs, r)
				return nil
			})
			NoSecret(t, err, h.Secrets)
			check(t, rs, err, sl)
		})
	}
	succeeds := func(t *testing.T, rs []collect.Resource, err error, sl *Sleeps) {
		t.Helper()
		if err != nil || len(rs) != h.Want {
			t.Fatalf("got %d resources and %v, want %d and no error", len(rs), err, h.Want)
		}
		if len(sl.All()) == 0 {
			t.Errorf("no wait before the retry")
		}
	}
	first := func(answer func(w http.ResponseWriter, r *http.Request)) fault {
		return func(n int, w http.ResponseWriter, r *http.Request) bool {
			if n == 1 {
				answer(w, r)
				return true
			}
			return false
		}
	}
	run("5xx is retried", first(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream busy", http.StatusServiceUnavailable)
	}), succeeds)
	// Go's transport may itself resend a GET whose reused connection
	// closed, so no wait is required here; only the result counts.
	run("dropped connection is retried", first(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}), func(t *testing.T, rs []collect.Resource, err error, sl *Sleeps) {
		if err != nil || len(rs) != h.Want {
			t.Fatalf("got %d resources and %v, want %d and no error", len(rs), err, h.Want)
		}
	})
	run("429 waits Retry-After", first(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}), func(t *testing.T, rs []collect.Resource, err error, sl *Sleeps) {
		succeeds(t, rs, err, sl)
		found := false
		for _, d := range sl.All() {
			found = found || d == 7*time.Second
		}
		if !found {
			t.Errorf("waits %v, want one of 7s (Retry-After)", sl.All())
		}
	})
	run("persistent 5xx fails", func(n int, w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, "broken", http.StatusInternalServerError)
		return true
	}, func(t *testing.T, rs []collect.Resource, err error, sl *Sleeps) {
		if err == nil || !strings.Contains(err.Error(), "500") {
			t.Fatalf("got %v, want an error naming HTTP 500", err)
		}
		if got := int(srv.n.Load()); got < 2 || got > 10 {
			t.Errorf("%d attempts, want a few retries then giving up", got)
		}
	})
	run("wrong credentials", func(n int, w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return true
	}, func(t *testing.T, rs []collect.Resource, err error, sl *Sleeps) {
		if !errors.Is(err, collect.ErrCredentials) || len(rs) != 0 {
			t.Fatalf("got %d resources and %v, want none and wrong credentials", len(rs), err)
		}
		if srv.n.Load() != 1 {
			t.Errorf("%d requests, want 1: refused credentials are not retried", srv.n.Load())
		}
	})
	t.Run("timeout is retried", func(t *testing.T) {
		setFault(first(func(w http.ResponseWriter, r *http.Request) {
			// The server notices the client hanging up only once the
			// body is read; the bound keeps a broken client from
			// stalling the suite.
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}))
		cfg := config(srv.URL, &Sleeps{})
		cfg.HTTP = &http.Client{Timeout: 200 * time.Millisecond}
		rs, err := Run(t.Context(), t, h.Kind, cfg)
		if err != nil || len(rs) != h.Want {
			t.Fatalf("got %d resources and %v, want %d", len(rs), err, h.Want)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		rs, err := Run(t.Context(), t, h.Kind, config("http://"+addr, &Sleeps{}))
		if !errors.Is(err, collect.ErrUnreachable) || len(rs) != 0 {
			t.Fatalf("got %d resources and %v, want none and unreachable", len(rs), err)
		}
		NoSecret(t, err, h.Secrets)
	})
	t.Run("cancelled context", func(t *testing.T) {
		setFault(nil)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		rs, err := Run(ctx, t, h.Kind, config(srv.URL, &Sleeps{}))
		if !errors.Is(err, context.Canceled) || len(rs) != 0 {
			t.Fatalf("got %d resources and %v, want none and context.Canceled", len(rs), err)
		}
	})
	t.Run("cancelled while waiting for the rate limit", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		setFault(func(n int, w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Retry-After", "600")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			cancel()
			return true
		})
		cfg := config(srv.URL, nil)
		cfg.Sleep = nil // a real timer: cancellation must cut it short
		done := make(chan error, 1)
		go func() {
			_, err := Run(ctx, t, h.Kind, cfg)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, want context.Canceled", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Collect kept waiting after its context was cancelled")
		}
	})
	for k := 1; k <= requests && k <= 60; k++ {
		run("malformed answer at request "+strconv.Itoa(k), func(n int, w http.ResponseWriter, r *http.Request) bool {
			if n != k {
				return false
			}
			srv.served.Store(true)
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id": 1, "login": [`))
			return true
		}, func(t *testing.T, rs []collect.Resource, err error, sl *Sleeps) {
			if !errors.Is(err, collect.ErrMalformed) {
				t.Fatalf("got %v, want a malformed-answer error", err)
			}
			if srv.emittedAfter.Load() != 0 {
				t.Errorf("%d resources emitted after the malformed answer", srv.emittedAfter.Load())
			}
		})
	}
}

// Serve starts a loopback server for h, closed when the test ends, and
// returns its URL.
func Serve(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
