package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/netguard"
)

// received is one request as a test server saw it.
type received struct {
	header http.Header
	body   []byte
}

// receiver starts a server that answers status (and body) and records the
// requests it gets.
func receiver(t *testing.T, status int, body string) (*httptest.Server, chan received) {
	t.Helper()
	got := make(chan received, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost {
			t.Errorf("method = %s, want POST", r.Method)
		}
		got <- received{header: r.Header.Clone(), body: b}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func TestWebhookJSONSignedAndVerified(t *testing.T) {
	t.Parallel()
	srv, got := receiver(t, http.StatusNoContent, "")
	hook := Webhook{URL: srv.URL + "/hooks/attest", Secret: "whsec_123"}
	if err := hook.Send(t.Context(), srv.Client(), sample()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	for name, want := range map[string]string{
		"Content-Type": "application/json",
		"User-Agent":   UserAgent,
		EventHeader:    "control.failed",
	} {
		if v := r.header.Get(name); v != want {
			t.Errorf("header %s = %q, want %q", name, v, want)
		}
	}
	sig := r.header.Get(SignatureHeader)
	if err := VerifySignature("whsec_123", sig, r.body, time.Now(), time.Minute); err != nil {
		t.Fatalf("receiver could not verify %q: %v", sig, err)
	}
	if err := VerifySignature("whsec_123", sig, append(r.body, ' '), time.Now(), time.Minute); attest.ErrorCode(err) != attest.EUNAUTHORIZED {
		t.Errorf("tampered body verified: %v", err)
	}
	if err := VerifySignature("whsec_123", sig, r.body, time.Now().Add(time.Hour), time.Minute); attest.ErrorCode(err) != attest.EUNAUTHORIZED {
		t.Errorf("replayed an hour later verified: %v", err)
	}
	golden(t, "webhook.json", indent(t, r.body))
}

func TestWebhookJSONEmptyOptionals(t *testing.T) {
	t.Parallel()
	srv, got := receiver(t, http.StatusOK, "ok")
	// The default client refuses the server's own network; the test's
	// receiver is on loopback, so it passes a client that may reach it.
	msg := Message{Event: "evidence.due", Subject: "Evidence due"}
	if err := (Webhook{URL: srv.URL}).Send(t.Context(), nil, msg); !errors.Is(err, netguard.ErrInternal) {
		t.Fatalf("Send to loopback with the default client = %v, want netguard.ErrInternal", err)
	}
	err := Webhook{URL: srv.URL}.Send(t.Context(), srv.Client(), msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	if v := r.header.Get(SignatureHeader); v != "" {
		t.Errorf("signature sent without a secret: %q", v)
	}
	var p map[string]any
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"event", "subject", "text", "url", "fields", "at"} {
		if _, ok := p[key]; !ok {
			t.Errorf("payload lacks %q: %s", key, r.body)
		}
	}
	if fields, ok := p["fields"].(map[string]any); !ok || len(fields) != 0 {
		t.Errorf("fields = %v, want {}", p["fields"])
	}
	if at, _ := p["at"].(string); at == "" || at == "0001-01-01T00:00:00Z" {
		t.Errorf("at = %q, want the time of sending", at)
	}
}

func TestWebhookSlackShape(t *testing.T) {
	t.Parallel()
	srv, got := receiver(t, http.StatusOK, "ok")
	if err := (Webhook{URL: srv.URL, Format: FormatSlack}).Send(t.Context(), srv.Client(), sample()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	var p struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.Text, "Control CC6.1 failed &lt;script&gt;") {
		t.Errorf("fallback text = %q, want the escaped subject", p.Text)
	}
	var types []string
	for _, b := range p.Blocks {
		types = append(types, b.Type)
	}
	if got, want := strings.Join(types, ","), "header,section,section,context"; got != want {
		t.Errorf("block types = %s, want %s", got, want)
	}
	golden(t, "webhook-slack.json", indent(t, r.body))
}

func TestWebhookStatusClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status    int
		permanent bool
	}{
		{http.StatusInternalServerError, false},
		{http.StatusBadGateway, false},
		{http.StatusServiceUnavailable, false},
		{http.StatusTooManyRequests, false},
		{http.StatusRequestTimeout, false},
		{http.StatusNotFound, true},
		{http.StatusBadRequest, true},
		{http.StatusUnauthorized, true},
		{http.StatusGone, true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			srv, _ := receiver(t, tt.status, `{"error":"nope"}`+strings.Repeat("x", 64<<10))
			err := Webhook{URL: srv.URL}.Send(t.Context(), srv.Client(), sample())
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != tt.status {
				t.Fatalf("Send = %v, want a StatusError with %d", err, tt.status)
			}
			if Permanent(err) != tt.permanent {
				t.Errorf("Permanent(%v) = %v, want %v", err, !tt.permanent, tt.permanent)
			}
			if !strings.Contains(err.Error(), `{"error":"nope"}`) || len(err.Error()) > 1024 {
				t.Errorf("error should quote the start of the body, briefly; got %d bytes: %.200s", len(err.Error()), err)
			}
		})
	}
}

func TestWebhookRetryAfter(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	err := Webhook{URL: srv.URL}.Send(t.Context(), srv.Client(), sample())
	var se *StatusError
	if !errors.As(err, &se) || se.RetryAfter != 2*time.Minute || Permanent(err) {
		t.Fatalf("Send = %v (%+v), want retryable 429 with RetryAfter 2m", err, se)
	}
}

func TestWebhookTimeoutIsRetryable(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // never answers while the client waits
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first, so Close does not wait
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	err := Webhook{URL: srv.URL}.Send(ctx, srv.Client(), sample())
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || Permanent(err) {
		t.Fatalf("Send = %v, want a retryable deadline error", err)
	}
}

func TestWebhookRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	t.Cleanup(other.Close)
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/collect", status)
		}))
		t.Cleanup(srv.Close)
		client := srv.Client()
		err := Webhook{URL: srv.URL, Secret: "s"}.Send(t.Context(), client, sample())
		if !Permanent(err) || !strings.Contains(err.Error(), other.URL+"/collect") {
			t.Errorf("%d: Send = %v, want a permanent error naming the Location", status, err)
		}
		if client.CheckRedirect != nil {
			t.Errorf("%d: caller's client was modified", status)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("redirect target got %d requests, want 0", n)
	}
}

func TestWebhookRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for _, hook := range []Webhook{
		{URL: "ftp://example.com/hook"},
		{URL: "file:///etc/passwd"},
		{URL: "javascript:alert(1)"},
		{URL: "http://"},
		{URL: "/relative"},
		{URL: ""},
		{URL: "https://example.com/hook", Format: "xml"},
	} {
		err := hook.Send(t.Context(), nil, sample())
		if attest.ErrorCode(err) != attest.EINVALID || !Permanent(err) {
			t.Errorf("Send(%+v) = %v, want permanent EINVALID", hook, err)
		}
	}
	if err := (Webhook{URL: "https://example.com"}).Send(t.Context(), nil, Message{}); attest.ErrorCode(err) != attest.EINVALID {
		t.Errorf("Send(empty message) = %v, want EINVALID", err)
	}
}

func TestWebhookConnectionErrorHidesURLSecret(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	err = Webhook{URL: "http://" + addr + "/services/T0/B0/SECRETTOKEN?key=QUERYSECRET"}.Send(t.Context(), nil, sample())
	if err == nil || Permanent(err) {
		t.Fatalf("Send = %v, want a retryable connection error", err)
	}
	if s := err.Error(); strings.Contains(s, "SECRETTOKEN") || strings.Contains(s, "QUERYSECRET") || !strings.Contains(s, addr) {
		t.Errorf("error %q should name the host but not the path or query", s)
	}
}

// indent pretty-prints JSON for readable golden files.
func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}
