package web

import (
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Sign-in limits per client address: a burst of SignInBurst password
// checks, refilled at one every SignInRefill. A check that succeeds gives
// its token back, so people signing in from one office are not held up;
// failures from an address beyond the burst are answered 429 without the
// argon2id hash (19 MiB and tens of milliseconds each) they would cost.
const (
	SignInBurst  = 20
	SignInRefill = 3 * time.Second
	// maxLimited bounds how many addresses the limiter remembers.
	maxLimited = 100_000
)

// addrLimiter is a token bucket per client address.
type addrLimiter struct {
	mu      sync.Mutex
	burst   float64
	every   time.Duration
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newAddrLimiter(burst int, every time.Duration) *addrLimiter {
	return &addrLimiter{burst: float64(burst), every: every, buckets: map[string]*bucket{}}
}

// take spends a token of addr at now. When none is left it returns how
// long until one is.
func (l *addrLimiter) take(addr string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) >= maxLimited {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[addr] = b
	}
	l.refill(b, now)
	if b.tokens < 1 {
		return false, time.Duration(math.Ceil((1 - b.tokens) * float64(l.every)))
	}
	b.tokens--
	return true, 0
}

// give returns a token taken for a check that succeeded.
func (l *addrLimiter) give(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[addr]; b != nil {
		b.tokens = min(l.burst, b.tokens+1)
	}
}

func (l *addrLimiter) refill(b *bucket, now time.Time) {
	if now.After(b.at) {
		b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
		b.at = now
	}
}

// prune forgets full buckets (they are as good as new), and everything if
// that frees too little: an attacker rotating addresses cannot grow the map
// without bound.
func (l *addrLimiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if l.refill(b, now); b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxLimited*9/10 {
		clear(l.buckets)
	}
}

// clientAddr is the address a request came from: the connection's peer,
// or, when TrustForwardedFor is set (Attest runs behind a proxy that
// appends the client's address), the last X-Forwarded-For entry. Without
// that setting the header is ignored, since any client can send it.
func (s *Server) clientAddr(r *http.Request) string {
	if s.TrustForwardedFor {
		if v := r.Header.Values("X-Forwarded-For"); len(v) > 0 {
			parts := strings.Split(v[len(v)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
