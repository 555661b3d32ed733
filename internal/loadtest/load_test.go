package loadtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/seal"
	"github.com/attest-dev/attest/store"
	"github.com/attest-dev/attest/web"
)

// BenchmarkPages loads the dashboard and the controls list of an
// organization with 500 controls, 5,000 tasks and two years of daily
// readiness snapshots, with 32 concurrent clients over loopback, on SQLite
// and (with ATTEST_TEST_POSTGRES) PostgreSQL:
//
//	go test ./internal/loadtest -run '^$' -bench Pages -benchtime 3000x
//
// It reports p50 and p99 latency in milliseconds and requests per second.
func BenchmarkPages(b *testing.B) {
	for _, tg := range testdb.Targets(b) {
		b.Run(tg.Name, func(b *testing.B) {
			base, client := serve(b, tg)
			for _, page := range []string{"/", "/controls"} {
				name := map[string]string{"/": "dashboard", "/controls": "controls"}[page]
				b.Run(name, func(b *testing.B) { load(b, client, base+page) })
			}
		})
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

// serve seeds a large organization, starts the server and signs a
// compliance manager in; it returns the base URL and a signed-in client.
func serve(b *testing.B, tg testdb.Target) (string, *http.Client) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL}, catalog.MustSOC2())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	org := seed(b, db)
	const email, password = "manager@example.com", "correct horse battery staple"
	hash, _ := attest.HashPassword(password)
	if err := db.CreateUser(ctx, &attest.User{OrgID: org, Email: email, Name: "Owner 1", Role: attest.RoleComplianceManager, PasswordHash: hash}); err != nil {
		b.Fatal(err)
	}
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	box, _ := seal.New(key)
	h, err := web.NewServer(db, box, nil)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	req, _ := http.NewRequest("POST", srv.URL+"/signin", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		b.Fatalf("sign-in ended at %s with %d", resp.Request.URL.Path, resp.StatusCode)
	}
	return srv.URL, client
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
	return o.ID
}
