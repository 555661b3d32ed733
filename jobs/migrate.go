package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateLockKey names the PostgreSQL advisory lock that lets one process at
// a time migrate River's tables. Any constant works as long as nothing else
// in the database uses it; this one spells "attestjb" in ASCII.
const migrateLockKey int64 = 0x6174746573746a62

// migrate applies River's pending migrations. rivermigrate reads the applied
// versions and then applies the rest without locking, so two processes
// starting together would both try to create the same tables; each dialect
// therefore serializes migrators first, and a migrator that waited finds
// nothing left to do.
func migrate(ctx context.Context, db *sql.DB, dialect string, logger *slog.Logger) error {
	var err error
	switch dialect {
	case "postgres":
		err = migratePostgres(ctx, db, logger)
	case "sqlite":
		err = migrateSQLite(ctx, db, logger)
	default:
		return fmt.Errorf("job queue: unknown database dialect %q", dialect)
	}
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

// migratePostgres holds a transaction-scoped advisory lock on one connection
// while River migrates on others. River applies each migration in its own
// transaction because some cannot share one, so the lock cannot live in the
// migration transaction. Ending the holding transaction (or losing its
// connection, should the process die) releases the lock.
func migratePostgres(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	lock, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer lock.Rollback()
	if _, err := lock.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	m, err := rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// migrateSQLite migrates inside one IMMEDIATE transaction, which holds
// SQLite's single write lock from its start, so a second process waits
// (busy_timeout) and then sees the finished tables. River deprecates
// MigrateTx because some PostgreSQL migrations cannot share a transaction;
// SQLite's DDL is fully transactional, so the concern does not apply, and
// the migrator's other connections could not write while this one holds
// the lock anyway.
func migrateSQLite(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	m, err := rivermigrate.New(riversqlite.New(db), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return err
	}
	if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil { //nolint:staticcheck // see above
		return err
	}
	return tx.Commit()
}
