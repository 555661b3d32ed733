package mysql_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/conformance"
	"github.com/attest-dev/attest/collect/mysql"
	driver "github.com/go-sql-driver/mysql"
)

// server returns settings for the MariaDB or MySQL server at
// ATTEST_TEST_MYSQL (host:port, user root without a password; default
// 127.0.0.1:3306), and an admin connection, or skips when none answers.
func server(t *testing.T) (map[string]string, *sql.DB) {
	t.Helper()
	addr := os.Getenv("ATTEST_TEST_MYSQL")
	if addr == "" {
		addr = "127.0.0.1:3306"
	}
	cfg := driver.NewConfig()
	cfg.Net, cfg.Addr, cfg.User = "tcp", addr, "root"
	conn, _ := driver.NewConnector(cfg)
	db := sql.OpenDB(conn)
	if err := db.PingContext(t.Context()); err != nil {
		if os.Getenv("ATTEST_REQUIRE_MYSQL") == "1" {
			t.Fatalf("no MySQL/MariaDB at %s: %v", addr, err)
		}
		t.Skipf("no MySQL/MariaDB at %s (set ATTEST_TEST_MYSQL): %v", addr, err)
	}
	t.Cleanup(func() { db.Close() })
	host, port, _ := net.SplitHostPort(addr)
	return map[string]string{"host": host, "port": port, "user": "root", "tls": "false"}, db
}

func TestConformance(t *testing.T) {
	settings, _ := server(t)
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range settings {
			m[a] = b
		}
		m[k] = v
		return m
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	_, closed, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	conformance.RunService(t, conformance.Service{
		Kind:             mysql.Kind,
		Good:             collect.Config{Settings: settings},
		Want:             2,
		Unreachable:      &collect.Config{Settings: with("port", closed)},
		WrongCredentials: &collect.Config{Settings: settings, Secrets: map[string]string{"password": "wrong-pass-visible?"}},
	})
}

func TestUsers(t *testing.T) {
	settings, db := server(t)
	b := make([]byte, 3)
	rand.Read(b)
	sfx := hex.EncodeToString(b)
	admin, app := "attest_t_admin_"+sfx, "attest_t_app_"+sfx
	t.Cleanup(func() {
		db.Exec("DROP USER IF EXISTS '" + admin + "'@'%'")
		db.Exec("DROP USER IF EXISTS '" + app + "'@'localhost'")
	})
	for _, q := range []string{
		"CREATE USER '" + admin + "'@'%' IDENTIFIED BY 'Adm1n-pass'",
		"GRANT ALL PRIVILEGES ON *.* TO '" + admin + "'@'%' WITH GRANT OPTION",
		"CREATE USER '" + app + "'@'localhost' IDENTIFIED BY 'App-pass-1' REQUIRE SSL",
		"GRANT SELECT ON mysql.* TO '" + app + "'@'localhost'",
		"ALTER USER '" + app + "'@'localhost' ACCOUNT LOCK",
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rs, err := conformance.Run(t.Context(), t, mysql.Kind, collect.Config{Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	byUser := map[string]map[string]any{}
	for _, r := range rs {
		if r.Type == "mysql.user" {
			byUser[r.Attributes["user"].(string)] = r.Attributes
		}
	}
	tests := []struct {
		user string
		want map[string]any
	}{
		{admin, map[string]any{"host": "%", "any_host": true, "super": true, "all_privileges": true, "grant_option": true, "password_empty": false, "require_ssl": false, "account_locked": false}},
		{app, map[string]any{"host": "localhost", "any_host": false, "super": false, "all_privileges": false, "grant_option": false, "password_empty": false, "require_ssl": true, "account_locked": true}},
	}
	for _, tt := range tests {
		a, ok := byUser[tt.user]
		if !ok {
			t.Fatalf("%s not collected", tt.user)
		}
		for k, v := range tt.want {
			if a[k] != v {
				t.Errorf("%s: %s = %v, want %v", tt.user, k, a[k], v)
			}
		}
		if !strings.Contains(a["auth_plugin"].(string), "password") {
			t.Errorf("%s: auth_plugin %v", tt.user, a["auth_plugin"])
		}
	}
	srv := rs[0].Attributes
	if rs[0].Type != "mysql.server" || srv["require_secure_transport"] != false || srv["general_log"] != false || srv["default_authentication_plugin"] == nil {
		t.Errorf("server: %v", srv)
	}
}

func TestSettingsValidated(t *testing.T) {
	for field, s := range map[string]map[string]string{
		"host": {"user": "u"}, "user": {"host": "h"},
		"port": {"host": "h", "user": "u", "port": "x"}, "tls": {"host": "h", "user": "u", "tls": "maybe"},
	} {
		if _, err := mysql.Kind.New(collect.Config{Settings: s}); err == nil || !strings.HasPrefix(err.Error(), field) {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

// TestNetworkGuard: the collector dials through the operator's guard.
func TestNetworkGuard(t *testing.T) {
	settings, _ := server(t)
	conformance.Guarded(t, mysql.Kind, collect.Config{Settings: settings})
}
