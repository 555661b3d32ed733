package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
)

// variables read with SHOW GLOBAL VARIABLES; on/off ones become booleans.
var variables = map[string]bool{
	"require_secure_transport": true, "general_log": true, "log_bin": true, "local_infile": true,
	"server_audit_logging": true, "have_ssl": false, "log_output": false, "version": false,
	"tls_version": false, "default_authentication_plugin": false, "server_audit_events": false,
}

func (c *collector) server(ctx context.Context, db *sql.DB) (map[string]any, error) {
	a := map[string]any{}
	for name, isBool := range variables {
		if isBool {
			a[name] = false
		} else {
			a[name] = nil
		}
	}
	rows, err := db.QueryContext(ctx, "SHOW GLOBAL VARIABLES")
	if err != nil {
		return nil, c.fail(ctx, "read variables", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, c.fail(ctx, "read variables", err)
		}
		if isBool, ok := variables[k]; ok {
			if isBool {
				a[k] = strings.EqualFold(v, "ON") || v == "1"
			} else {
				a[k] = v
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, c.fail(ctx, "read variables", err)
	}
	// An audit plugin: MariaDB's server_audit or MySQL Enterprise's
	// audit_log, active.
	var plugin sql.NullString
	err = db.QueryRowContext(ctx, `SELECT plugin_name FROM information_schema.plugins
		WHERE plugin_name IN ('SERVER_AUDIT', 'audit_log') AND plugin_status = 'ACTIVE' LIMIT 1`).Scan(&plugin)
	if err != nil && err != sql.ErrNoRows {
		return nil, c.fail(ctx, "read plugins", err)
	}
	a["audit_plugin"] = nil
	if plugin.Valid {
		a["audit_plugin"] = plugin.String
	}
	a["audit_log_enabled"] = plugin.String == "audit_log" || (plugin.String == "SERVER_AUDIT" && a["server_audit_logging"] == true)
	a["ssl"] = a["have_ssl"] == "YES"
	if a["default_authentication_plugin"] == nil {
		if v, _ := a["version"].(string); strings.Contains(v, "MariaDB") {
			a["default_authentication_plugin"] = "mysql_native_password" // MariaDB's unless a plugin changes it
		}
	}
	return a, nil
}

// users reads mysql.user by column name, which suits both MySQL 8 (a
// table) and MariaDB 10.4+ (a view over global_priv). The password hash
// is only tested for emptiness.
func (c *collector) users(ctx context.Context, db *sql.DB, now time.Time, emit func(collect.Resource) error) error {
	locked := lockedAccounts(ctx, db)
	rows, err := db.QueryContext(ctx, "SELECT * FROM mysql.user ORDER BY User, Host")
	if err != nil {
		return c.fail(ctx, "read mysql.user", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return c.fail(ctx, "read mysql.user", err)
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return c.fail(ctx, "read mysql.user", err)
		}
		row := map[string]string{}
		all := true
		for i, col := range cols {
			v := string(vals[i])
			row[strings.ToLower(col)] = v
			if strings.HasSuffix(col, "_priv") && v != "Y" {
				all = false
			}
		}
		user, host := row["user"], row["host"]
		if row["is_role"] == "Y" {
			continue
		}
		a := map[string]any{
			"user":             user,
			"host":             host,
			"any_host":         host == "%",
			"auth_plugin":      row["plugin"],
			"super":            row["super_priv"] == "Y",
			"grant_option":     row["grant_priv"] == "Y",
			"all_privileges":   all,
			"password_empty":   row["authentication_string"] == "" && row["password"] == "" && isPasswordPlugin(row["plugin"]),
			"password_expired": row["password_expired"] == "Y",
			"account_locked":   row["account_locked"] == "Y" || locked[user+"@"+host],
			"require_ssl":      row["ssl_type"] != "",
		}
		name := fmt.Sprintf("'%s'@'%s'", user, host)
		if err := emit(collect.Resource{Type: "mysql.user", ID: c.addr + "/" + name, Name: name, Attributes: a, CollectedAt: now}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return c.fail(ctx, "read mysql.user", err)
	}
	return nil
}

// isPasswordPlugin: socket and GSSAPI accounts have no password to be
// empty.
func isPasswordPlugin(p string) bool {
	switch p {
	case "unix_socket", "auth_socket", "auth_gssapi_client", "gssapi", "auth_pam":
		return false
	}
	return true
}

// lockedAccounts reads MariaDB's account locks, kept in global_priv's
// JSON rather than in the mysql.user view; MySQL has mysql.user's
// account_locked column instead, and this query fails there harmlessly.
func lockedAccounts(ctx context.Context, db *sql.DB) map[string]bool {
	locked := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT User, Host FROM mysql.global_priv WHERE JSON_EXTRACT(Priv, '$.account_locked') = 'true'`)
	if err != nil {
		return locked
	}
	defer rows.Close()
	for rows.Next() {
		var u, h string
		if rows.Scan(&u, &h) == nil {
			locked[u+"@"+h] = true
		}
	}
	return locked
}
