package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/store"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// target is one database under test, opened the way the application opens
// it, so River shares the file or server with the store's own tables.
type target struct {
	name string
	cfg  store.Config
	db   *sql.DB
}

// targets opens a fresh SQLite database and, when ATTEST_TEST_POSTGRES is
// set, a fresh PostgreSQL database. ATTEST_REQUIRE_POSTGRES=1 turns a
// missing server into a failure, for CI.
func targets(t *testing.T) []target {
	t.Helper()
	if os.Getenv(testdb.EnvPostgres) == "" && os.Getenv("ATTEST_REQUIRE_POSTGRES") == "1" {
		t.Fatalf("ATTEST_REQUIRE_POSTGRES=1 but %s is not set", testdb.EnvPostgres)
	}
	var out []target
	for _, tg := range testdb.Targets(t) {
		cfg := store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL}
		out = append(out, target{name: tg.Name, cfg: cfg, db: openStore(t, cfg)})
	}
	return out
}

// postgresOnly returns a fresh PostgreSQL target, or skips.
func postgresOnly(t *testing.T) target {
	t.Helper()
	for _, tg := range targets(t) {
		if tg.name == "postgres" {
			return tg
		}
	}
	t.Skipf("%s is not set", testdb.EnvPostgres)
	return target{}
}

// openStore opens the database through the store, applying its migrations,
// and creates the tables the test workers record into.
func openStore(t testing.TB, cfg store.Config) *sql.DB {
	t.Helper()
	s, err := store.Open(context.Background(), cfg, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, ddl := range []string{
		// runs counts each job's executions: n > 1 means it ran twice.
		`CREATE TABLE IF NOT EXISTS runs (job_id BIGINT PRIMARY KEY, kind TEXT NOT NULL, pid INTEGER NOT NULL, n INTEGER NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS started (job_id BIGINT PRIMARY KEY, pid INTEGER NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS ready (pid INTEGER PRIMARY KEY)`,
		`CREATE TABLE IF NOT EXISTS app_writes (id INTEGER PRIMARY KEY, note TEXT NOT NULL)`,
	} {
		if _, err := s.SQL().Exec(ddl); err != nil {
			t.Fatal(err)
		}
	}
	return s.SQL()
}

func (tg target) dialect() string {
	if tg.cfg.DatabaseURL != "" {
		return "postgres"
	}
	return "sqlite"
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, ….
func rebind(dialect, query string) string {
	if dialect != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fastRetry retries after 20 ms, so tests of backoff take milliseconds.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(20 * time.Millisecond) }

// testConfig is a Config for in-process tests: quick polling and retries.
func testConfig(db *sql.DB, dialect string) Config {
	return Config{
		Workers:      testWorkers(db, dialect),
		Concurrency:  4,
		PollInterval: 50 * time.Millisecond,
		RetryPolicy:  fastRetry{},
		Permanent:    func(err error) bool { return errors.Is(err, errPermanent) },
	}
}

// startQueue makes and starts a queue that stops when the test ends.
func startQueue(t *testing.T, db *sql.DB, dialect string, cfg Config) *Queue {
	t.Helper()
	q := newQueue(t, db, dialect, cfg)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return q
}

func newQueue(t *testing.T, db *sql.DB, dialect string, cfg Config) *Queue {
	t.Helper()
	q, err := New(context.Background(), db, dialect, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// count runs a SELECT count(*) query.
func count(db *sql.DB, dialect, query string, args ...any) (int, error) {
	var n int
	err := db.QueryRow(rebind(dialect, query), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", query, err)
	}
	return n, nil
}

// countAtLeast is a waitFor condition: the query counts at least want.
func countAtLeast(db *sql.DB, dialect string, want int, query string, args ...any) func() (bool, error) {
	return func() (bool, error) {
		n, err := count(db, dialect, query, args...)
		return n >= want, err
	}
}

// jobStates returns kind's jobs' states and attempts by job ID.
func jobStates(t *testing.T, q *Queue, kind string) map[int64]*rivertype.JobRow {
	t.Helper()
	res, err := q.client.JobList(context.Background(), river.NewJobListParams().Kinds(kind).First(1000))
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]*rivertype.JobRow{}
	for _, j := range res.Jobs {
		out[j.ID] = j
	}
	return out
}

// openDB opens the target's store as the application does, closed
// when the test ends.
func openDB(t *testing.T, tg testdb.Target) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL}, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openOrg is openDB with one organization "Acme" in the store.
func openOrg(t *testing.T, tg testdb.Target) (*store.DB, *attest.Organization) {
	t.Helper()
	db := openDB(t, tg)
	o := &attest.Organization{Name: "Acme"}
	if err := db.CreateOrganization(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return db, o
}
