package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestInvitationGrantsEngagements: an auditor's invitation carries the
// engagements and the access end date, and accepting it gives the new
// user exactly those; other roles' invitations cannot grant anything and
// an unknown or foreign engagement is refused.
func TestInvitationGrantsEngagements(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org, other := newOrg(t, db, "Acme"), newOrg(t, db, "Other")
		e1, e2 := newEngagement(t, db, org), newEngagement(t, db, org)
		foreign := newEngagement(t, db, other)
		ends := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)

		_, err := db.CreateInvitation(ctx, &attest.Invitation{OrgID: org, Email: "emp@acme.example", Role: attest.RoleEmployee, Engagements: []int64{e1.ID}})
		wantCode(t, err, attest.EINVALID)
		_, err = db.CreateInvitation(ctx, &attest.Invitation{OrgID: org, Email: "aud@cpa.example", Role: attest.RoleAuditor, Engagements: []int64{foreign.ID}})
		wantCode(t, err, attest.EINVALID)
		past := now.Add(-time.Hour)
		_, err = db.CreateInvitation(ctx, &attest.Invitation{OrgID: org, Email: "aud@cpa.example", Role: attest.RoleAuditor, AccessExpires: &past})
		wantCode(t, err, attest.EINVALID)

		secret, err := db.CreateInvitation(ctx, &attest.Invitation{OrgID: org, Email: "aud@cpa.example", Role: attest.RoleAuditor, Engagements: []int64{e2.ID}, AccessExpires: &ends})
		if err != nil {
			t.Fatal(err)
		}
		invs, err := db.FindInvitations(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if len(invs) != 1 || !slices.Equal(invs[0].Engagements, []int64{e2.ID}) || invs[0].AccessExpires == nil || !invs[0].AccessExpires.Equal(ends) {
			t.Fatalf("stored invitation = %+v", invs)
		}
		u := &attest.User{Name: "Ada Auditor"}
		if err := db.AcceptInvitation(ctx, secret, u); err != nil {
			t.Fatal(err)
		}
		grants, err := db.FindAuditorGrants(ctx, org, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(grants, []int64{e2.ID}) {
			t.Errorf("grants after acceptance = %v, want [%d]", grants, e2.ID)
		}
		got, err := db.FindUserByID(ctx, org, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.AccessExpires == nil || !got.AccessExpires.Equal(ends) {
			t.Errorf("access ends %v, want %v", got.AccessExpires, ends)
		}
	})
}
