package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// BenchmarkTaskList reads the first page of 50 open tasks, and a page by
// title deep in the list, of an organization with 50,000 tasks, against
// the baseline of the same run: reading every open task, as the tasks page
// and API did before they were paginated in SQL.
//
//	go test ./store -run '^$' -bench TaskList -benchmem
//
// (with ATTEST_TEST_POSTGRES set for the PostgreSQL figures).
func BenchmarkTaskList(b *testing.B) {
	for _, o := range openers(b) {
		b.Run(o.name, func(b *testing.B) {
			ctx := context.Background()
			db, err := Open(ctx, o.open(b), catalog.MustSOC2())
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			org := &attest.Organization{Name: "Large"}
			if err := db.CreateOrganization(ctx, org); err != nil {
				b.Fatal(err)
			}
			owners := make([]int64, 40)
			for i := range owners {
				u := &attest.User{OrgID: org.ID, Email: fmt.Sprintf("owner%d@example.com", i), Name: fmt.Sprintf("Owner %d", i), Role: attest.RoleControlOwner}
				if err := db.CreateUser(ctx, u); err != nil {
					b.Fatal(err)
				}
				owners[i] = u.ID
			}
			const n = 50000
			tasks := make([]*attest.Task, n)
			for i := range tasks {
				tasks[i] = &attest.Task{Title: fmt.Sprintf("Remediate finding %05d", i), OwnerID: owners[i%40],
					Status: []attest.TaskStatus{attest.TaskOpen, attest.TaskInProgress, attest.TaskDone}[i%3]}
				if i%5 != 0 {
					tasks[i].DueDate = attest.Date(fmt.Sprintf("2027-%02d-%02d", 1+i%12, 1+i%28))
				}
			}
			if err := db.ImportTasks(ctx, org.ID, tasks); err != nil {
				b.Fatal(err)
			}
			// Statistics as the database keeps them in use (autovacuum on
			// PostgreSQL), not as just after a bulk load.
			if _, err := db.db.ExecContext(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			open := attest.TaskFilter{Open: true}
			b.Run("first-page", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					page, total, err := db.FindTaskPage(ctx, org.ID, open, attest.Page{})
					if err != nil || len(page) != attest.DefaultPageSize || total == 0 {
						b.Fatalf("%v, %d rows of %d", err, len(page), total)
					}
				}
			})
			b.Run("page-400-by-title", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					page, _, err := db.FindTaskPage(ctx, org.ID, open, attest.Page{Sort: "title", Offset: 400 * attest.DefaultPageSize})
					if err != nil || len(page) != attest.DefaultPageSize {
						b.Fatalf("%v, %d rows", err, len(page))
					}
				}
			})
			b.Run("baseline-every-open-task", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					all, err := db.FindTasks(ctx, org.ID, open)
					if err != nil || len(all) < n/2 {
						b.Fatalf("%v, %d rows", err, len(all))
					}
				}
			})
		})
	}
}
