package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// settings read from pg_settings; booleans come back as on/off.
var settings = []string{
	"ssl", "ssl_min_protocol_version", "password_encryption", "log_connections", "log_disconnections",
	"log_statement", "log_min_duration_statement", "archive_mode", "archive_command", "wal_level", "server_version",
}

var boolSettings = map[string]bool{"ssl": true, "log_connections": true, "log_disconnections": true}

func (c *collector) fail(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("postgres %s: %w", c.addr, ctx.Err())
	}
	return fmt.Errorf("postgres %s: %s: %w", c.addr, what, err)
}

// server reads the server-wide settings.
func (c *collector) server(ctx context.Context, conn *pgx.Conn) (map[string]any, error) {
	rows, err := conn.Query(ctx, `SELECT name, setting FROM pg_settings WHERE name = ANY($1)`, settings)
	if err != nil {
		return nil, c.fail(ctx, "read settings", err)
	}
	kv, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var kv [2]string
		return kv, r.Scan(&kv[0], &kv[1])
	})
	if err != nil {
		return nil, c.fail(ctx, "read settings", err)
	}
	a := map[string]any{}
	for _, s := range settings {
		if !boolSettings[s] {
			a[s] = nil // hidden from this user
		}
	}
	for _, e := range kv {
		if boolSettings[e[0]] {
			a[e[0]] = e[1] == "on"
		} else {
			a[e[0]] = e[1]
		}
	}
	for s := range boolSettings {
		if _, ok := a[s]; !ok {
			a[s] = false
		}
	}
	a["archive_command_set"] = a["archive_command"] != nil && a["archive_command"] != "" && a["archive_command"] != "(disabled)"
	delete(a, "archive_command") // may hold a storage credential
	a["backups_visible"] = a["archive_mode"] == "on" || a["archive_mode"] == "always"

	var connSSL bool
	if err := conn.QueryRow(ctx, `SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)`).Scan(&connSSL); err != nil {
		return nil, c.fail(ctx, "read pg_stat_ssl", err)
	}
	a["connection_ssl"] = connSSL
	a["version"] = a["server_version"]

	// ssl_required: no pg_hba.conf line lets a TCP client in without TLS.
	// Only superusers may read pg_hba_file_rules; unknown is nil.
	var plain int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_hba_file_rules WHERE type IN ('host', 'hostnossl') AND auth_method <> 'reject'`).Scan(&plain)
	switch {
	case err == nil:
		a["ssl_required"] = plain == 0
	case permissionDenied(err):
		a["ssl_required"] = nil
	default:
		return nil, c.fail(ctx, "read pg_hba_file_rules", err)
	}
	return a, nil
}

func permissionDenied(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}

const rolesQuery = `SELECT r.rolname, r.rolsuper, r.rolcanlogin, r.rolcreaterole, r.rolcreatedb, r.rolreplication,
	r.rolbypassrls, r.rolvaliduntil, %s,
	ARRAY(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid WHERE m.member = r.oid ORDER BY 1)
	FROM %s r WHERE r.rolname !~ '^pg_' ORDER BY r.rolname`

// roles emits every role but PostgreSQL's predefined pg_* ones. Password
// hashes are read from pg_authid (superusers only) to tell MD5 from
// SCRAM, and never leave this function.
func (c *collector) roles(ctx context.Context, conn *pgx.Conn, now time.Time, emit func(collect.Resource) error) error {
	rows, err := conn.Query(ctx, fmt.Sprintf(rolesQuery, "r.rolpassword", "pg_authid"))
	hashes := true
	type role struct {
		name                                             string
		super, login, createRole, createDB, repl, bypass bool
		validUntil                                       *time.Time
		password                                         *string
		memberOf                                         []string
	}
	collectRoles := func(rows pgx.Rows) ([]role, error) {
		return pgx.CollectRows(rows, func(r pgx.CollectableRow) (role, error) {
			var x role
			err := r.Scan(&x.name, &x.super, &x.login, &x.createRole, &x.createDB, &x.repl, &x.bypass, &x.validUntil, &x.password, &x.memberOf)
			return x, err
		})
	}
	var list []role
	if err == nil {
		list, err = collectRoles(rows)
	}
	if err != nil && permissionDenied(err) {
		hashes = false
		rows, err = conn.Query(ctx, fmt.Sprintf(rolesQuery, "NULL::text", "pg_roles"))
		if err == nil {
			list, err = collectRoles(rows)
		}
	}
	if err != nil {
		return c.fail(ctx, "read roles", err)
	}
	for _, r := range list {
		a := map[string]any{
			"superuser": r.super, "can_login": r.login, "create_role": r.createRole, "create_db": r.createDB,
			"replication": r.repl, "bypass_rls": r.bypass, "member_of": collect.Strings(r.memberOf),
			"valid_until": nil, "password_md5": false, "password_set": nil, "password_hash_visible": hashes,
		}
		if r.validUntil != nil {
			a["valid_until"] = r.validUntil.UTC().Format(time.RFC3339)
		}
		if hashes {
			a["password_set"] = r.password != nil
			a["password_md5"] = r.password != nil && strings.HasPrefix(*r.password, "md5")
		}
		if err := emit(collect.Resource{Type: "postgres.role", ID: c.addr + "/" + r.name, Name: r.name, Attributes: a, CollectedAt: now}); err != nil {
			return err
		}
	}
	return nil
}
