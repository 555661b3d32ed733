package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/store"
)

// BenchmarkPages loads the dashboard and the controls list of an
// organization with 500 controls, 5,000 tasks and two years of daily
// readiness snapshots, with 32 concurrent clients over loopback, on SQLite
// and (with ATTEST_TEST_POSTGRES) PostgreSQL:
//
//	go test ./internal/loadtest -run '^$' -bench Pages -benchtime 3000x
//
// Each page is measured alone, then while another client changes one of
// the organization's controls through the API 50 times a second (the
// "-writing" variants, which also report the writes achieved). It reports
// p50 and p99 latency in milliseconds and requests per second.
func BenchmarkPages(b *testing.B) {
	for _, tg := range testdb.Targets(b) {
		b.Run(tg.Name, func(b *testing.B) {
			s, client, org := serve(b, tg)
			secret := token(b, s.db, org)
			for _, page := range []string{"/", "/controls"} {
				name := map[string]string{"/": "dashboard", "/controls": "controls"}[page]
				b.Run(name, func(b *testing.B) { load(b, client, s.url+page) })
				b.Run(name+"-writing", func(b *testing.B) {
					stop := writeSteadily(b, s.url, secret, 50)
					load(b, client, s.url+page)
					b.ReportMetric(stop(), "writes/s")
				})
			}
		})
	}
}

// writeSteadily changes a control through the API perSecond times a second
// until the returned function is called; that returns the rate achieved.
// Writes start on schedule whether or not the last one has returned (at
// most 64 at once), as independent clients' writes do.
func writeSteadily(b *testing.B, base, secret string, perSecond int) func() float64 {
	done := make(chan struct{})
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	wg.Go(func() {
		client := newClient()
		tick := time.NewTicker(time.Second / time.Duration(perSecond))
		defer tick.Stop()
		slots := make(chan struct{}, 64)
		statuses := []string{"in_progress", "implemented"}
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			select {
			case slots <- struct{}{}:
			default:
				continue // 64 writes under way: this one is skipped, and the rate shows it
			}
			body := fmt.Sprintf(`{"status":%q}`, statuses[i%2])
			wg.Go(func() {
				defer func() { <-slots }()
				if err := do(client, "PATCH", base+"/api/v1/controls/GOV-01", secret, body, http.StatusOK); err != nil {
					b.Error(err)
					return
				}
				n.Add(1)
			})
		}
	})
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(n.Load()) / time.Since(start).Seconds()
	}
}

// load spreads b.N requests over 32 clients and reports the latencies of
// a warm server: a first round of requests, not measured, opens the
// database connections and fills the caches.
func load(b *testing.B, client *http.Client, url string) {
	const clients = 32
	var warm sync.WaitGroup
	for range clients {
		warm.Go(func() {
			for range 4 {
				if resp, err := client.Get(url); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		})
	}
	warm.Wait()
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism((clients + 1) / 2) // × GOMAXPROCS (2 here) goroutines
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("GET %s: %d", url, resp.StatusCode)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
}

// serve seeds a large organization, starts the server as attest serve
// does (readiness derived by background jobs) and signs a compliance
// manager in; it returns the site, a signed-in client and the
// organization.
func serve(b *testing.B, tg testdb.Target) (*site, *http.Client, int64) {
	ctx := context.Background()
	db := open(b, tg)
	org := seed(b, db)
	const email, password = "manager@example.com", "correct horse battery staple"
	hash, _ := attest.HashPassword(password)
	if err := db.CreateUser(ctx, &attest.User{OrgID: org, Email: email, Name: "Owner 1", Role: attest.RoleComplianceManager, PasswordHash: hash}); err != nil {
		b.Fatal(err)
	}
	s := start(b, db)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	req, _ := http.NewRequest("POST", s.url+"/signin", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.url)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		b.Fatalf("sign-in ended at %s with %d", resp.Request.URL.Path, resp.StatusCode)
	}
	return s, client, org
}

// seed creates an organization with 500 controls (the library plus custom
// ones), statuses and owners spread over them, 5,000 tasks (a third of them
// overdue), an engagement over all five categories and 730 daily snapshots.
func seed(b *testing.B, db *store.DB) int64 {
	ctx := context.Background()
	o := &attest.Organization{Name: "Large"}
	if err := db.CreateOrganization(ctx, o); err != nil {
		b.Fatal(err)
	}
	fw := db.Framework()
	e := &attest.Engagement{Name: "FY27 Type II", ReportType: attest.TypeII, WindowStart: "2027-01-01", WindowEnd: "2027-06-30",
		Categories: []string{"security", "availability", "processing_integrity", "confidentiality", "privacy"}}
	if err := db.CreateEngagement(ctx, o.ID, e); err != nil {
		b.Fatal(err)
	}
	for i := len(fw.Controls); i < 500; i++ {
		c := &attest.Control{ID: fmt.Sprintf("BEN-%03d", i), Name: fmt.Sprintf("Custom control %d", i), Frequency: attest.Monthly,
			Criteria: []string{fw.Criteria[i%61].ID, fw.Criteria[(i*7)%61].ID}}
		if err := db.CreateControl(ctx, o.ID, c); err != nil {
			b.Fatal(err)
		}
	}
	controls, err := db.FindControls(ctx, o.ID, attest.ControlFilter{})
	if err != nil {
		b.Fatal(err)
	}
	for i, c := range controls {
		st := attest.ControlStatuses[i%3]
		owner := fmt.Sprintf("Owner %d", i%12)
		if _, err := db.UpdateControl(ctx, o.ID, c.ID, attest.ControlUpdate{Status: &st, OwnerNote: &owner}); err != nil {
			b.Fatal(err)
		}
	}
	today := attest.DateOf(time.Now())
	tasks := make([]*attest.Task, 5000)
	for i := range tasks {
		tasks[i] = &attest.Task{Title: fmt.Sprintf("Remediation task %d", i), OwnerNote: fmt.Sprintf("Owner %d", i%12),
			DueDate: attest.DateOf(today.Time().AddDate(0, 0, i%90-30)), Status: []attest.TaskStatus{attest.TaskOpen, attest.TaskInProgress, attest.TaskDone}[i%3],
			ControlID: controls[i%len(controls)].ID, EngagementID: e.ID}
	}
	if err := db.ImportTasks(ctx, o.ID, tasks); err != nil {
		b.Fatal(err)
	}
	for d := 730; d >= 1; d-- {
		day := attest.DateOf(time.Now().AddDate(0, 0, -d))
		sn := &attest.Snapshot{EngagementID: e.ID, Date: day, Score: float64(730-d) / 730 * 60, TakenAt: day.Time(),
			Categories: map[string]float64{"security": 50}}
		if err := db.SaveSnapshot(ctx, o.ID, sn); err != nil {
			b.Fatal(err)
		}
	}
	analyze(b, db)
	return o.ID
}

// analyze does on PostgreSQL what its autovacuum does within a minute of
// a bulk insert: it gathers the new tables' statistics and marks their
// pages all-visible (VACUUM ANALYZE). Without it the planner takes the
// seeded tables for empty and counts read every row from the heap, which
// is not how a running server's tables are: the benchmarks would measure
// the minute after seeding.
func analyze(b *testing.B, db *store.DB) {
	if db.Dialect() != "postgres" {
		return
	}
	if _, err := db.SQL().Exec("VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}
}
