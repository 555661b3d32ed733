package loadtest

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/jobs"
	"github.com/attest-dev/attest/seal"
	"github.com/attest-dev/attest/store"
	"github.com/attest-dev/attest/web"
)

// site is a server wired as `attest serve` wires it: the store, the web
// handler, and a job queue that derives readiness after writes.
type site struct {
	db  *store.DB
	url string
}

// open opens a fresh database of the target.
func open(b *testing.B, tg testdb.Target) *store.DB {
	b.Helper()
	templates, err := catalog.PolicyTemplates()
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(context.Background(), store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL, PolicyTemplates: templates}, catalog.MustSOC2())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// start serves db over loopback with background jobs running.
func start(b *testing.B, db *store.DB) *site {
	b.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	workers, periodic := jobs.Background(jobs.Deps{DB: db, Log: quiet})
	q, err := jobs.New(ctx, db.SQL(), db.Dialect(), jobs.Config{Workers: workers, Periodic: periodic, Concurrency: 2, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	jobs.Derive(db, q, 0)
	if err := q.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	box, _ := seal.New(key)
	h, err := web.NewServer(db, box, nil)
	if err != nil {
		b.Fatal(err)
	}
	h.Jobs = q
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return &site{db: db, url: srv.URL}
}

// token creates an admin API token of the organization.
func token(b *testing.B, db *store.DB, org int64) string {
	b.Helper()
	secret, err := db.CreateToken(context.Background(), &attest.Token{OrgID: org, Name: "bench", Role: attest.RoleAdmin})
	if err != nil {
		b.Fatal(err)
	}
	return secret
}

// newClient is the loopback client every benchmark uses.
func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
}

// latencies collects request latencies from concurrent clients.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d...)
	l.mu.Unlock()
}

// report reports p50, p99 and the rate over elapsed, with a prefix on the
// unit names (such as "write-").
func (l *latencies) report(b *testing.B, prefix string, elapsed time.Duration) {
	if len(l.all) == 0 {
		return
	}
	lat := l.all
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), prefix+"p50-ms")
	b.ReportMetric(pct(0.99), prefix+"p99-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), prefix+"req/s")
}

// do sends one request and checks its status.
func do(client *http.Client, method, url, bearer, body string, want int) error {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return err
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		return &statusError{method, url, resp.StatusCode}
	}
	return nil
}

type statusError struct {
	method, url string
	status      int
}

func (e *statusError) Error() string {
	return e.method + " " + e.url + ": status " + http.StatusText(e.status)
}

// parallel runs b.N calls of fn over n concurrent clients and returns the
// latencies and the elapsed time. fn gets the client's number and the
// call's sequence within it.
func parallel(b *testing.B, n int, fn func(client, i int) error) (*latencies, time.Duration) {
	b.Helper()
	l := &latencies{}
	var next sync.WaitGroup
	work := make(chan int, b.N)
	for i := range b.N {
		work <- i
	}
	close(work)
	b.ResetTimer()
	t0 := time.Now()
	for c := range n {
		next.Go(func() {
			var mine []time.Duration
			for i := range work {
				s := time.Now()
				if err := fn(c, i); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(s))
			}
			l.add(mine)
		})
	}
	next.Wait()
	elapsed := time.Since(t0)
	b.StopTimer()
	return l, elapsed
}
