package main

import (
	"github.com/attest-dev/attest"
)

// UserCmd groups the user administration commands: what an operator needs
// when nobody can sign in to do it in the browser.
type UserCmd struct {
	List     UserListCmd     `cmd:"" help:"List users."`
	Create   UserCreateCmd   `cmd:"" help:"Create a user with a generated password, printed once."`
	Passwd   UserPasswdCmd   `cmd:"" help:"Set a new generated password for a user, printed once."`
	ResetMFA UserResetMFACmd `cmd:"" name:"reset-mfa" help:"Turn off two-factor authentication for a user who lost their device."`
}

// UserListCmd lists users.
type UserListCmd struct{ jsonFlag }

// Run lists users.
func (c *UserListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	users, err := a.db.FindUsers(a.ctx, orgID)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(users)
	}
	tw := a.table()
	fprintf(tw, "ID\tEMAIL\tNAME\tROLE\tACTIVE\tMFA\n")
	for _, u := range users {
		fprintf(tw, "%d\t%s\t%s\t%s\t%v\t%v\n", u.ID, u.Email, dash(u.Name), u.Role, u.Active, u.MFAEnabled)
	}
	return tw.Flush()
}

// UserCreateCmd creates a user.
type UserCreateCmd struct {
	jsonFlag
	Email string `required:"" help:"Email address (the sign-in name)."`
	Name  string `help:"Display name."`
	Role  string `default:"employee" help:"admin, compliance_manager, control_owner, employee, auditor or viewer."`
}

// Run creates the user.
func (c *UserCreateCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	password, hash, err := attest.NewPassword()
	if err != nil {
		return err
	}
	u := &attest.User{OrgID: orgID, Email: c.Email, Name: c.Name, Role: c.Role, PasswordHash: hash, Active: true}
	if err := a.db.CreateUser(a.ctx, u); err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(struct {
			*attest.User
			Password string `json:"password"`
		}{u, password})
	}
	fprintf(a.out, "User %d %s (%s). Password, shown only now: %s\n", u.ID, u.Email, u.Role, password)
	return nil
}

// UserPasswdCmd resets a password.
type UserPasswdCmd struct {
	Email string `arg:"" help:"The user's email."`
}

// Run sets a new password.
func (c *UserPasswdCmd) Run(a *App) error {
	u, err := a.userByEmail(c.Email)
	if err != nil {
		return err
	}
	password, hash, err := attest.NewPassword()
	if err != nil {
		return err
	}
	if err := a.db.SetPassword(a.ctx, u.OrgID, u.ID, hash); err != nil {
		return err
	}
	fprintf(a.out, "New password for %s, shown only now: %s\n", u.Email, password)
	return nil
}

// UserResetMFACmd turns off a user's TOTP.
type UserResetMFACmd struct {
	Email string `arg:"" help:"The user's email."`
}

// Run turns MFA off.
func (c *UserResetMFACmd) Run(a *App) error {
	u, err := a.userByEmail(c.Email)
	if err != nil {
		return err
	}
	if err := a.db.SetMFA(a.ctx, u.OrgID, u.ID, "", nil); err != nil {
		return err
	}
	fprintf(a.out, "Two-factor authentication is off for %s; they will be asked to set it up again if the organization requires it.\n", u.Email)
	return nil
}

// userByEmail finds a user of the organization the command works on.
func (a *App) userByEmail(email string) (*attest.User, error) {
	orgID, err := a.OrgID()
	if err != nil {
		return nil, err
	}
	u, err := a.db.FindUserByEmail(a.ctx, email)
	if err != nil || u.OrgID != orgID {
		return nil, attest.Errorf(attest.ENOTFOUND, "no user %s in organization %d", email, orgID)
	}
	return u, nil
}
