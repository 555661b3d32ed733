package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
)

// BenchmarkResultHistoryYear measures what a year of hourly runs over
// 100,000 resources costs in storage when results are kept as state
// changes. It records a first run, then `runs` hourly runs in which a
// share `churn` of the results change (a resource starts or stops failing,
// or a reason changes), measures the rows and bytes (table and indexes)
// of check_results, and extrapolates to 8,760 runs. Run it with
// -benchtime=1x; ATTEST_BENCH_RESOURCES and ATTEST_BENCH_RUNS change the
// sizes.
//
//	go test ./store/ -run '^$' -bench ResultHistoryYear -benchtime=1x
func BenchmarkResultHistoryYear(b *testing.B) {
	n := envInt("ATTEST_BENCH_RESOURCES", 100_000)
	runs := envInt("ATTEST_BENCH_RUNS", 12)
	const churn = 0.001 // 0.1% of results change per hour: 100 of 100,000
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
			chk := &attest.MonitoredCheck{ID: "bench-check", Title: "Bench", Severity: "high", Controls: []string{"GOV-01"}, Window: 72 * time.Hour}
			status := make([]attest.CheckStatus, n)
			for i := range status {
				status[i] = attest.CheckPass
				if i%10 == 0 {
					status[i] = attest.CheckFail
				}
			}
			rng := rand.New(rand.NewPCG(1, 2))
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			record := func() (time.Duration, int) {
				cr := &CheckRun{Checks: []*attest.MonitoredCheck{chk}, Results: make([]*attest.CheckResult, n)}
				for i := range n {
					cr.Results[i] = &attest.CheckResult{CheckID: chk.ID, ResourceType: "aws.s3_bucket", ResourceID: "bucket-" + strconv.Itoa(i), ResourceName: "bucket " + strconv.Itoa(i), Status: status[i]}
					if status[i] == attest.CheckFail {
						cr.Results[i].Reason = "public access is not blocked"
					}
				}
				db.Now = func() time.Time { return at }
				start := time.Now()
				out, err := db.RecordResults(ctx, o.ID, cr)
				if err != nil {
					b.Fatal(err)
				}
				at = at.Add(time.Hour)
				return time.Since(start), out.Changes
			}
			b.ResetTimer()
			first, _ := record()
			rows0, bytes0 := resultStorage(b, db, tg.DataDir)
			var took time.Duration
			changes := 0
			for range runs {
				for range int(float64(n) * churn) {
					i := rng.IntN(n)
					if status[i] == attest.CheckPass {
						status[i] = attest.CheckFail
					} else {
						status[i] = attest.CheckPass
					}
				}
				d, c := record()
				took += d
				changes += c
			}
			b.StopTimer()
			rows, bytes := resultStorage(b, db, tg.DataDir)
			perRun := float64(rows-rows0) / float64(runs)
			perRow := float64(bytes) / float64(rows)
			yearRows := float64(rows0) + perRun*8760
			b.ReportMetric(float64(first.Milliseconds()), "ms/first-run")
			b.ReportMetric(float64(took.Milliseconds())/float64(runs), "ms/hourly-run")
			b.ReportMetric(perRun, "rows/hourly-run")
			b.ReportMetric(perRow, "bytes/row")
			b.ReportMetric(yearRows, "rows/year")
			b.ReportMetric(yearRows*perRow/(1<<20), "MiB/year")
			b.ReportMetric(float64(n)*8760*perRow/(1<<30), "GiB/year-if-every-row-kept")
			b.Logf("%s: %d resources; first run %d rows, %d bytes (%.0f bytes a row); %d hourly runs with %.1f%% churn added %d rows (%d changes); a year: %.0f rows, %.1f MiB; one row per result per run would be %.0f rows, %.1f GiB",
				tg.Name, n, rows0, bytes0, float64(bytes0)/float64(rows0), runs, churn*100, rows-rows0, changes, yearRows, yearRows*perRow/(1<<20), float64(n)*8760, float64(n)*8760*perRow/(1<<30))
		})
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// resultStorage counts check_results rows and the bytes of the table and
// its indexes: PostgreSQL's own figure, or SQLite's pages (dbstat).
func resultStorage(b *testing.B, db *DB, dir string) (rows, bytes int64) {
	ctx := context.Background()
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM check_results`).Scan(&rows); err != nil {
		b.Fatal(err)
	}
	if db.Dialect() == "postgres" {
		if _, err := db.db.ExecContext(ctx, `VACUUM ANALYZE check_results`); err != nil {
			b.Fatal(err)
		}
		if err := db.db.QueryRowContext(ctx, `SELECT pg_total_relation_size('check_results')`).Scan(&bytes); err != nil {
			b.Fatal(err)
		}
		return rows, bytes
	}
	err := db.db.QueryRowContext(ctx, `SELECT sum(pgsize) FROM dbstat WHERE name IN ('check_results', 'check_results_open', 'check_results_history', 'check_results_failing')`).Scan(&bytes)
	if err != nil { // without dbstat: the whole file after a checkpoint
		db.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		st, serr := os.Stat(filepath.Join(dir, "attest.db"))
		if serr != nil {
			b.Fatal(fmt.Errorf("%v; %v", err, serr))
		}
		bytes = st.Size()
	}
	return rows, bytes
}
