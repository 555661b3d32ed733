// Package mysql collects a MySQL or MariaDB server's security settings
// (TLS required, general and audit logging, binary log, local_infile) and
// its accounts (authentication plugin, SUPER, all privileges, grant
// option, empty passwords, accounts open to any host).
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
	driver "github.com/go-sql-driver/mysql"
)

// Kind is the "mysql" integration (MySQL and MariaDB).
var Kind = collect.Kind{
	Name:  "mysql",
	Title: "MySQL / MariaDB",
	Fields: []collect.Field{
		{Name: "host", Label: "Host", Required: true},
		{Name: "port", Label: "Port", Default: "3306"},
		{Name: "user", Label: "User", Required: true, Help: "An account that may read mysql.user and the global variables."},
		{Name: "password", Label: "Password", Secret: true},
		{Name: "tls", Label: "TLS", Default: "preferred", Help: "false, preferred, true (verified) or skip-verify."},
	},
	ResourceTypes: []string{"mysql.server", "mysql.user"},
	New:           newCollector,
}

type collector struct {
	cfg  *driver.Config
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
		port = "3306"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("port: want a number from 1 to 65535, got %q", port)
	}
	if s["user"] == "" {
		return nil, errors.New("user: required")
	}
	tls := s["tls"]
	if tls == "" {
		tls = "preferred"
	}
	if tls != "false" && tls != "true" && tls != "preferred" && tls != "skip-verify" {
		return nil, fmt.Errorf("tls: %q is not one of false, preferred, true, skip-verify", tls)
	}
	dc := driver.NewConfig()
	dc.Net = "tcp"
	dc.Addr = net.JoinHostPort(host, port)
	dc.User = s["user"]
	dc.Passwd = cfg.Secrets["password"]
	dc.Timeout = 10 * time.Second
	dc.ReadTimeout = 60 * time.Second
	dc.TLSConfig = tls
	dc.AllowNativePasswords = true
	dc.DialFunc = cfg.NetDialer().DialContext // the operator's network guard
	dc.Logger = driver.Logger(nopLogger{})    // the driver logs to stderr otherwise
	return &collector{cfg: dc, addr: dc.Addr, now: cfg.Clock()}, nil
}

type nopLogger struct{}

func (nopLogger) Print(...any) {}

// open connects and turns failures into the shared kinds.
func (c *collector) open(ctx context.Context) (*sql.DB, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("mysql %s: %w", c.addr, err)
	}
	conn, err := driver.NewConnector(c.cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql %s: %v", c.addr, err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, c.fail(ctx, "connect", err)
	}
	return db, nil
}

func (c *collector) fail(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("mysql %s: %w", c.addr, ctx.Err())
	}
	var me *driver.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1045, 1698, 1044:
			return fmt.Errorf("mysql %s: %w: %s", c.addr, collect.ErrCredentials, me.Message)
		}
		return fmt.Errorf("mysql %s: %s: %s (%d)", c.addr, what, me.Message, me.Number)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrInvalidConn) {
		return fmt.Errorf("mysql %s: %w: %v", c.addr, collect.ErrUnreachable, err)
	}
	return fmt.Errorf("mysql %s: %s: %v", c.addr, what, err)
}

// Test connects and pings.
func (c *collector) Test(ctx context.Context) error {
	db, err := c.open(ctx)
	if err != nil {
		return err
	}
	return db.Close()
}

func (c *collector) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	db, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	now := c.now()
	server, err := c.server(ctx, db)
	if err != nil {
		return err
	}
	if err := emit(collect.Resource{Type: "mysql.server", ID: c.addr, Name: c.addr, Attributes: server, CollectedAt: now}); err != nil {
		return err
	}
	return c.users(ctx, db, now, emit)
}
