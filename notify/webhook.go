package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/netguard"
)

// Webhook formats.
const (
	FormatJSON  = "json"
	FormatSlack = "slack"
)

// Header names and the User-Agent sent with every webhook request.
const (
	EventHeader = "Attest-Event"
	UserAgent   = "Attest-Webhook/1.0"
)

// maxErrorBody bounds how much of a failed response is read into the error:
// enough for a JSON error message, not enough for a hostile endpoint to
// fill memory or logs.
const maxErrorBody = 4 << 10

// defaultClient is used when Send is given no client; its timeout keeps a
// stalled endpoint from holding a worker when the context has no deadline,
// and it refuses the server's own network (netguard): a client that may
// reach internal targets must be passed explicitly.
var defaultClient = netguard.Client(30*time.Second, false)

// Webhook is an HTTP endpoint that receives notifications by POST.
type Webhook struct {
	URL string
	// Secret keys the Attest-Signature HMAC. Empty sends no signature, as
	// for Slack, whose incoming-webhook URL is itself the secret.
	Secret string
	// Format is FormatJSON (the default when empty) or FormatSlack.
	Format string
}

// Validate returns EINVALID for a URL that is not absolute http(s) or an
// unknown format.
func (h Webhook) Validate() error {
	if err := checkHTTPURL(h.URL); err != nil {
		return attest.Errorf(attest.EINVALID, "Webhook %s", attest.ErrorMessage(err))
	}
	switch h.Format {
	case "", FormatJSON, FormatSlack:
		return nil
	}
	return attest.Errorf(attest.EINVALID, "Webhook format must be %q or %q.", FormatJSON, FormatSlack)
}

// Send POSTs msg to the webhook once, with client (a default client with a
// 30s timeout when nil). The body is JSON in the webhook's format, signed in
// SignatureHeader when the webhook has a secret.
//
// Redirects are never followed: a 3xx answer is returned as a permanent
// *StatusError naming the Location. Following one would either replay the
// signed payload to a host nobody configured (307/308) or silently turn the
// POST into a body-less GET (301–303); the owner of the webhook should
// update its URL instead. The caller's client is not modified.
//
// Any answer other than 2xx is a *StatusError. Errors never contain the
// URL's path or query, which for Slack and others hold the credentials.
func (h Webhook) Send(ctx context.Context, client *http.Client, msg Message) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if err := msg.Validate(); err != nil {
		return err
	}
	body, err := h.payload(msg)
	if err != nil {
		return fmt.Errorf("encode webhook payload: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return attest.Errorf(attest.EINVALID, "Webhook URL is not valid.")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(EventHeader, msg.Event)
	if h.Secret != "" {
		req.Header.Set(SignatureHeader, signatureValue(h.Secret, time.Now().Unix(), body))
	}

	if client == nil {
		client = defaultClient
	}
	noRedirect := *client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	where := req.URL.Scheme + "://" + req.URL.Host
	resp, err := noRedirect.Do(req)
	if err != nil {
		// *url.Error repeats the full URL; keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("post webhook to %s: %w", where, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return fmt.Errorf("post webhook to %s: %w", where, &StatusError{
		StatusCode: resp.StatusCode,
		Body:       cleanSnippet(snippet),
		Location:   resp.Header.Get("Location"),
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
	})
}

// StatusError is a webhook answer other than 2xx.
type StatusError struct {
	StatusCode int
	// Body is the start of the response body, for the error message.
	Body string
	// Location is set for a redirect, which Send does not follow.
	Location string
	// RetryAfter is the server's Retry-After, zero when absent, so that a
	// caller can wait at least that long (e.g. by snoozing the job).
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Location != "" {
		fmt.Fprintf(&b, " (redirect to %s not followed)", e.Location)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, ": %s", e.Body)
	}
	return b.String()
}

// Permanent reports whether the status means that the same request will
// fail again: a redirect, or a 4xx other than 408 Request Timeout and 429
// Too Many Requests.
func (e *StatusError) Permanent() bool {
	switch {
	case e.StatusCode == http.StatusRequestTimeout, e.StatusCode == http.StatusTooManyRequests:
		return false
	case e.StatusCode >= 300 && e.StatusCode < 500:
		return true
	}
	return false
}

// retryAfter parses a Retry-After value in seconds or as an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// cleanSnippet makes a response body fit for one line of an error message.
func cleanSnippet(b []byte) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(string(b), ""))
	s = strings.Join(strings.Fields(s), " ")
	// Enough to recognise an error page, too little to read a response
	// back through the admin page.
	const limit = 160
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
