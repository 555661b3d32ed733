package httpapi_test

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/httpapi"
)

// bucket is a loopback API enforcing rate requests per second with a
// token bucket of burst tokens. Each answer carries X-RateLimit-Limit
// (the burst), X-RateLimit-Remaining (whole tokens left) and
// X-RateLimit-Reset (seconds until the bucket is full again); a request
// with no token left gets 429 with Retry-After in whole seconds, as
// RFC 9110 spells it.
type bucket struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	tokens  float64
	last    time.Time
	ok, too atomic.Int64
}

func (b *bucket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	now := time.Now()
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	allowed := b.tokens >= 1
	if allowed {
		b.tokens--
	}
	tokens := b.tokens
	b.mu.Unlock()
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(int(b.burst)))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(int(tokens)))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat((b.burst-tokens)/b.rate, 'f', 3, 64))
	if !allowed {
		b.too.Add(1)
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil((1-tokens)/b.rate))))
		http.Error(w, `{"message":"rate limited"}`, http.StatusTooManyRequests)
		return
	}
	b.ok.Add(1)
	fmt.Fprint(w, `{"ok":true}`)
}

// BenchmarkRateLimit runs sequential requests against a bucket allowing
// 400 requests/s (burst 40) and reports the share of the allowed rate
// achieved (burst + rate × elapsed) and how many 429s came back, for the
// pacing client and, as the baseline in the same run, a client that only
// honours Retry-After.
func BenchmarkRateLimit(b *testing.B) {
	const rate, burst = 400.0, 40.0
	clients := []struct {
		name string
		get  func(base string) func() error
	}{
		{"paced", func(base string) func() error {
			c, err := httpapi.New(collect.Config{HTTP: &http.Client{}}, httpapi.Options{BaseURL: base, MaxAttempts: 10})
			if err != nil {
				b.Fatal(err)
			}
			return func() error { _, err := c.Get(b.Context(), "items"); return err }
		}},
		{"retry-after only", func(base string) func() error {
			hc := &http.Client{}
			return func() error {
				for {
					res, err := hc.Get(base + "/items")
					if err != nil {
						return err
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusTooManyRequests {
						return nil
					}
					s, _ := strconv.Atoi(res.Header.Get("Retry-After"))
					time.Sleep(time.Duration(s) * time.Second)
				}
			}
		}},
	}
	for _, cl := range clients {
		b.Run(cl.name, func(b *testing.B) {
			bk := &bucket{rate: rate, burst: burst, tokens: burst, last: time.Now()}
			srv := httptest.NewServer(bk)
			defer srv.Close()
			get := cl.get(srv.URL)
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				if err := get(); err != nil {
					b.Fatal(err)
				}
			}
			elapsed := time.Since(start).Seconds()
			b.ReportMetric(100*float64(bk.ok.Load())/(burst+rate*elapsed), "%allowed")
			b.ReportMetric(float64(bk.ok.Load())/elapsed, "req/s")
			b.ReportMetric(float64(bk.too.Load()), "429s")
		})
	}
}
