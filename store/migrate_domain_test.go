package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// migrateUntil opens a fresh database of o, applies the migrations named
// before cut and returns it with the whole set, to apply after a test has
// stored rows in the older schema.
func migrateUntil(t *testing.T, o opener, cut string) (*DB, fstest.MapFS) {
	t.Helper()
	cfg := o.open(t)
	d, dsn, err := dialectFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if d == sqliteDialect {
		if err := osMkdir(cfg.DataDir); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open(d.driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	before, all := fstest.MapFS{}, fstest.MapFS{}
	err = fs.WalkDir(d.migrations(), ".", func(name string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := fs.ReadFile(d.migrations(), name)
		all[name] = &fstest.MapFile{Data: data}
		if name < cut {
			before[name] = &fstest.MapFile{Data: data}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(context.Background(), db, d, before); err != nil {
		t.Fatal(err)
	}
	return &DB{db: db, dialect: d}, all
}

// TestDomainClaimsMigration: migration 00080 keeps serving the domains
// single sign-on served before, as verified claims.
func TestDomainClaimsMigration(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			ctx := context.Background()
			x, all := migrateUntil(t, o, "00080")
			at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
			for _, q := range []string{
				`INSERT INTO organizations (id, name, created_at) VALUES (1, 'A', ?), (2, 'B', ?)`,
				`INSERT INTO org_settings (org_id, oidc_issuer, oidc_client_id, oidc_domain, updated_at) VALUES (1, 'https://idp', 'c', 'a.example', ?), (2, '', '', '', ?)`,
			} {
				if _, err := x.db.ExecContext(ctx, x.q(q), at, at); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := migrate(ctx, x.db, x.dialect, all); err != nil {
				t.Fatal(err)
			}
			all2, err := x.FindAllDomainClaims(ctx)
			if err != nil || len(all2) != 1 {
				t.Fatalf("claims after the migration: %d %v, want 1", len(all2), err)
			}
			c := all2[0]
			if c.OrgID != 1 || c.Domain != "a.example" || !c.Verified() || c.Method != "existing" || len(c.Token) < 16 {
				t.Errorf("migrated claim %+v", c)
			}
		})
	}
}

// TestAuditEngagementMigration: migration 00081 records the engagement of
// each existing audit entry, so an auditor's scoped log includes what it
// did before.
func TestAuditEngagementMigration(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			ctx := context.Background()
			x, all := migrateUntil(t, o, "00081")
			at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
			if _, err := x.db.ExecContext(ctx, x.q(`INSERT INTO organizations (id, name, created_at) VALUES (1, 'A', ?)`), at); err != nil {
				t.Fatal(err)
			}
			entries := []struct{ entity, id, before, after string }{
				{"engagement", "5", "", `{"id":5,"name":"E"}`},
				{"task", "1", "", `{"id":1,"engagement_id":7}`},
				{"task", "1", `{"id":1,"engagement_id":7}`, ""},
				{"control", "GOV-01", `{"id":"GOV-01"}`, `{"id":"GOV-01","status":"implemented"}`},
				{"task", "2", "", `{"id":2,"engagement_id":null}`},
				{"list", "x", "", `[1,2]`},
			}
			for i, e := range entries {
				if _, err := x.db.ExecContext(ctx, x.q(`INSERT INTO audit_log (`+auditColumns+`) VALUES (`+placeholders(11)+`)`),
					1, i+1, at, "t", "a", e.entity, e.id, e.before, e.after, "", "h"); err != nil {
					t.Fatal(err)
				}
			}
			if err := migrate(ctx, x.db, x.dialect, all); err != nil {
				t.Fatal(err)
			}
			rows, err := x.db.QueryContext(ctx, `SELECT engagement_id FROM audit_log ORDER BY seq`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var id sql.NullInt64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				got = append(got, map[bool]string{true: fmt.Sprint(id.Int64), false: "-"}[id.Valid])
			}
			if want := "5 7 7 - - -"; strings.Join(got, " ") != want {
				t.Errorf("engagements after the migration: %q, want %q", strings.Join(got, " "), want)
			}
		})
	}
}
