package store

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// BenchmarkReadiness computes readiness for an organization with 500
// controls and 5,000 tasks, on each database:
//
//	go test ./store -run '^$' -bench Readiness -benchmem
//
// (with ATTEST_TEST_POSTGRES set for the PostgreSQL figures).
func BenchmarkReadiness(b *testing.B) {
	for _, o := range openers(b) {
		b.Run(o.name, func(b *testing.B) {
			ctx := context.Background()
			db, err := Open(ctx, o.open(b), catalog.MustSOC2())
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			org, eng := seedLarge(b, db, 500, 5000)
			e, err := db.FindEngagementByID(ctx, org, eng)
			if err != nil {
				b.Fatal(err)
			}
			// compute: loading and computing from scratch, as after a change.
			b.Run("compute", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					db.controls.mu.Lock()
					db.controls.m = nil // as after a change: controls are read again
					db.controls.mu.Unlock()
					r, err := db.computeReadiness(ctx, org, e, db.today())
					if err != nil || len(r.Criteria) != 61 {
						b.Fatalf("%v, %d criteria", err, len(r.Criteria))
					}
				}
			})
			// cached: unchanged data, as on most page views.
			b.Run("cached", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r, err := db.Readiness(ctx, org, eng)
					if err != nil || len(r.Criteria) != 61 {
						b.Fatalf("%v, %d criteria", err, len(r.Criteria))
					}
				}
			})
		})
	}
}

// seedLarge creates an organization whose library is topped up with custom
// controls to nControls, with nTasks tasks (a third of them overdue), and
// an engagement over all five categories. Rows go in directly, in one
// transaction, so the setup stays fast.
func seedLarge(b *testing.B, db *DB, nControls, nTasks int) (org, eng int64) {
	ctx := context.Background()
	o := &attest.Organization{Name: "Large"}
	if err := db.CreateOrganization(ctx, o); err != nil {
		b.Fatal(err)
	}
	e := &attest.Engagement{Name: "Big", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-12-31",
		Categories: []string{"security", "availability", "processing_integrity", "confidentiality", "privacy"}}
	if err := db.CreateEngagement(ctx, o.ID, e); err != nil {
		b.Fatal(err)
	}
	fw := db.Framework()
	statuses := attest.ControlStatuses
	err := db.tx(ctx, func(tx *sql.Tx) error {
		for i := len(fw.Controls); i < nControls; i++ {
			st := statuses[i%3] // not started, in progress, implemented
			c := &attest.Control{ID: fmt.Sprintf("BEN-%04d", i), Name: "Bench control", Frequency: attest.Monthly, Custom: true,
				Status: st, UpdatedAt: db.now(),
				Criteria: []string{fw.Criteria[i%61].ID, fw.Criteria[(i*7)%61].ID}}
			if err := db.insertControl(ctx, tx, o.ID, c); err != nil {
				return err
			}
		}
		today := db.today()
		for i := range nTasks {
			due := attest.DateOf(today.Time().AddDate(0, 0, i%90-30))
			status := []attest.TaskStatus{attest.TaskOpen, attest.TaskInProgress, attest.TaskDone}[i%3]
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO tasks (org_id, engagement_id, control_id, title, owner_note, due_date, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
				o.ID, e.ID, fw.Controls[i%len(fw.Controls)].ID, fmt.Sprintf("Task %d", i), "Owner", due, status, db.now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return o.ID, e.ID
}
