package main

import (
	"github.com/attest-dev/attest"
)

// TokenCmd groups the API token commands.
type TokenCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Create an API token; its secret is printed once."`
	List   TokenListCmd   `cmd:"" help:"List API tokens."`
	Revoke TokenRevokeCmd `cmd:"" help:"Revoke an API token."`
}

// TokenCreateCmd creates a token.
type TokenCreateCmd struct {
	jsonFlag
	Name string `required:"" help:"What the token is for."`
	Role string `default:"admin" help:"Role: admin, compliance_manager, control_owner, employee or viewer (an auditor signs in instead)."`
}

// Run creates the token.
func (c *TokenCreateCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	t := &attest.Token{OrgID: orgID, Name: c.Name, Role: c.Role}
	secret, err := a.db.CreateToken(a.ctx, t)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(struct {
			*attest.Token
			Secret string `json:"secret"`
		}{t, secret})
	}
	fprintf(a.out, "Token %d (%s, role %s). Its secret is shown only now:\n%s\n", t.ID, t.Name, t.Role, secret)
	return nil
}

// TokenListCmd lists tokens.
type TokenListCmd struct{ jsonFlag }

// Run lists tokens.
func (c *TokenListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	ts, err := a.db.FindTokens(a.ctx, orgID)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(ts)
	}
	tw := a.table()
	fprintf(tw, "ID\tNAME\tROLE\tCREATED\tSTATE\n")
	for _, t := range ts {
		state := "active"
		if t.RevokedAt != nil {
			state = "revoked " + t.RevokedAt.Format("2006-01-02")
		}
		fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.Format("2006-01-02"), state)
	}
	return tw.Flush()
}

// TokenRevokeCmd revokes a token.
type TokenRevokeCmd struct {
	ID int64 `arg:"" help:"Token ID."`
}

// Run revokes the token.
func (c *TokenRevokeCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	if err := a.db.RevokeToken(a.ctx, orgID, c.ID); err != nil {
		return err
	}
	fprintf(a.out, "Token %d revoked.\n", c.ID)
	return nil
}
