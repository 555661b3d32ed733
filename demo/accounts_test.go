package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/store"
)

// TestLoadAccounts: the demo has someone to sign in as for every role, the
// auditor sees only the engagement until after its window, and an auditor
// invitation is open.
func TestLoadAccounts(t *testing.T) {
	tg := testdb.Targets(t)[0]
	ctx := context.Background()
	templates, err := catalog.PolicyTemplates()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL, PolicyTemplates: templates}, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := Load(ctx, db, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]int{}
	for _, a := range res.Accounts {
		roles[a.Role]++
		if a.Email == res.AdminEmail {
			t.Errorf("the admin is listed among the accounts")
		}
	}
	for _, r := range attest.Roles {
		if r != attest.RoleAdmin && roles[r] == 0 {
			t.Errorf("no demo account has the role %s (roles: %v)", r, roles)
		}
	}
	i := slices.IndexFunc(res.Accounts, func(a Account) bool { return a.Role == attest.RoleAuditor })
	aud, err := db.FindUserByID(ctx, res.Organization.ID, res.Accounts[i].UserID)
	if err != nil {
		t.Fatal(err)
	}
	grants, err := db.FindAuditorGrants(ctx, res.Organization.ID, aud.ID)
	if err != nil || !slices.Equal(grants, []int64{res.Engagement.ID}) {
		t.Errorf("the auditor's grants: %v, %v", grants, err)
	}
	if aud.AccessExpires == nil || !res.Engagement.WindowEnd.Before(attest.DateOf(*aud.AccessExpires)) {
		t.Errorf("the auditor's access ends %v, want after the window's end %s", aud.AccessExpires, res.Engagement.WindowEnd)
	}
	invs, err := db.FindInvitations(ctx, res.Organization.ID)
	if err != nil || len(invs) != 1 || invs[0].Role != attest.RoleAuditor || len(invs[0].Engagements) != 1 {
		t.Errorf("demo invitations: %+v, %v", invs, err)
	}
}
