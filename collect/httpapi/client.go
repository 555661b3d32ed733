// Package httpapi is the HTTP plumbing every REST collector shares: one
// request at a time with a per-attempt timeout, retries with backoff and
// jitter on network errors and 5xx answers, rate limits honoured (429 and
// Retry-After, and slowing down before X-RateLimit-Remaining reaches
// zero), pagination (Link rel=next, cursors, page numbers), bounded
// bodies, and errors that name the system and the request but never a
// credential.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/attest-dev/attest/collect"
)

// Options tune a Client; zero values take the defaults shown.
type Options struct {
	Service     string        // names the system in errors ("github")
	BaseURL     string        // requests are relative to it; required
	Auth        Auth          // adds credentials to every request
	Accept      string        // default "application/json"
	Header      http.Header   // extra headers on every request
	MaxAttempts int           // 4
	MinBackoff  time.Duration // 500ms
	MaxBackoff  time.Duration // 30s
	MaxWait     time.Duration // longest Retry-After or reset honoured: 15m
	Timeout     time.Duration // per attempt: 30s
	MaxBody     int64         // 32 MiB
}

// Client sends requests to one API.
type Client struct {
	o     Options
	base  *url.URL
	http  *http.Client
	cfg   collect.Config
	mu    sync.Mutex
	pace  pacer
	stats Stats
}

// Stats counts what a Client did, for tests and benchmarks.
type Stats struct {
	Requests, Retries, TooMany int
}

// Auth adds credentials to a request.
type Auth func(*http.Request)

// Bearer sends "Authorization: Bearer token".
func Bearer(token string) Auth {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

// Token sends "Authorization: <scheme> token" (Okta's "SSWS").
func Token(scheme, token string) Auth {
	return func(r *http.Request) { r.Header.Set("Authorization", scheme+" "+token) }
}

// Basic sends HTTP basic credentials.
func Basic(user, password string) Auth {
	return func(r *http.Request) { r.SetBasicAuth(user, password) }
}

// Header sends the credential in a named header.
func Header(name, value string) Auth {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

// ParseBaseURL checks a base URL setting: http or https, a host, no
// credentials, query or fragment. The error names the setting.
func ParseBaseURL(setting, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%s: want an http or https URL such as https://api.example.com", setting)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s: the URL must not hold credentials, a query or a fragment", setting)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// New builds a Client from the integration's configuration.
func New(cfg collect.Config, o Options) (*Client, error) {
	base, err := ParseBaseURL("base_url", o.BaseURL)
	if err != nil {
		return nil, err
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 4
	}
	def(&o.MinBackoff, 500*time.Millisecond)
	def(&o.MaxBackoff, 30*time.Second)
	def(&o.MaxWait, 15*time.Minute)
	def(&o.Timeout, 30*time.Second)
	if o.MaxBody <= 0 {
		o.MaxBody = 32 << 20
	}
	if o.Accept == "" {
		o.Accept = "application/json"
	}
	if o.Service == "" {
		o.Service = base.Host
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{o: o, base: base, http: hc, cfg: cfg}, nil
}

// Stats returns what the client has done so far.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Response is a complete answer: status, headers and the whole body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	URL    *url.URL
}

// StatusError is a non-2xx answer that retries did not cure.
type StatusError struct {
	Service, Method, Path string
	Status                int
	err                   error
}

func (e *StatusError) Error() string {
	what := http.StatusText(e.Status)
	switch e.Status {
	case http.StatusUnauthorized:
		what = "the credentials were refused (check the token or password)"
	case http.StatusForbidden:
		what = "forbidden: the credentials lack a permission this needs"
	}
	return fmt.Sprintf("%s: %s %s: HTTP %d: %s", e.Service, e.Method, e.Path, e.Status, what)
}

// Unwrap lets errors.Is find collect.ErrCredentials for 401.
func (e *StatusError) Unwrap() error { return e.err }

// IsStatus reports whether err is a StatusError with one of the codes.
func IsStatus(err error, codes ...int) bool {
	var se *StatusError
	if !errors.As(err, &se) {
		return false
	}
	for _, c := range codes {
		if se.Status == c {
			return true
		}
	}
	return false
}

// Resolve turns ref (a path relative to the base URL, or an absolute URL
// such as a next-page link) into a URL on the same host as the base.
func (c *Client) Resolve(ref string) (*url.URL, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("%s: bad URL %q: %w", c.o.Service, ref, collect.ErrMalformed)
	}
	if !u.IsAbs() {
		rel := *c.base
		p, q, _ := strings.Cut(ref, "?")
		rel.Path = c.base.Path + "/" + strings.TrimPrefix(p, "/")
		rel.RawQuery = q
		return &rel, nil
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return nil, fmt.Errorf("%s: the answer points to another host (%s), not followed: %w", c.o.Service, u.Host, collect.ErrMalformed)
	}
	u.User = nil
	return u, nil
}

// Get fetches ref, retrying as the options say, and returns a 2xx answer
// or an error.
func (c *Client) Get(ctx context.Context, ref string) (*Response, error) {
	return c.Do(ctx, http.MethodGet, ref, nil)
}

// Do sends one logical request (several attempts at most) and returns a
// 2xx answer or an error. body, if any, is sent again on each attempt.
func (c *Client) Do(ctx context.Context, method, ref string, body []byte) (*Response, error) {
	u, err := c.Resolve(ref)
	if err != nil {
		return nil, err
	}
	var last error
	for attempt := 0; attempt < c.o.MaxAttempts; attempt++ {
		if err := c.waitTurn(ctx); err != nil {
			return nil, err
		}
		resp, wait, err := c.attempt(ctx, method, u, body)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", c.o.Service, method, u.Path, ctx.Err())
		}
		last = err
		if wait < 0 { // not retryable
			return nil, err
		}
		if attempt == c.o.MaxAttempts-1 {
			break
		}
		if wait == 0 {
			wait = c.backoff(attempt)
		}
		if wait > c.o.MaxWait {
			return nil, fmt.Errorf("%w (the system asks to wait %s, longer than %s)", err, wait.Round(time.Second), c.o.MaxWait)
		}
		c.mu.Lock()
		c.stats.Retries++
		c.mu.Unlock()
		if err := c.cfg.SleepFor(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", c.o.Service, method, u.Path, err)
		}
		c.mu.Lock()
		c.pace.next = time.Time{} // the wait just served covers the pacer's
		c.mu.Unlock()
	}
	return nil, fmt.Errorf("%w (after %d attempts)", last, c.o.MaxAttempts)
}

// backoff is exponential with equal jitter: half fixed, half random.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.o.MinBackoff << attempt
	if d > c.o.MaxBackoff || d <= 0 {
		d = c.o.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// attempt sends once. wait is -1 when the failure is final, 0 for the
// usual backoff, or the delay the server asked for.
func (c *Client) attempt(ctx context.Context, method string, u *url.URL, body []byte) (*Response, time.Duration, error) {
	actx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(actx, method, u.String(), rd)
	if err != nil {
		return nil, -1, fmt.Errorf("%s: %s %s: %w", c.o.Service, method, u.Path, err)
	}
	req.Header.Set("Accept", c.o.Accept)
	req.Header.Set("User-Agent", "attest-collector")
	for k, v := range c.o.Header {
		req.Header[k] = v
	}
	if c.o.Auth != nil {
		c.o.Auth(req)
	}
	c.mu.Lock()
	c.stats.Requests++
	c.mu.Unlock()
	res, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, -1, ctx.Err()
		}
		return nil, 0, fmt.Errorf("%s: %s %s: %w: %s", c.o.Service, method, u.Path, collect.ErrUnreachable, netMessage(err))
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, c.o.MaxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, -1, ctx.Err()
		}
		return nil, 0, fmt.Errorf("%s: %s %s: reading the answer: %w: %s", c.o.Service, method, u.Path, collect.ErrUnreachable, netMessage(err))
	}
	if int64(len(data)) > c.o.MaxBody {
		return nil, -1, fmt.Errorf("%s: %s %s: answer larger than %d bytes: %w", c.o.Service, method, u.Path, c.o.MaxBody, collect.ErrMalformed)
	}
	now := c.cfg.Clock()()
	limited := c.observe(res.Header, now)
	resp := &Response{Status: res.StatusCode, Header: res.Header, Body: data, URL: u}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return resp, 0, nil
	}
	se := &StatusError{Service: c.o.Service, Method: method, Path: u.Path, Status: res.StatusCode}
	switch {
	case res.StatusCode == http.StatusTooManyRequests || (res.StatusCode == http.StatusForbidden && limited):
		c.mu.Lock()
		c.stats.TooMany++
		c.mu.Unlock()
		wait := retryAfter(res.Header, now)
		if wait <= 0 {
			wait = c.pace.untilReset(now)
		}
		return nil, wait, fmt.Errorf("%s: %s %s: rate limited (HTTP %d)", c.o.Service, method, u.Path, res.StatusCode)
	case res.StatusCode >= 500:
		return nil, retryAfter(res.Header, now), se
	case res.StatusCode == http.StatusUnauthorized:
		se.err = collect.ErrCredentials
	}
	return nil, -1, se
}

// netMessage shortens a transport error to its cause, without the URL
// (which Go repeats) so messages stay readable.
func netMessage(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer before the timeout"
	}
	return err.Error()
}
