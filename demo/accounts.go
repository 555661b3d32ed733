package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/store"
)

// accountsFile is the accounts section of demo.yaml.
type accountsFile struct {
	Roles    map[string]string `yaml:"roles"`
	Employee struct {
		Name  string `yaml:"name"`
		Email string `yaml:"email"`
	} `yaml:"employee"`
	Auditor struct {
		Name                    string `yaml:"name"`
		Email                   string `yaml:"email"`
		AccessMonthsAfterWindow int    `yaml:"access_months_after_window"`
	} `yaml:"auditor"`
	InvitedAuditor string `yaml:"invited_auditor"`
}

// Account is a demo person who can sign in, once the caller gives them a
// password.
type Account struct {
	UserID int64
	Email  string
	Name   string
	Role   string
}

// loadAccounts gives the demo people their roles and adds the new hire and
// the auditor, who sees only the engagement until a few months after its
// window. It returns every account but the admin's, by role then name.
func loadAccounts(ctx context.Context, db *store.DB, orgID int64, e *attest.Engagement, f *file) ([]Account, error) {
	users, err := db.FindUsers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	byName := map[string]*attest.User{}
	for _, u := range users {
		byName[u.Name] = u
	}
	for name, role := range f.Accounts.Roles {
		u := byName[name]
		if u == nil {
			return nil, fmt.Errorf("demo.yaml: accounts.roles names %q, who is not one of the people", name)
		}
		r := role
		if _, err := db.UpdateUser(ctx, orgID, u.ID, attest.UserUpdate{Role: &r}); err != nil {
			return nil, fmt.Errorf("demo account %s: %w", name, err)
		}
		u.Role = role
	}
	emp := &attest.User{OrgID: orgID, Email: f.Accounts.Employee.Email, Name: f.Accounts.Employee.Name, Role: attest.RoleEmployee, Active: true}
	if err := db.CreateUser(ctx, emp); err != nil {
		return nil, fmt.Errorf("demo employee: %w", err)
	}
	a := f.Accounts.Auditor
	ends := e.WindowEnd.AddMonths(a.AccessMonthsAfterWindow).Time()
	aud := &attest.User{OrgID: orgID, Email: a.Email, Name: a.Name, Role: attest.RoleAuditor, Active: true}
	if err := db.CreateUser(ctx, aud); err != nil {
		return nil, fmt.Errorf("demo auditor: %w", err)
	}
	endsAt := &ends
	if _, err := db.UpdateUser(ctx, orgID, aud.ID, attest.UserUpdate{AccessExpires: &endsAt}); err != nil {
		return nil, fmt.Errorf("demo auditor: %w", err)
	}
	if err := db.SetAuditorGrants(ctx, orgID, aud.ID, []int64{e.ID}); err != nil {
		return nil, fmt.Errorf("demo auditor: %w", err)
	}
	if f.Accounts.InvitedAuditor != "" {
		// The link's secret is thrown away: the invitation is only shown.
		if _, err := db.CreateInvitation(ctx, &attest.Invitation{OrgID: orgID, Email: f.Accounts.InvitedAuditor, Role: attest.RoleAuditor,
			Engagements: []int64{e.ID}, AccessExpires: &ends}); err != nil {
			return nil, fmt.Errorf("demo invitation: %w", err)
		}
	}
	users = append(users, emp, aud)
	var out []Account
	for _, u := range users {
		if u.Email == f.Admin.Email {
			continue
		}
		out = append(out, Account{UserID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role})
	}
	order := func(role string) int { return slices.Index(attest.Roles, role) }
	slices.SortFunc(out, func(x, y Account) int {
		if d := order(x.Role) - order(y.Role); d != 0 {
			return d
		}
		return strings.Compare(x.Name, y.Name)
	})
	return out, nil
}
