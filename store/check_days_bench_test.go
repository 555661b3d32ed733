package store

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
)

// BenchmarkControlTimelineYear measures what a control's page pays for its
// checks' timelines over a year's window when the checks changed state
// every hour on every resource (the worst case for state-change storage):
// ATTEST_BENCH_RESOURCES resources (default 200) × 8,760 hourly changes for
// each of ATTEST_BENCH_CHECKS checks (default 2) testing one control. It
// compares the page's read (ControlTimelines: one row a check and day) with
// reading every interval in the window and folding them (what the page did
// before check_days). The history is written directly, then folded into
// days once by a run, as for results stored before migration 00170.
//
//	go test ./store/ -run '^$' -bench ControlTimelineYear -benchtime=20x
func BenchmarkControlTimelineYear(b *testing.B) {
	n := envInt("ATTEST_BENCH_RESOURCES", 200)
	nChecks := envInt("ATTEST_BENCH_CHECKS", 2)
	for _, tg := range testdb.Targets(b) {
		b.Run(tg.Name, func(b *testing.B) {
			ctx := context.Background()
			db, err := Open(ctx, Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL}, catalog.MustSOC2())
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			o := &attest.Organization{Name: "Bench"}
			if err := db.CreateOrganization(ctx, o); err != nil {
				b.Fatal(err)
			}
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			end := start.Add(8760 * time.Hour)
			var checks []*attest.MonitoredCheck
			for c := range nChecks {
				chk := &attest.MonitoredCheck{ID: "bench-" + strconv.Itoa(c), Title: "Bench", Severity: "high", Controls: []string{"CRY-01"}, Window: 72 * time.Hour}
				checks = append(checks, chk)
				// A first run creates the check; its history is then written
				// as if a year of hourly runs had flipped every resource.
				db.Now = func() time.Time { return start }
				if _, err := db.RecordResults(ctx, o.ID, &CheckRun{Checks: []*attest.MonitoredCheck{chk}}); err != nil {
					b.Fatal(err)
				}
				writeHistory(b, db, o.ID, chk.ID, n, start)
			}
			// As for history stored before migration 00170: not yet folded.
			if _, err := db.db.ExecContext(ctx, db.q(`UPDATE monitor_checks SET days_built = ? WHERE org_id = ?`), false, o.ID); err != nil {
				b.Fatal(err)
			}
			// The next run folds the history into days (once per check).
			db.Now = func() time.Time { return end }
			var last []*attest.CheckResult
			for r := range n {
				for _, chk := range checks {
					last = append(last, &attest.CheckResult{CheckID: chk.ID, ResourceType: "bench", ResourceID: "r" + strconv.Itoa(r), Status: attest.CheckPass})
				}
			}
			t0 := time.Now()
			if _, err := db.RecordResults(ctx, o.ID, &CheckRun{Checks: checks, Results: last}); err != nil {
				b.Fatal(err)
			}
			fold := time.Since(t0)
			var intervals, days int64
			db.db.QueryRowContext(ctx, `SELECT count(*) FROM check_results`).Scan(&intervals)
			db.db.QueryRowContext(ctx, `SELECT count(*) FROM check_days`).Scan(&days)
			from, to := attest.DateOf(start), attest.DateOf(end.Add(-time.Hour))
			b.Logf("%s: %d checks × %d resources, %d result intervals, %d day rows; folding the year into days took %s", tg.Name, nChecks, n, intervals, days, fold)
			b.Run("days", func(b *testing.B) {
				for range b.N {
					tls, err := db.ControlTimelines(ctx, o.ID, []string{"CRY-01"}, from, to)
					if err != nil || len(tls["CRY-01"]) != nChecks {
						b.Fatal(tls, err)
					}
				}
			})
			b.Run("intervals", func(b *testing.B) {
				for range b.N {
					for _, c := range checks {
						rs, err := db.ResultsBetween(ctx, o.ID, c.ID, from.Time(), to.Time().Add(24*time.Hour))
						if err != nil {
							b.Fatal(err)
						}
						attest.BuildTimeline(c, rs, from, to, end)
					}
				}
			})
		})
	}
}

// writeHistory writes n resources' hourly state changes over a year for a
// check: each hour closes one interval and opens the next, alternating
// pass and fail, the failures fixed within the remediation window.
func writeHistory(b *testing.B, db *DB, orgID int64, checkID string, n int, start time.Time) {
	ctx := context.Background()
	const per = 1000
	rows := make([]any, 0, per*12)
	flush := func() {
		if len(rows) == 0 {
			return
		}
		if _, err := db.db.ExecContext(ctx, db.q(`INSERT INTO check_results (org_id, check_id, resource_type, resource_id, resource_name, integration_id, status, reason, excepted, since, until, deadline) VALUES `+rowsOf(len(rows)/12, 12)), rows...); err != nil {
			b.Fatal(err)
		}
		rows = rows[:0]
	}
	for r := range n {
		id := "r" + strconv.Itoa(r)
		for h := range 8760 {
			since := start.Add(time.Duration(h) * time.Hour)
			until := since.Add(time.Hour)
			st, deadline := attest.CheckPass, nullTime(nil)
			if (h+r)%2 == 1 {
				d := since.Add(72 * time.Hour)
				st, deadline = attest.CheckFail, nullTime(&d)
			}
			var u any = until
			if h == 8759 {
				u = nullTime(nil)
			}
			rows = append(rows, orgID, checkID, "bench", id, id, nil, st, "", false, since, u, deadline)
			if len(rows) == per*12 {
				flush()
			}
		}
	}
	flush()
}
