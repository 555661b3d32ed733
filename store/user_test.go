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

// TestDeactivationRevokesTokens: deactivating a user revokes the API tokens
// they created, with an audit entry; the operator's tokens and other
// users' stay live.
func TestDeactivationRevokesTokens(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ann := &attest.User{OrgID: org, Email: "ann@acme.example", Role: attest.RoleAdmin}
		bob := &attest.User{OrgID: org, Email: "bob@acme.example", Role: attest.RoleAdmin}
		for _, u := range []*attest.User{ann, bob} {
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		secrets := map[string]string{}
		for name, by := range map[string]int64{"ann-ci": ann.ID, "bob-ci": bob.ID, "operator": 0} {
			tok := &attest.Token{OrgID: org, Name: name, Role: attest.RoleAdmin, CreatedBy: by}
			s, err := db.CreateToken(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if tok.CreatedBy != by {
				t.Fatalf("%s created by %d", name, tok.CreatedBy)
			}
			secrets[name] = s
		}
		off := false
		if _, err := db.UpdateUser(ctx, org, ann.ID, attest.UserUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]bool{"ann-ci": false, "bob-ci": true, "operator": true} {
			tok, err := db.Authenticate(ctx, secrets[name])
			if (err == nil) != want {
				t.Errorf("%s after Ann's deactivation: live %v, want %v", name, err == nil, want)
			}
			if err == nil && name == "bob-ci" && tok.CreatedBy != bob.ID {
				t.Errorf("bob-ci reads back created by %d", tok.CreatedBy)
			}
		}
		entries, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Action: "token.revoke"})
		if err != nil || len(entries) != 1 {
			t.Errorf("%d token.revoke entries, %v; want 1", len(entries), err)
		}
	})
}

// TestInvitationDoesNotRevealOtherOrganizations: inviting an email that has
// an account in another organization answers as for an unknown email; only
// this organization's own members are refused.
func TestInvitationDoesNotRevealOtherOrganizations(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a, b := newOrg(t, db, "Acme"), newOrg(t, db, "Globex")
		for _, u := range []*attest.User{{OrgID: b, Email: "gina@globex.example"}, {OrgID: a, Email: "ann@acme.example"}} {
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		for _, email := range []string{"gina@globex.example", "nobody@globex.example"} {
			inv := &attest.Invitation{OrgID: a, Email: email, Role: attest.RoleViewer}
			if secret, err := db.CreateInvitation(ctx, inv); err != nil || secret == "" {
				t.Errorf("inviting %s: %v; want the same answer as for any email", email, err)
			}
		}
		_, err := db.CreateInvitation(ctx, &attest.Invitation{OrgID: a, Email: "ann@acme.example", Role: attest.RoleViewer})
		wantCode(t, err, attest.ECONFLICT)
	})
}
