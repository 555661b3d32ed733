package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// member adds an active control owner called name to the organization and
// returns their user ID; their email is the name's first word at the
// organization's domain.
func member(t *testing.T, db *DB, orgID int64, name string) int64 {
	t.Helper()
	return memberAs(t, db, orgID, name, attest.RoleControlOwner)
}

func memberAs(t *testing.T, db *DB, orgID int64, name, role string) int64 {
	t.Helper()
	first, _, _ := strings.Cut(strings.ToLower(name), " ")
	u := &attest.User{OrgID: orgID, Email: fmt.Sprintf("%s@org%d.example", first, orgID), Name: name, Role: role, Active: true}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u.ID
}
