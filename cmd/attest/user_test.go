package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/store"
)

func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	c := &cli{t, []string{"--data", dir}}
	c.ok(nil, "init")
	out := c.ok(nil, "user", "create", "--email", "Ana@Example.com", "--name", "Ana", "--role", "auditor")
	pw := regexp.MustCompile(`shown only now: (\S+)`).FindStringSubmatch(out)
	if pw == nil {
		t.Fatalf("user create printed no password: %s", out)
	}
	c.fails(2, "already exists", "user", "create", "--email", "ana@example.com")
	c.fails(2, "unknown role", "user", "create", "--email", "bo@example.com", "--role", "superuser")
	var users []map[string]any
	c.ok(&users, "user", "list", "--json")
	if len(users) != 2 || users[1]["email"] != "ana@example.com" || users[1]["role"] != "auditor" {
		t.Fatalf("user list: %v", users)
	}
	for _, u := range users {
		if _, leaked := u["password_hash"]; leaked {
			t.Fatal("user list shows password hashes")
		}
	}
	out = c.ok(nil, "user", "passwd", "ana@example.com")
	pw2 := regexp.MustCompile(`shown only now: (\S+)`).FindStringSubmatch(out)
	if pw2 == nil || pw2[1] == pw[1] {
		t.Fatalf("user passwd: %s", out)
	}
	c.fails(2, "no user", "user", "passwd", "nobody@example.com")
	c.ok(nil, "user", "reset-mfa", "ana@example.com")

	db, err := store.Open(context.Background(), store.Config{DataDir: dir}, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.FindUserByEmail(context.Background(), "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !attest.CheckPassword(u.PasswordHash, pw2[1]) || attest.CheckPassword(u.PasswordHash, pw[1]) {
		t.Error("the stored hash does not match the new password only")
	}
	entries, err := db.FindAuditLog(context.Background(), u.OrgID, attest.AuditFilter{Action: "user.password"})
	if err != nil || len(entries) != 1 || !strings.HasPrefix(entries[0].Actor, "cli") {
		t.Errorf("audit of the password reset: %v %v", entries, err)
	}
}
