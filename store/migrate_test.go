package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/attest-dev/attest/catalog"
)

func TestOpenTwice(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			cfg := o.open(t)
			ctx := context.Background()
			db, err := Open(ctx, cfg, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			id := newOrg(t, db, "Acme")
			db.Close()
			db, err = Open(ctx, cfg, catalog.MustSOC2())
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			defer db.Close()
			controls, err := db.FindControls(ctx, id, attestFilterNone)
			if err != nil || len(controls) != len(catalog.MustSOC2().Controls) {
				t.Fatalf("after reopen: %d controls, %v", len(controls), err)
			}
		})
	}
}

// TestFailedMigrationRollsBack applies a good migration and then one that
// fails half-way; the database must keep nothing of the failed one.
func TestFailedMigrationRollsBack(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
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
			defer db.Close()
			ctx := context.Background()
			good := fstest.MapFS{"00001_one.sql": {Data: []byte("-- +goose Up\nCREATE TABLE one (id INTEGER);\n")}}
			if err := migrate(ctx, db, d, good); err != nil {
				t.Fatal(err)
			}
			bad := fstest.MapFS{
				"00001_one.sql": good["00001_one.sql"],
				"00002_two.sql": {Data: []byte("-- +goose Up\nCREATE TABLE two (id INTEGER);\nINSERT INTO one VALUES (1);\nTHIS IS NOT SQL;\n")},
			}
			err = migrate(ctx, db, d, bad)
			if err == nil || !strings.Contains(err.Error(), "migrate") {
				t.Fatalf("migrate with a broken step: %v, want an error", err)
			}
			if _, err := db.ExecContext(ctx, "SELECT * FROM two"); err == nil {
				t.Error("table two survived a failed migration")
			}
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM one").Scan(&n); err != nil || n != 0 {
				t.Errorf("rows in one = %d, %v; want 0", n, err)
			}
			// A database newer than the binary is refused.
			newer := fstest.MapFS{"00001_one.sql": good["00001_one.sql"], "00002_two.sql": {Data: []byte("-- +goose Up\nCREATE TABLE two (id INTEGER);\n")}}
			if err := migrate(ctx, db, d, newer); err != nil {
				t.Fatal(err)
			}
			if err := migrate(ctx, db, d, good); err == nil || !strings.Contains(err.Error(), "newer") {
				t.Fatalf("older binary on newer schema: %v, want a refusal", err)
			}
		})
	}
}
