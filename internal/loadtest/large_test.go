package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/store"
)

// endpointLimit bounds the time spent on one endpoint: pages that read
// the whole organization take seconds each at this size.
const endpointLimit = 15 * time.Second

// Size of the large organization.
const (
	largeControls = 2000
	largeTasks    = 50000
	largeEvidence = 100000
)

// BenchmarkLargeOrg seeds an organization with 2,000 controls, 50,000
// tasks and 100,000 evidence items (bulk inserts), then measures the p50
// of every page and list endpoint with 4 clients, and the latency of a
// single-row write there and, in the same run, in a small organization
// (an endpoint stops getting new requests after 15 s):
//
//	go test ./internal/loadtest -run '^$' -bench LargeOrg -benchtime 40x -timeout 30m
//
// Seeding reports how long creating the first and the last 200 controls
// took per control (equal when creating controls is linear), the task
// import, and one full recomputation of the organization's readiness (the
// work a background job does after changes). On PostgreSQL the seeded
// tables are then vacuumed and analyzed, as autovacuum does after bulk
// inserts (see analyze).
func BenchmarkLargeOrg(b *testing.B) {
	for _, tg := range testdb.Targets(b) {
		b.Run(tg.Name, func(b *testing.B) {
			ctx := context.Background()
			db := open(b, tg)
			metrics := map[string]float64{}
			org, eng := seedLarge(b, db, metrics)
			small, _ := seedSmall(b, db)
			analyze(b, db)
			s := start(b, db)
			secret := token(b, db, org)
			smallSecret := token(b, db, small)
			pages := signedIn(b, db, s, org)
			api := newClient()
			// One full recomputation, timed: the work of a background job
			// after changes. The pages are then measured on fresh figures,
			// not beside a job recomputing them.
			t0 := time.Now()
			if err := db.Refresh(ctx, org); err != nil {
				b.Fatal(err)
			}
			metrics["refresh-ms"] = float64(time.Since(t0).Milliseconds())
			b.Run("seed", func(b *testing.B) {
				for unit, v := range metrics {
					b.ReportMetric(v, unit)
				}
			})
			endpoints := []struct{ name, path string }{
				{"dashboard", "/"}, {"criteria", "/criteria"}, {"criterion", "/criteria/CC6.1"},
				{"controls", "/controls"}, {"control", "/controls/BIG-1000"}, {"tasks", "/tasks"},
				{"evidence", "/evidence"}, {"engagement", "/engagements/" + strconv.FormatInt(eng, 10)},
				{"api-controls", "/api/v1/controls"}, {"api-tasks", "/api/v1/tasks"},
				{"api-readiness", "/api/v1/readiness"}, {"api-snapshots", fmt.Sprintf("/api/v1/engagements/%d/snapshots", eng)},
			}
			for _, ep := range endpoints {
				b.Run(ep.name, func(b *testing.B) {
					l, elapsed := parallelFor(b, 4, endpointLimit, func(_, _ int) error {
						if strings.HasPrefix(ep.path, "/api/") {
							return do(api, "GET", s.url+ep.path, secret, "", http.StatusOK)
						}
						return do(pages, "GET", s.url+ep.path, "", "", http.StatusOK)
					})
					l.report(b, "", elapsed)
				})
			}
			for _, w := range []struct {
				name, secret string
			}{{"write-large", secret}, {"write-small", smallSecret}} {
				b.Run(w.name, func(b *testing.B) {
					l, elapsed := parallel(b, 1, func(_, i int) error {
						body := fmt.Sprintf(`{"status":%q}`, []string{"in_progress", "implemented"}[i%2])
						return do(api, "PATCH", s.url+"/api/v1/controls/GOV-01", w.secret, body, http.StatusOK)
					})
					l.report(b, "", elapsed)
				})
			}
		})
	}
}

// seedLarge creates the large organization: its engagement, controls up
// to largeControls through the store (timing the first and last 200), the
// tasks by import and the evidence items by bulk insert.
func seedLarge(b *testing.B, db *store.DB, metrics map[string]float64) (org, eng int64) {
	ctx := context.Background()
	o := &attest.Organization{Name: "Large"}
	if err := db.CreateOrganization(ctx, o); err != nil {
		b.Fatal(err)
	}
	e := &attest.Engagement{Name: "FY27 Type II", ReportType: attest.TypeII, WindowStart: "2026-07-01", WindowEnd: "2027-06-30",
		Categories: []string{"security", "availability", "processing_integrity", "confidentiality", "privacy"}}
	if err := db.CreateEngagement(ctx, o.ID, e); err != nil {
		b.Fatal(err)
	}
	fw := db.Framework()
	first := len(fw.Controls)
	var t0 time.Time
	for i := first; i < largeControls; i++ {
		switch i {
		case first:
			t0 = time.Now()
		case first + 200:
			metrics["create-first200-ms/control"] = float64(time.Since(t0).Microseconds()) / 200 / 1000
		case largeControls - 200:
			t0 = time.Now()
		}
		c := &attest.Control{ID: fmt.Sprintf("BIG-%04d", i), Name: fmt.Sprintf("Custom control %d", i), Frequency: attest.Quarterly,
			Criteria: []string{fw.Criteria[i%len(fw.Criteria)].ID},
			Evidence: []attest.EvidenceNeed{{What: "Quarterly review record", Frequency: attest.Quarterly}}}
		if err := db.CreateControl(ctx, o.ID, c); err != nil {
			b.Fatal(err)
		}
	}
	metrics["create-last200-ms/control"] = float64(time.Since(t0).Microseconds()) / 200 / 1000
	controls, err := db.FindControls(ctx, o.ID, attest.ControlFilter{})
	if err != nil {
		b.Fatal(err)
	}
	today := attest.DateOf(time.Now())
	tasks := make([]*attest.Task, largeTasks)
	for i := range tasks {
		tasks[i] = &attest.Task{Title: fmt.Sprintf("Remediation task %d", i), OwnerNote: fmt.Sprintf("Owner %d", i%40),
			DueDate: attest.DateOf(today.Time().AddDate(0, 0, i%120-30)), Status: []attest.TaskStatus{attest.TaskOpen, attest.TaskInProgress, attest.TaskDone}[i%3],
			ControlID: controls[i%len(controls)].ID, EngagementID: e.ID}
	}
	t0 = time.Now()
	if err := db.ImportTasks(ctx, o.ID, tasks); err != nil {
		b.Fatal(err)
	}
	metrics["import-50k-tasks-s"] = time.Since(t0).Seconds()
	t0 = time.Now()
	bulkEvidence(b, db, o.ID, controls)
	metrics["insert-100k-evidence-s"] = time.Since(t0).Seconds()
	return o.ID, e.ID
}

// seedSmall creates a small organization with the library alone.
func seedSmall(b *testing.B, db *store.DB) (org, eng int64) {
	ctx := context.Background()
	o := &attest.Organization{Name: "Small"}
	if err := db.CreateOrganization(ctx, o); err != nil {
		b.Fatal(err)
	}
	e := &attest.Engagement{Name: "SOC 2", ReportType: attest.TypeI, AsOfDate: "2027-06-30", Categories: []string{"security"}}
	if err := db.CreateEngagement(ctx, o.ID, e); err != nil {
		b.Fatal(err)
	}
	return o.ID, e.ID
}

// bulkEvidence inserts largeEvidence link items, each serving one control
// with a need, a thousand rows per statement.
func bulkEvidence(b *testing.B, db *store.DB, org int64, controls []*attest.Control) {
	ctx := context.Background()
	sqldb := db.SQL()
	var withNeeds []*attest.Control
	for _, c := range controls {
		if len(c.Evidence) > 0 {
			withNeeds = append(withNeeds, c)
		}
	}
	ph := func(n, from int) string { // "(?, ?)" or "($1, $2)" for n values
		marks := make([]string, n)
		for i := range marks {
			marks[i] = "?"
			if db.Dialect() == "postgres" {
				marks[i] = "$" + strconv.Itoa(from+i+1)
			}
		}
		return "(" + strings.Join(marks, ", ") + ")"
	}
	now := time.Now().UTC()
	const batch = 1000
	for start := 0; start < largeEvidence; start += batch {
		tx, err := sqldb.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		var rows []string
		var args []any
		for i := start; i < start+batch; i++ {
			day := attest.DateOf(now.AddDate(0, 0, -(i % 360)))
			rows = append(rows, ph(10, len(args)))
			args = append(args, org, "link", fmt.Sprintf("Review record %d", i), fmt.Sprintf("https://records.example/%d", i), "manual", "owner@example.com",
				now, day, day, now)
		}
		query := `INSERT INTO evidence (org_id, kind, title, url, source, provided_by, collected_at, period_start, period_end, created_at) VALUES ` +
			strings.Join(rows, ", ") + ` RETURNING id`
		res, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			b.Fatal(err)
		}
		var ids []int64
		for res.Next() {
			var id int64
			res.Scan(&id)
			ids = append(ids, id)
		}
		res.Close()
		rows, args = rows[:0], args[:0]
		for k, id := range ids {
			c := withNeeds[(start+k)%len(withNeeds)]
			day := attest.DateOf(now.AddDate(0, 0, -((start + k) % 360)))
			rows = append(rows, ph(7, len(args)))
			args = append(args, org, id, c.ID, 0, day, day, day)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence_links (org_id, evidence_id, control_id, need, period_start, period_end, provided_on) VALUES `+
			strings.Join(rows, ", "), args...); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// signedIn returns a client signed in as a compliance manager of org.
func signedIn(b *testing.B, db *store.DB, s *site, org int64) *http.Client {
	ctx := context.Background()
	email, password := fmt.Sprintf("manager%d@example.com", org), "correct horse battery staple"
	hash, _ := attest.HashPassword(password)
	if err := db.CreateUser(ctx, &attest.User{OrgID: org, Email: email, Name: "Manager", Role: attest.RoleComplianceManager, PasswordHash: hash}); err != nil {
		b.Fatal(err)
	}
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
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("sign-in: %d", resp.StatusCode)
	}
	return client
}
