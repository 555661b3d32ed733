package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/store"
)

// BenchmarkSignedInDuringSignInFlood measures a signed-in page (the
// dashboard) while 200 clients send wrong passwords from one address as
// fast as they can, beside the same page with no flood and with the flood
// but no per-address limit, in one run:
//
//	go test ./web -run '^$' -bench SignedInDuringSignInFlood -benchtime 200x
//
// It reports the page's p50 and p99 in milliseconds and how many sign-in
// attempts the flood made.
func BenchmarkSignedInDuringSignInFlood(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: b.TempDir()}, catalog.MustSOC2())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	org := &attest.Organization{Name: "Bench"}
	if err := db.CreateOrganization(ctx, org); err != nil {
		b.Fatal(err)
	}
	const password = "bench password 1"
	hash, err := attest.HashPassword(password)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.CreateUser(ctx, &attest.User{OrgID: org.ID, Email: "ann@bench.example", Name: "Ann", Role: attest.RoleAdmin, PasswordHash: hash, Active: true}); err != nil {
		b.Fatal(err)
	}
	if err := db.CreateEngagement(ctx, org.ID, &attest.Engagement{Name: "Bench audit", ReportType: attest.TypeI, AsOfDate: "2026-12-31"}); err != nil {
		b.Fatal(err)
	}
	srv, err := NewServer(db, testBox(b), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	jar, _ := cookiejar.New(nil)
	user := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := user.PostForm(ts.URL+"/signin", url.Values{"email": {"ann@bench.example"}, "password": {password}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %v %v", res, err)
	}
	res.Body.Close()

	for _, c := range []struct {
		name    string
		flood   bool
		limited bool
	}{{"quiet", false, true}, {"flood-limited", true, true}, {"flood-unlimited", true, false}} {
		b.Run(c.name, func(b *testing.B) {
			if c.limited {
				srv.signInLimit = newAddrLimiter(SignInBurst, SignInRefill)
			} else {
				srv.signInLimit = newAddrLimiter(1<<30, time.Nanosecond)
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var attempts atomic.Int64
			warm := make(chan struct{})
			var warmOnce sync.Once
			if c.flood {
				flooder := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
				for i := range 200 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for n := 0; ; n++ {
							select {
							case <-stop:
								return
							default:
							}
							form := url.Values{"email": {fmt.Sprintf("x%d-%d@bench.example", i, n)}, "password": {"wrong password"}}
							req, _ := http.NewRequest("POST", ts.URL+"/signin", strings.NewReader(form.Encode()))
							req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
							if r, err := flooder.Do(req); err == nil {
								r.Body.Close()
								if attempts.Add(1) == SignInBurst {
									warmOnce.Do(func() { close(warm) })
								}
							}
						}
					}()
				}
				<-warm // the flood has used up the burst

			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				r, err := user.Get(ts.URL + "/")
				if err != nil || r.StatusCode != http.StatusOK {
					b.Fatalf("dashboard: %v %v", r, err)
				}
				r.Body.Close()
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			slices.Sort(lat)
			q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
			b.ReportMetric(float64(attempts.Load()), "sign-ins")
		})
	}
}
