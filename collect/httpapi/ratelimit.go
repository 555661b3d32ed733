package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// pacer spreads requests out when an API says its quota is running low,
// so the collector slows down before it hits zero instead of bouncing off
// 429s. While more than a tenth of the quota remains requests go out
// freely; below that each waits (reset − now) / remaining, which stretches
// the last requests of a fixed window over the time left and, against a
// token bucket, settles at the refill rate.
type pacer struct {
	known     bool
	limit     int
	remaining int
	reset     time.Time
	next      time.Time
}

// rateHeaders are the spellings in use: GitHub's and the common
// X-RateLimit-*, Okta's X-Rate-Limit-*, and the IETF draft's RateLimit-*.
var rateHeaders = [][3]string{
	{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"},
	{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"},
	{"Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset"},
}

// observe reads the quota headers of an answer and plans when the next
// request may go. It reports whether the quota is exhausted.
func (c *Client) observe(h http.Header, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := &c.pace
	p.known, p.next = false, time.Time{}
	for _, names := range rateHeaders {
		rem, err := strconv.Atoi(strings.TrimSpace(h.Get(names[1])))
		if err != nil {
			continue
		}
		p.known, p.remaining = true, rem
		p.limit, _ = strconv.Atoi(strings.TrimSpace(h.Get(names[0])))
		p.reset = parseReset(h.Get(names[2]), now)
		break
	}
	if !p.known {
		return false
	}
	low := p.limit / 10
	if low < 1 {
		low = 1
	}
	switch {
	case p.remaining <= 0:
		p.next = p.reset
	case p.remaining <= low && p.reset.After(now):
		p.next = now.Add(p.reset.Sub(now) / time.Duration(p.remaining))
	default:
		p.next = time.Time{}
	}
	return p.remaining <= 0
}

// untilReset is how long until the quota resets, for a rate-limited answer
// without Retry-After.
func (p *pacer) untilReset(now time.Time) time.Duration {
	if p.known && p.reset.After(now) {
		return p.reset.Sub(now)
	}
	return 0
}

// waitTurn waits until the pacer lets the next request go.
func (c *Client) waitTurn(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", c.o.Service, err)
	}
	c.mu.Lock()
	next := c.pace.next
	c.mu.Unlock()
	if next.IsZero() {
		return nil
	}
	d := next.Sub(c.cfg.Clock()())
	if d <= 0 {
		return nil
	}
	if d > c.o.MaxWait {
		return fmt.Errorf("%s: the rate limit resets in %s, longer than %s", c.o.Service, d.Round(time.Second), c.o.MaxWait)
	}
	if err := c.cfg.SleepFor(ctx, d); err != nil {
		return fmt.Errorf("%s: %w", c.o.Service, err)
	}
	return nil
}

// parseReset reads a reset header: Unix seconds (GitHub, Okta) when the
// number is large, else seconds from now (the IETF draft).
func parseReset(v string, now time.Time) time.Time {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 {
		return time.Time{}
	}
	if f > 1e9 {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9))
	}
	return now.Add(time.Duration(f * float64(time.Second)))
}

// retryAfter reads Retry-After: delay seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
