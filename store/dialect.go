package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything that differs between SQLite and PostgreSQL.
type dialect struct {
	name   string
	driver string
	goose  goose.Dialect
	// forUpdate ends a SELECT that locks the rows it reads until the
	// transaction ends. SQLite has no row locks and needs none: its
	// transactions are IMMEDIATE, so one writer holds the database.
	forUpdate string
}

var (
	sqliteDialect   = &dialect{name: "sqlite", driver: "sqlite", goose: goose.DialectSQLite3}
	postgresDialect = &dialect{name: "postgres", driver: "pgx", goose: goose.DialectPostgres, forUpdate: " FOR UPDATE"}
)

// dialectFor picks the dialect and data source name for a config.
func dialectFor(cfg Config) (*dialect, string, error) {
	u := cfg.DatabaseURL
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return postgresDialect, u, nil
	case u != "":
		return nil, "", attest.Errorf(attest.EINVALID, "database URL must start with postgres:// or postgresql:// (leave it empty for the embedded SQLite database)")
	case cfg.DataDir == "":
		return nil, "", attest.Errorf(attest.EINVALID, "a data directory is required for the embedded database")
	}
	// WAL lets readers work while one writer writes; IMMEDIATE transactions
	// take the write lock up front so concurrent writers wait instead of
	// failing on lock upgrade; foreign keys are off by default in SQLite.
	// Times are read back in UTC, not in a zone made up from the offset.
	// The log is checkpointed in the background (see checkpoints), not by
	// whichever commit finds it long.
	dsn := "file:" + SQLitePath(cfg.DataDir) +
		"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint(0)&_txlock=immediate&_time_format=sqlite&_timezone=UTC"
	return sqliteDialect, dsn, nil
}

// open opens the database. On PostgreSQL, timestamptz values are scanned in
// UTC rather than in the server process's local zone, as SQLite does.
func (d *dialect) open(dsn string) (*sql.DB, error) {
	if d != postgresDialect {
		return openSQLite(dsn)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID, Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	})), nil
}

func (d *dialect) configure(db *sql.DB) {
	if d == sqliteDialect {
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
		return
	}
	// A few connections per core: past that, requests only queue inside
	// PostgreSQL, where each waiting backend is another process competing
	// for the cores with the server (measured with BenchmarkPages: 8 gave
	// more pages a second and a lower p99 than 20 on two cores).
	n := min(max(4*runtime.GOMAXPROCS(0), 8), 32)
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n) // as many as may be open: closing and reopening PostgreSQL connections under load costs a backend process each time
}

// migrations returns the dialect's migration files.
func (d *dialect) migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations/"+d.name)
	if err != nil {
		panic(err) // the directory is embedded
	}
	return sub
}

// joinText is the aggregate that joins a text column's values with commas.
func (d *dialect) joinText(column string) string {
	if d == postgresDialect {
		return "string_agg(" + column + ", ',')"
	}
	return "group_concat(" + column + ", ',')"
}

// rebind turns ? placeholders into $1, $2, … for PostgreSQL. Queries in this
// package never contain a literal question mark.
func (d *dialect) rebind(q string) string {
	if d != postgresDialect || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// normalize turns driver errors with a domain meaning into domain errors.
func (d *dialect) normalize(err error) error {
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return attest.Errorf(attest.ECONFLICT, "that already exists")
		case "23503":
			return attest.Errorf(attest.EINVALID, "it refers to something that does not exist")
		case "23514":
			return attest.Errorf(attest.EINVALID, "the value breaks a rule: %s", pg.ConstraintName)
		}
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return attest.Errorf(attest.ECONFLICT, "that already exists")
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return attest.Errorf(attest.EINVALID, "it refers to something that does not exist")
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return attest.Errorf(attest.EINVALID, "the value breaks a rule of the database")
		}
	}
	return err
}

// earlierDay is the SQL for the UTC calendar day (YYYY-MM-DD) of the
// earlier of two timestamp columns: reading a day as text spares parsing
// two timestamps a row where only the day matters.
func (d *dialect) earlierDay(a, b string) string {
	if d.name == "postgres" {
		return "to_char(LEAST(" + a + ", " + b + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "substr(min(" + a + ", " + b + "), 1, 10)"
}
