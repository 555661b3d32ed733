package store

import (
	"context"
	"os"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
)

// The contract suite runs every test against SQLite, and against PostgreSQL
// when ATTEST_TEST_POSTGRES names a server (for example
// postgres://postgres@127.0.0.1:5432/postgres). Each PostgreSQL test gets a
// database of its own, created and dropped by the test.

type opener struct {
	name string
	open func(t testing.TB) Config
}

// openers returns one opener per database the environment offers; each call
// of open makes a new, empty database.
func openers(t testing.TB) []opener {
	out := []opener{{"sqlite", func(t testing.TB) Config { return Config{DataDir: t.TempDir()} }}}
	if base := os.Getenv(testdb.EnvPostgres); base != "" {
		out = append(out, opener{"postgres", func(t testing.TB) Config { return Config{DatabaseURL: testdb.Postgres(t, base)} }})
	}
	return out
}

// each runs fn against a fresh, migrated database of every dialect.
func each(t *testing.T, fn func(t *testing.T, db *DB)) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			db, err := Open(context.Background(), o.open(t), catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			fn(t, db)
		})
	}
}

// newOrg creates an organization for a test.
func newOrg(t *testing.T, db *DB, name string) int64 {
	t.Helper()
	o := &attest.Organization{Name: name}
	if err := db.CreateOrganization(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// newEngagement creates a Type II engagement over the given categories.
func newEngagement(t *testing.T, db *DB, orgID int64, cats ...string) *attest.Engagement {
	t.Helper()
	e := &attest.Engagement{Name: "SOC 2 Type II", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30", Categories: cats}
	if err := db.CreateEngagement(context.Background(), orgID, e); err != nil {
		t.Fatal(err)
	}
	return e
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := attest.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

var attestFilterNone = attest.ControlFilter{}

func osMkdir(dir string) error { return os.MkdirAll(dir, 0o700) }
