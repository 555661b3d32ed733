// Package notify delivers notifications by email (SMTP) and by webhook
// (HTTP POST, plain JSON or Slack-compatible).
//
// It makes one attempt per call: scheduling and retrying with backoff belong
// to the job queue that calls it. So that the queue does not retry what can
// never succeed, every error from Mailer.Send and Webhook.Send can be passed
// to Permanent, which says whether another attempt could help:
//
//	if err := hook.Send(ctx, client, msg); err != nil {
//		if notify.Permanent(err) {
//			return river.JobCancel(err)
//		}
//		return err // retried with backoff
//	}
package notify

import (
	"errors"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/attest-dev/attest"
)

// Message is one notification, independent of how it is delivered.
type Message struct {
	// Event names what happened, such as "evidence.due" or "control.failed".
	// Receivers route on it, so it is limited to [a-z0-9._-].
	Event   string
	Subject string
	// Text is the plain-text body.
	Text string
	// URL links into the app; optional, and http or https only.
	URL string
	// Fields holds extra facts (owner, due date, …); optional.
	Fields map[string]string
	// At is when the event happened; zero means the time of sending.
	At time.Time
}

var eventPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,99}$`)

// Validate returns EINVALID when the message cannot be delivered as it is:
// no event or subject, an event name that is unsafe in a header, control
// characters in the subject, or a URL that is not http(s).
func (m Message) Validate() error {
	if !eventPattern.MatchString(m.Event) {
		return attest.Errorf(attest.EINVALID, "Notification event %q must be 1-100 characters of a-z, 0-9, '.', '_' or '-'.", m.Event)
	}
	if strings.TrimSpace(m.Subject) == "" {
		return attest.Errorf(attest.EINVALID, "Notification subject is required.")
	}
	// A line break in a subject would otherwise smuggle headers into mail.
	if strings.IndexFunc(m.Subject, unicode.IsControl) >= 0 {
		return attest.Errorf(attest.EINVALID, "Notification subject must not contain control characters.")
	}
	if m.URL != "" {
		if err := checkHTTPURL(m.URL); err != nil {
			return attest.Errorf(attest.EINVALID, "Notification link: %s", attest.ErrorMessage(err))
		}
	}
	return nil
}

// at returns the event time in UTC, defaulting to now so every payload has
// one.
func (m Message) at() time.Time {
	if m.At.IsZero() {
		return time.Now().UTC()
	}
	return m.At.UTC()
}

// sortedFields returns the field names in order, so that mail bodies and
// Slack blocks are the same on every attempt.
func (m Message) sortedFields() []string {
	keys := make([]string, 0, len(m.Fields))
	for k := range m.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkHTTPURL accepts only absolute http and https URLs with a host: other
// schemes (file:, gopher:, javascript:) have no business in a notification.
func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return attest.Errorf(attest.EINVALID, "URL is not valid.")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return attest.Errorf(attest.EINVALID, "URL must start with http:// or https://.")
	}
	if u.Host == "" {
		return attest.Errorf(attest.EINVALID, "URL has no host.")
	}
	return nil
}

// permanentError marks a failure that another attempt cannot fix, such as a
// rejected recipient or wrong credentials.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// markPermanent wraps err so that Permanent reports true.
func markPermanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// Permanent reports whether retrying the delivery that returned err cannot
// help: invalid configuration, message or address (EINVALID); a webhook
// answer of 3xx or 4xx other than 408 and 429; an SMTP 5xx reply, including
// rejected credentials. Timeouts, connection errors, cancellation, HTTP 5xx,
// 408, 429 and SMTP 4xx are retryable, as is anything unrecognized: the
// queue gives up after its last attempt anyway, while a wrong "permanent"
// would lose a notification that could have been delivered.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	var pe *permanentError
	if errors.As(err, &pe) {
		return true
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Permanent()
	}
	return attest.ErrorCode(err) == attest.EINVALID
}
