package store

import (
	"context"
	"testing"
	"time"
)

// TestAutomatedNeedsMigration: migration 00171 marks the library's
// automated needs on the controls of organizations created before it,
// where the need is still as the library wrote it; a need an
// organization reworded, and custom controls, are left alone.
func TestAutomatedNeedsMigration(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			ctx := context.Background()
			x, all := migrateUntil(t, o, "00171")
			db := x.db
			at := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
			lib := `[{"what":"Configuration report showing encryption enabled on each production data store","frequency":"quarterly"}]`
			reworded := `[{"what":"Our own encryption report","frequency":"quarterly"}]`
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO organizations (id, name, created_at) VALUES (1, 'A', ?), (2, 'B', ?)`, []any{at, at}},
				{`INSERT INTO controls (org_id, id, name, frequency, evidence, updated_at) VALUES (1, 'CRY-01', 'C', 'continuous', ?, ?)`, []any{lib, at}},
				{`INSERT INTO controls (org_id, id, name, frequency, evidence, updated_at) VALUES (2, 'CRY-01', 'C', 'continuous', ?, ?)`, []any{reworded, at}},
			} {
				if _, err := db.ExecContext(ctx, x.q(q.sql), q.args...); err != nil {
					t.Fatal(err)
				}
			}
			if err := migrate(ctx, db, x.dialect, all); err != nil {
				t.Fatal(err)
			}
			for org, want := range map[int64]bool{1: true, 2: false} {
				c, err := x.FindControlByID(ctx, org, "CRY-01")
				if err != nil || len(c.Evidence) != 1 || c.Evidence[0].Automated != want {
					t.Errorf("org %d: needs %+v, %v; want automated %v", org, c.Evidence, err, want)
				}
			}
		})
	}
}
