package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestEvidenceLinkDatesMigration: migration 00070 copies each existing
// item's period, validity, provided day and replacement onto its links.
func TestEvidenceLinkDatesMigration(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			ctx := context.Background()
			x, all := migrateUntil(t, o, "00070")
			db := x.db
			collected := time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC)
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO organizations (id, name, created_at) VALUES (1, 'A', ?)`, []any{collected}},
				{`INSERT INTO controls (org_id, id, name, frequency, updated_at) VALUES (1, 'C-1', 'C', 'monthly', ?)`, []any{collected}},
				{`INSERT INTO evidence (id, org_id, kind, title, source, provided_by, collected_at, period_start, period_end, valid_until, created_at)
					VALUES (1, 1, 'link', 'Old', 'manual', 'x', ?, '2026-03-01', '2026-03-31', '2026-04-30', ?)`, []any{collected, collected.Add(time.Hour)}},
				{`INSERT INTO evidence (id, org_id, kind, title, source, provided_by, collected_at, period_start, period_end, supersedes, created_at)
					VALUES (2, 1, 'link', 'New', 'manual', 'x', ?, '2026-03-01', '2026-03-31', 1, ?)`, []any{collected.Add(48 * time.Hour), collected.Add(24 * time.Hour)}},
				{`UPDATE evidence SET superseded_by = 2 WHERE id = 1`, nil},
				{`INSERT INTO evidence_links (org_id, evidence_id, control_id, need) VALUES (1, 1, 'C-1', 0), (1, 2, 'C-1', 0)`, nil},
			} {
				if _, err := db.ExecContext(ctx, x.q(q.sql), q.args...); err != nil {
					t.Fatalf("%s: %v", strings.Fields(q.sql)[2], err)
				}
			}
			if err := migrate(ctx, db, x.dialect, all); err != nil {
				t.Fatal(err)
			}
			rows, err := db.QueryContext(ctx, `SELECT evidence_id, period_start, period_end, valid_until, provided_on, superseded FROM evidence_links ORDER BY evidence_id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var id int64
				var ps, pe, vu, on string
				var sup bool
				if err := rows.Scan(&id, &ps, &pe, &vu, &on, &sup); err != nil {
					t.Fatal(err)
				}
				got = append(got, strings.Join([]string{ps, pe, vu, on, map[bool]string{true: "replaced", false: "current"}[sup]}, " "))
			}
			want := []string{"2026-03-01 2026-03-31 2026-04-30 2026-03-04 replaced", "2026-03-01 2026-03-31  2026-03-05 current"}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("links after the migration:\n%q\nwant\n%q", got, want)
			}
		})
	}
}
