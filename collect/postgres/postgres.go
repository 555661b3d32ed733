// Package postgres collects a PostgreSQL server's security settings (TLS,
// password hashing, connection and statement logging, WAL archiving as the
// visible sign of backups) and its roles (superusers, who can log in,
// passwords still hashed with MD5).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Kind is the "postgres" integration.
var Kind = collect.Kind{
	Name:  "postgres",
	Title: "PostgreSQL",
	Fields: []collect.Field{
		{Name: "host", Label: "Host", Required: true, Help: "Name or address of the server."},
		{Name: "port", Label: "Port", Default: "5432"},
		{Name: "database", Label: "Database", Default: "postgres"},
		{Name: "user", Label: "User", Required: true, Help: "A superuser, or a member of pg_read_all_settings to see every setting."},
		{Name: "password", Label: "Password", Secret: true},
		{Name: "sslmode", Label: "TLS mode", Default: "prefer", Help: "disable, prefer, require, verify-ca or verify-full."},
	},
	ResourceTypes: []string{"postgres.server", "postgres.role"},
	New:           newCollector,
}

var sslmodes = map[string]bool{"disable": true, "allow": true, "prefer": true, "require": true, "verify-ca": true, "verify-full": true}

type collector struct {
	cfg  *pgx.ConnConfig
	addr string
	now  func() time.Time
}

func newCollector(cfg collect.Config) (collect.Collector, error) {
	s := cfg.Settings
	host := strings.TrimSpace(s["host"])
	if host == "" {
		return nil, errors.New("host: required")
	}
	port := s["port"]
	if port == "" {
		port = "5432"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("port: want a number from 1 to 65535, got %q", port)
	}
	if s["user"] == "" {
		return nil, errors.New("user: required")
	}
	mode := s["sslmode"]
	if mode == "" {
		mode = "prefer"
	}
	if !sslmodes[mode] {
		return nil, fmt.Errorf("sslmode: %q is not one of disable, allow, prefer, require, verify-ca, verify-full", mode)
	}
	db := s["database"]
	if db == "" {
		db = "postgres"
	}
	// The password goes in the parsed configuration, never in a string
	// that an error could echo.
	pc, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%s dbname=%s user=%s sslmode=%s connect_timeout=10",
		quote(host), port, quote(db), quote(s["user"]), mode))
	if err != nil {
		return nil, fmt.Errorf("host, database or user: %v", err)
	}
	pc.Password = cfg.Secrets["password"]
	pc.DialFunc = cfg.NetDialer().DialContext // the operator's network guard
	return &collector{cfg: pc, addr: net.JoinHostPort(host, port), now: cfg.Clock()}, nil
}

func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// connect opens a connection and turns failures into the shared kinds.
func (c *collector) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, c.cfg)
	if err == nil {
		return conn, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("postgres %s: %w", c.addr, ctx.Err())
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "28P01" || pgErr.Code == "28000":
			return nil, fmt.Errorf("postgres %s: %w: %s", c.addr, collect.ErrCredentials, pgErr.Message)
		case pgErr.Code == "3D000":
			return nil, fmt.Errorf("postgres %s: database: %s", c.addr, pgErr.Message)
		}
		return nil, fmt.Errorf("postgres %s: %s (%s)", c.addr, pgErr.Message, pgErr.Code)
	}
	var netErr net.Error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &opErr) || errors.As(err, &dnsErr) || errors.As(err, &netErr) {
		return nil, fmt.Errorf("postgres %s: %w: %s", c.addr, collect.ErrUnreachable, rootCause(err))
	}
	return nil, fmt.Errorf("postgres %s: connect: %w: %s", c.addr, collect.ErrUnreachable, rootCause(err))
}

// rootCause is the innermost message, without pgx's restatement of the
// connection parameters.
func rootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// Test connects and runs a trivial query.
func (c *collector) Test(ctx context.Context) error {
	conn, err := c.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.Ping(ctx)
}

func (c *collector) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres %s: %w", c.addr, err)
	}
	conn, err := c.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	now := c.now()
	server, err := c.server(ctx, conn)
	if err != nil {
		return err
	}
	if err := emit(collect.Resource{Type: "postgres.server", ID: c.addr, Name: c.addr, Attributes: server, CollectedAt: now}); err != nil {
		return err
	}
	return c.roles(ctx, conn, now, emit)
}
