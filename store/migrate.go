package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrationFiles embed.FS

// migrate applies pending migrations from fsys with goose. Each migration
// runs in its own transaction, so one that fails leaves the database as it
// was before it. On PostgreSQL a session lock keeps two processes from
// migrating at once. A database newer than this binary is refused.
func migrate(ctx context.Context, db *sql.DB, d *dialect, fsys fs.FS) error {
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if d == postgresDialect {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d.goose, db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > target {
		return fmt.Errorf("the database schema is at version %d, newer than this attest binary knows (%d): upgrade attest", current, target)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate the %s database (it was left at the last good version; nothing of the failed step was kept): %w", d.name, err)
	}
	return nil
}
