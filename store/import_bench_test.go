package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// BenchmarkImportTasks imports 50,000 tasks, each with its audit entry, on
// each database:
//
//	go test ./store -run '^$' -bench ImportTasks -benchtime 1x
//
// (with ATTEST_TEST_POSTGRES set for PostgreSQL). It reports the import's
// seconds and rows per second.
func BenchmarkImportTasks(b *testing.B) {
	const n = 50000
	for _, o := range openers(b) {
		b.Run(o.name, func(b *testing.B) {
			ctx := context.Background()
			db, err := Open(ctx, o.open(b), catalog.MustSOC2())
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var total float64
			for b.Loop() {
				b.StopTimer()
				org := &attest.Organization{Name: "Import"}
				if err := db.CreateOrganization(ctx, org); err != nil {
					b.Fatal(err)
				}
				tasks := make([]*attest.Task, n)
				for i := range tasks {
					tasks[i] = &attest.Task{Title: fmt.Sprintf("Imported task %d", i), OwnerNote: "Owner", DueDate: "2027-01-15", ControlID: "NET-03"}
				}
				b.StartTimer()
				if err := db.ImportTasks(ctx, org.ID, tasks); err != nil {
					b.Fatal(err)
				}
				total += n
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/import")
			b.ReportMetric(total/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
