package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// SQLite parses and plans every statement that database/sql runs without
// preparing it first, which is most of the time a short write takes: each
// SQLite connection therefore keeps the statements it ran prepared, by
// their text, and runs them again without parsing. (PostgreSQL's driver,
// pgx, caches prepared statements itself.)

// maxCachedStmts bounds each connection's prepared statements; queries
// built with varying text (limits, IN lists) would otherwise pile up.
const maxCachedStmts = 256

// openSQLite opens a SQLite database whose connections keep their
// statements.
func openSQLite(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&sqliteConnector{c}), nil
}

// sqliteConnector opens SQLite connections that keep their statements.
type sqliteConnector struct{ driver.Connector }

func (c *sqliteConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &stmtConn{Conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

// stmtConn is a SQLite connection with its prepared statements. database/sql
// uses a connection from one goroutine at a time, so it needs no lock.
type stmtConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	stmt driver.Stmt
	busy bool // its rows are open: a second use of the text prepares anew
}

var (
	_ driver.ExecerContext      = (*stmtConn)(nil)
	_ driver.QueryerContext     = (*stmtConn)(nil)
	_ driver.ConnBeginTx        = (*stmtConn)(nil)
	_ driver.ConnPrepareContext = (*stmtConn)(nil)
	_ driver.Pinger             = (*stmtConn)(nil)
	_ driver.SessionResetter    = (*stmtConn)(nil)
	_ driver.Validator          = (*stmtConn)(nil)
)

// cached returns the connection's prepared statement for query, marked
// busy, or nil when the query is not one to keep (a script of several
// statements) or the statement is in use.
func (c *stmtConn) cached(ctx context.Context, query string) (*cachedStmt, error) {
	if strings.Contains(query, ";") {
		return nil, nil
	}
	cs := c.stmts[query]
	if cs != nil {
		if cs.busy {
			return nil, nil
		}
		cs.busy = true
		return cs, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(c.stmts) >= maxCachedStmts {
		c.dropIdle()
	}
	cs = &cachedStmt{stmt: st, busy: true}
	c.stmts[query] = cs
	return cs, nil
}

// dropIdle closes the statements not in use.
func (c *stmtConn) dropIdle() {
	for q, cs := range c.stmts {
		if !cs.busy {
			cs.stmt.Close()
			delete(c.stmts, q)
		}
	}
}

func (c *stmtConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.cached(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	defer func() { cs.busy = false }()
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *stmtConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.cached(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		cs.busy = false
		return nil, err
	}
	return &cachedRows{Rows: rows, stmt: cs}, nil
}

func (c *stmtConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *stmtConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *stmtConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *stmtConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *stmtConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

func (c *stmtConn) Close() error {
	var errs []error
	for q, cs := range c.stmts {
		errs = append(errs, cs.stmt.Close())
		delete(c.stmts, q)
	}
	return errors.Join(append(errs, c.Conn.Close())...)
}

// cachedRows frees its statement for the next use when closed.
type cachedRows struct {
	driver.Rows
	stmt *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.stmt.busy = false
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

// checkpointInterval is how often the SQLite write-ahead log is copied
// back into the database file.
const checkpointInterval = time.Second

// checkpoints copies the write-ahead log into the database file every
// interval, in the background, until stop is closed. SQLite would
// otherwise do it inside whichever commit finds the log long (every
// thousand pages or so), with a sync of the file, while that writer holds
// the database: the writes queued behind it would all wait. The DSN turns
// that automatic checkpoint off (wal_autocheckpoint(0)). A passive
// checkpoint waits for no one and stops no one.
func checkpoints(db *sql.DB, interval time.Duration, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`) // best effort: the next tick tries again
		}
	}
}
