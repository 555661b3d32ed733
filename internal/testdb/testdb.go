// Package testdb gives tests databases of their own: a fresh SQLite data
// directory always, and a fresh PostgreSQL database when the environment
// variable ATTEST_TEST_POSTGRES names a server.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// EnvPostgres names the variable that points the tests at a PostgreSQL
// server, for example postgres://postgres@127.0.0.1:5432/postgres.
const EnvPostgres = "ATTEST_TEST_POSTGRES"

// Target is one database a test can run against.
type Target struct {
	// Name is "sqlite" or "postgres".
	Name string
	// DataDir is set for SQLite; DatabaseURL for PostgreSQL.
	DataDir     string
	DatabaseURL string
}

// Targets returns a new SQLite target and, when the environment names a
// server, a new PostgreSQL target; both are removed when the test ends.
func Targets(t testing.TB) []Target {
	out := []Target{{Name: "sqlite", DataDir: t.TempDir()}}
	if base := os.Getenv(EnvPostgres); base != "" {
		out = append(out, Target{Name: "postgres", DatabaseURL: Postgres(t, base)})
	}
	return out
}

// Postgres creates an empty database on the server at base, drops it when
// the test ends, and returns its URL.
func Postgres(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "attest_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
