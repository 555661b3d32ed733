package store

import (
	"context"
	"testing"

	"github.com/attest-dev/attest"
)

// TestPasswordChangeEndsOtherSessions: a change from one session keeps that
// session and ends the user's others; a reset ends all of them; other
// users' sessions stay.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ann := &attest.User{OrgID: org, Email: "ann@acme.example", Name: "Ann"}
		bob := &attest.User{OrgID: org, Email: "bob@acme.example", Name: "Bob"}
		for _, u := range []*attest.User{ann, bob} {
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		open := func(hash string, u *attest.User) {
			t.Helper()
			if err := db.CreateSession(ctx, hash, &attest.Session{UserID: u.ID, OrgID: org, CSRF: "c", Stage: attest.StageFull}); err != nil {
				t.Fatal(err)
			}
		}
		live := func(hash string) bool {
			_, err := db.FindSessionUser(ctx, hash)
			return err == nil
		}
		open("ann-laptop", ann)
		open("ann-phone", ann)
		open("bob-laptop", bob)
		if err := db.ChangePassword(ctx, org, ann.ID, "hash-2", "ann-laptop"); err != nil {
			t.Fatal(err)
		}
		if !live("ann-laptop") || live("ann-phone") || !live("bob-laptop") {
			t.Errorf("after Ann's change from her laptop: laptop %v, phone %v, Bob %v; want true, false, true",
				live("ann-laptop"), live("ann-phone"), live("bob-laptop"))
		}
		open("ann-phone", ann)
		if err := db.SetPassword(ctx, org, ann.ID, "hash-3"); err != nil {
			t.Fatal(err)
		}
		if live("ann-laptop") || live("ann-phone") || !live("bob-laptop") {
			t.Errorf("after a reset: laptop %v, phone %v, Bob %v; want false, false, true",
				live("ann-laptop"), live("ann-phone"), live("bob-laptop"))
		}
		u, err := db.FindUserByID(ctx, org, ann.ID)
		if err != nil || u.PasswordHash != "hash-3" {
			t.Errorf("stored hash %q, %v", u.PasswordHash, err)
		}
	})
}
