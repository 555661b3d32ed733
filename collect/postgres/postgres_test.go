package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/conformance"
	"github.com/attest-dev/attest/collect/postgres"
	"github.com/jackc/pgx/v5"
)

// server returns the settings for the test server named by
// ATTEST_TEST_POSTGRES, or skips.
func server(t *testing.T) (map[string]string, *pgx.Conn) {
	t.Helper()
	dsn := os.Getenv("ATTEST_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("ATTEST_TEST_POSTGRES is not set")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	host, port, _ := net.SplitHostPort(u.Host)
	return map[string]string{"host": host, "port": port, "user": u.User.Username(), "database": strings.TrimPrefix(u.Path, "/"), "sslmode": "disable"}, conn
}

func exec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestConformance(t *testing.T) {
	settings, _ := server(t)
	secrets := map[string]string{"password": "hunter2-not-shown"}
	closed := freePort(t)
	bad := map[string]string{}
	for k, v := range settings {
		bad[k] = v
	}
	bad["user"] = "attest_no_such_role"
	unreach := map[string]string{}
	for k, v := range settings {
		unreach[k] = v
	}
	unreach["port"] = closed
	conformance.RunService(t, conformance.Service{
		Kind:             postgres.Kind,
		Good:             collect.Config{Settings: settings, Secrets: secrets},
		Want:             2,
		Unreachable:      &collect.Config{Settings: unreach, Secrets: secrets},
		WrongCredentials: &collect.Config{Settings: bad, Secrets: secrets},
	})
}

// TestRoles creates a superuser, a login role with an MD5 password and a
// SCRAM one, and reads them back.
func TestRoles(t *testing.T) {
	settings, conn := server(t)
	b := make([]byte, 4)
	rand.Read(b)
	sfx := hex.EncodeToString(b)
	names := map[string]string{"super": "attest_t_super_" + sfx, "md5": "attest_t_md5_" + sfx, "scram": "attest_t_scram_" + sfx}
	t.Cleanup(func() {
		for _, n := range names {
			conn.Exec(context.Background(), "DROP ROLE IF EXISTS "+n)
		}
	})
	exec(t, conn, "CREATE ROLE "+names["super"]+" SUPERUSER NOLOGIN")
	exec(t, conn, "SET password_encryption = 'md5'")
	exec(t, conn, "CREATE ROLE "+names["md5"]+" LOGIN PASSWORD 'old-style-1'")
	exec(t, conn, "SET password_encryption = 'scram-sha-256'")
	exec(t, conn, "CREATE ROLE "+names["scram"]+" LOGIN PASSWORD 'new-style-1' IN ROLE "+names["super"])

	rs, err := conformance.Run(t.Context(), t, postgres.Kind, collect.Config{Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]collect.Resource{}
	for _, r := range rs {
		byName[r.Name] = r
	}
	tests := []struct {
		role                   string
		super, login, md5, set bool
	}{
		{names["super"], true, false, false, false},
		{names["md5"], false, true, true, true},
		{names["scram"], false, true, false, true},
	}
	for _, tt := range tests {
		r, ok := byName[tt.role]
		if !ok {
			t.Fatalf("role %s not collected", tt.role)
		}
		a := r.Attributes
		if a["superuser"] != tt.super || a["can_login"] != tt.login || a["password_md5"] != tt.md5 || a["password_set"] != tt.set {
			t.Errorf("%s: %v", tt.role, a)
		}
	}
	if m := byName[names["scram"]].Attributes["member_of"].([]any); len(m) != 1 || m[0] != names["super"] {
		t.Errorf("member_of = %v", m)
	}
	srv := rs[0]
	if srv.Type != "postgres.server" {
		t.Fatalf("first resource %s, want the server", srv.Type)
	}
	for _, k := range []string{"ssl", "password_encryption", "log_connections", "log_disconnections", "log_statement", "ssl_required", "backups_visible"} {
		if _, ok := srv.Attributes[k]; !ok {
			t.Errorf("server lacks %s: %v", k, srv.Attributes)
		}
	}
	if srv.Attributes["password_encryption"] != "scram-sha-256" || srv.Attributes["ssl_required"] != false {
		t.Errorf("server: %v (the test server uses SCRAM and trusts plain TCP)", srv.Attributes)
	}
	if _, ok := srv.Attributes["archive_command"]; ok {
		t.Error("archive_command is emitted; it may hold a credential")
	}
}

func TestSettingsValidated(t *testing.T) {
	tests := map[string]map[string]string{
		"host":    {"user": "u"},
		"user":    {"host": "h"},
		"port":    {"host": "h", "user": "u", "port": "99999"},
		"sslmode": {"host": "h", "user": "u", "sslmode": "sometimes"},
	}
	for field, s := range tests {
		_, err := postgres.Kind.New(collect.Config{Settings: s, Secrets: map[string]string{"password": "pw-secret"}})
		if err == nil || !strings.HasPrefix(err.Error(), field) || strings.Contains(err.Error(), "pw-secret") {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	return p
}

// TestNetworkGuard: the collector dials through the operator's guard.
func TestNetworkGuard(t *testing.T) {
	settings, _ := server(t)
	conformance.Guarded(t, postgres.Kind, collect.Config{Settings: settings})
}
