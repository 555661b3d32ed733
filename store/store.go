// Package store is the only package that speaks SQL. One implementation
// serves SQLite (the embedded default, through a pure-Go driver) and
// PostgreSQL (through pgx); the differences between them live in dialect.go
// and in the per-dialect migrations.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/attest-dev/attest"
)

// timeGranularity is how stale a token's last-used time may get before it
// is written again, so busy tokens do not write on every request.
const timeGranularity = time.Minute

// Config says which database to open.
type Config struct {
	// DatabaseURL, when it starts with postgres:// or postgresql://, selects
	// PostgreSQL. Otherwise SQLite is used.
	DatabaseURL string
	// DataDir holds the SQLite database file (attest.db); it is created if
	// missing.
	DataDir string
	// PolicyTemplates name the controls that need a policy in force before
	// they count as implemented (see attest.PolicyGates); the organization's
	// own policies add to them.
	PolicyTemplates []*attest.PolicyTemplate
}

// DB is an open Attest database. It implements the domain's service
// interfaces; every method is scoped to one organization.
type DB struct {
	db      *sql.DB
	dialect *dialect
	fw      *attest.Framework
	// stopCheckpoints ends the SQLite checkpoints (sqlite.go), which
	// close checkpointsDone when they have.
	stopCheckpoints chan struct{}
	checkpointsDone chan struct{}
	// writer queues this process's SQLite write transactions (see tx).
	writer sync.Mutex
	// touches holds when each session's activity was last written, by
	// ID hash (TouchSession).
	touches sync.Map
	// heads holds the audit head of each change under way, by transaction.
	heads sync.Map
	// conns holds the connection of each PostgreSQL transaction under
	// way, for what database/sql cannot send through a transaction: COPY
	// (copyFrom).
	conns sync.Map
	// group queues each organization's changes on PostgreSQL to be
	// committed together (group_commit.go).
	group groupCommitter
	// derive keeps the state of derived figures (derived.go).
	derive deriver
	// scores keeps each engagement's trend until readiness is derived again.
	scores scoresCache
	// controls keeps each organization's controls until a control changes.
	controls  controlsCache
	templates []*attest.PolicyTemplate
	// standings keeps each organization's policy standings until a policy,
	// user or the settings change, or the day does.
	standings standingsCache
	// reads keeps reads of a signed-in page under the versions they were
	// made from (readcache.go).
	reads readCaches
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// BackgroundShare is the most of its time a long background write
	// (storing a collection's resources and check results) spends
	// writing while this process serves pages: it pauses for the rest
	// between its short transactions, so pages stay fast while it runs.
	// With no page being served it writes flat out, as it does at 1.
	BackgroundShare float64
	// serving counts the requests being served, served those ever begun,
	// and pacedAt is served at the last pause (pace.go).
	serving, served, pacedAt atomic.Int64
}

var (
	_ attest.ControlService      = (*DB)(nil)
	_ attest.EngagementService   = (*DB)(nil)
	_ attest.TaskService         = (*DB)(nil)
	_ attest.ReadinessService    = (*DB)(nil)
	_ attest.OrganizationService = (*DB)(nil)
)

// Open opens the database the config names, applies pending migrations and
// brings every organization's control library up to date with fw. A
// migration that fails is rolled back and Open returns an error saying so.
func Open(ctx context.Context, cfg Config, fw *attest.Framework) (*DB, error) {
	d, dsn, err := dialectFor(cfg)
	if err != nil {
		return nil, err
	}
	if d.name == "sqlite" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	sqldb, err := d.open(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d.name, err)
	}
	d.configure(sqldb)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d.name, err)
	}
	if err := migrate(ctx, sqldb, d, d.migrations()); err != nil {
		sqldb.Close()
		return nil, err
	}
	s := &DB{db: sqldb, dialect: d, fw: fw, templates: cfg.PolicyTemplates, Now: func() time.Time { return time.Now().UTC() }, BackgroundShare: DefaultBackgroundShare}
	if d == sqliteDialect {
		s.stopCheckpoints, s.checkpointsDone = make(chan struct{}), make(chan struct{})
		go checkpoints(sqldb, checkpointInterval, s.stopCheckpoints, s.checkpointsDone)
	}
	orgs, err := s.FindOrganizations(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	for _, o := range orgs {
		if err := s.change(ctx, o.ID, func(tx *sql.Tx) error { return s.syncLibrary(ctx, tx, o.ID) }); err != nil {
			s.Close()
			return nil, fmt.Errorf("update control library: %w", err)
		}
	}
	return s, nil
}

// SQLitePath returns the path of the SQLite file for a data directory.
func SQLitePath(dataDir string) string { return filepath.Join(dataDir, "attest.db") }

// Close stops pending requests for derived figures and closes the
// database.
func (s *DB) Close() error {
	s.closeDeriver()
	if s.stopCheckpoints != nil {
		close(s.stopCheckpoints)
		<-s.checkpointsDone
	}
	return s.db.Close()
}

// Dialect returns "sqlite" or "postgres".
func (s *DB) Dialect() string { return s.dialect.name }

// SQL returns the database handle, for the job queue, which keeps its own
// tables in the same database so that jobs and data share one backup and
// one transaction boundary.
func (s *DB) SQL() *sql.DB { return s.db }

// Framework returns the framework the store validates against.
func (s *DB) Framework() *attest.Framework { return s.fw }

func (s *DB) now() time.Time { return s.Now().UTC() }

func (s *DB) today() attest.Date { return attest.DateOf(s.now()) }

// q rewrites a query written with ? placeholders for the dialect.
func (s *DB) q(query string) string { return s.dialect.rebind(query) }

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tx runs fn in a transaction, committing if it returns nil. On SQLite,
// one writer holds the database at a time; this process's writers queue
// for it here, where the next one starts as soon as the last commits,
// rather than in SQLite's busy handler, which polls with sleeps of up to
// 100 ms (writers of other processes still wait there).
func (s *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.dialect == sqliteDialect {
		s.writer.Lock()
		defer s.writer.Unlock()
	}
	var (
		tx  *sql.Tx
		err error
	)
	if s.dialect == postgresDialect {
		var conn *sql.Conn
		if conn, err = s.db.Conn(ctx); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer conn.Close() // back to the pool, after the commit or rollback below
		if tx, err = conn.BeginTx(ctx, nil); err == nil {
			defer tx.Rollback() // does nothing after a commit; ends the transaction before the connection goes back on a panic
			s.conns.Store(tx, conn)
			defer s.conns.Delete(tx)
		}
	} else {
		tx, err = s.db.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.dialect.normalize(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// insertID runs an INSERT … RETURNING id and returns the id.
func (s *DB) insertID(ctx context.Context, x queryer, query string, args ...any) (int64, error) {
	var id int64
	if err := x.QueryRowContext(ctx, s.q(query+" RETURNING id"), args...).Scan(&id); err != nil {
		return 0, s.dialect.normalize(err)
	}
	return id, nil
}

// jsonText encodes v for a JSON text column.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err)) // only our own types reach here
	}
	return string(b)
}

// fromJSON decodes a JSON text column into v.
func fromJSON(s string, v any) error {
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode stored JSON: %w", err)
	}
	return nil
}

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner = interface{ Scan(dest ...any) error }

// queryAll runs a query and scans every row with scan; what names the
// operation in errors. It returns an empty slice, never nil, for no rows.
func queryAll[T any](ctx context.Context, x queryer, what string, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := x.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
