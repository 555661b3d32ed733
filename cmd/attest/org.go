package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// OrgCmd groups the commands of an operator who hosts several
// organizations (a consultant's clients) on one server. --org selects the
// organization every other command works on.
type OrgCmd struct {
	Create OrgCreateCmd `cmd:"" help:"Create an organization and its first admin, whose password is printed once."`
	List   OrgListCmd   `cmd:"" help:"List the organizations on this server: ID, name, members, created."`
}

// OrgCreateCmd creates an organization with its admin.
type OrgCreateCmd struct {
	jsonFlag
	Name       string `required:"" help:"The organization's name."`
	AdminEmail string `name:"admin-email" help:"Sign-in email of its first admin (default: admin-<id>@localhost)."`
	AdminName  string `name:"admin-name" help:"Display name of its first admin." default:"Administrator"`
}

// orgCreated is what org create prints with --json.
type orgCreated struct {
	*attest.Organization
	AdminEmail    string `json:"admin_email"`
	AdminPassword string `json:"admin_password"`
}

// Run creates the organization, then its admin. The email is checked
// first, so a taken one leaves no organization without an admin behind.
func (c *OrgCreateCmd) Run(a *App) error {
	db, err := a.DB()
	if err != nil {
		return err
	}
	email := strings.TrimSpace(c.AdminEmail)
	if email != "" {
		probe := attest.User{Email: email, Name: c.AdminName, Role: attest.RoleAdmin}
		if err := probe.Validate(); err != nil {
			return attest.Errorf(attest.EINVALID, "--admin-email: %s", attest.ErrorMessage(err))
		}
		if _, err := db.FindUserByEmail(a.ctx, probe.Email); err == nil {
			return attest.Errorf(attest.ECONFLICT, "--admin-email: %s already has an account on this server", probe.Email)
		}
		email = probe.Email
	}
	org := &attest.Organization{Name: strings.TrimSpace(c.Name)}
	if err := db.CreateOrganization(a.ctx, org); err != nil {
		return err
	}
	if email == "" {
		email = fmt.Sprintf("admin-%d@localhost", org.ID)
	}
	password, hash, err := attest.NewPassword()
	if err != nil {
		return err
	}
	u := &attest.User{OrgID: org.ID, Email: email, Name: c.AdminName, Role: attest.RoleAdmin, PasswordHash: hash, Active: true}
	if err := db.CreateUser(a.ctx, u); err != nil {
		return fmt.Errorf("organization %d was created, but not its admin (run 'attest user create --org %d --role admin'): %w", org.ID, org.ID, err)
	}
	if c.JSON {
		return a.printJSON(orgCreated{org, u.Email, password})
	}
	fprintf(a.out, "Created the organization %q (id %d).\n", org.Name, org.ID)
	fprintf(a.out, "Admin sign-in (shown only now): %s  password: %s\n", u.Email, password)
	fprintf(a.out, "Other commands work on it with --org %d.\n", org.ID)
	return nil
}

// OrgListCmd lists the organizations.
type OrgListCmd struct{ jsonFlag }

// orgRow is one organization as org list shows it.
type orgRow struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Members   int       `json:"members"`
	CreatedAt time.Time `json:"created_at"`
}

// Run lists the organizations, oldest first, with their active members.
func (c *OrgListCmd) Run(a *App) error {
	db, err := a.DB()
	if err != nil {
		return err
	}
	orgs, err := db.FindOrganizations(a.ctx)
	if err != nil {
		return err
	}
	rows := make([]orgRow, 0, len(orgs))
	for _, o := range orgs {
		users, err := db.FindUsers(a.ctx, o.ID)
		if err != nil {
			return err
		}
		n := 0
		for _, u := range users {
			if u.Active {
				n++
			}
		}
		rows = append(rows, orgRow{ID: o.ID, Name: o.Name, Members: n, CreatedAt: o.CreatedAt.UTC()})
	}
	if c.JSON {
		return a.printJSON(rows)
	}
	tw := a.table()
	fprintf(tw, "ID\tNAME\tMEMBERS\tCREATED\n")
	for _, r := range rows {
		fprintf(tw, "%d\t%s\t%d\t%s\n", r.ID, r.Name, r.Members, r.CreatedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}
