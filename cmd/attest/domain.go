package main

import (
	"time"

	"github.com/attest-dev/attest"
)

// DomainCmd groups the operator's commands for email domain claims. On a
// server hosting several organizations, single sign-on serves a domain
// only for the organization whose claim on it is verified: by a DNS TXT
// record, from the settings page, or by the operator here.
type DomainCmd struct {
	List    DomainListCmd    `cmd:"" help:"List every organization's domain claims: domain, organization, state, how verified."`
	Approve DomainApproveCmd `cmd:"" help:"Verify an organization's claim on a domain (claiming it first if needed); needs --org."`
	Revoke  DomainRevokeCmd  `cmd:"" help:"Remove an organization's claim on a domain; single sign-on stops serving it there. Needs --org."`
}

// DomainListCmd lists the claims.
type DomainListCmd struct{ jsonFlag }

// domainRow is one claim as domain list shows it.
type domainRow struct {
	Domain       string     `json:"domain"`
	OrgID        int64      `json:"org_id"`
	Organization string     `json:"organization"`
	Verified     bool       `json:"verified"`
	Method       string     `json:"method,omitempty"`
	VerifiedAt   *time.Time `json:"verified_at,omitempty"`
	TXTName      string     `json:"txt_name"`
	TXTValue     string     `json:"txt_value"`
}

// Run lists every claim by domain.
func (c *DomainListCmd) Run(a *App) error {
	db, err := a.DB()
	if err != nil {
		return err
	}
	orgs, err := db.FindOrganizations(a.ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	claims, err := db.FindAllDomainClaims(a.ctx)
	if err != nil {
		return err
	}
	rows := make([]domainRow, 0, len(claims))
	for _, cl := range claims {
		rows = append(rows, domainRow{Domain: cl.Domain, OrgID: cl.OrgID, Organization: names[cl.OrgID], Verified: cl.Verified(),
			Method: cl.Method, VerifiedAt: cl.VerifiedAt, TXTName: cl.TXTName(), TXTValue: cl.TXTValue()})
	}
	if c.JSON {
		return a.printJSON(rows)
	}
	tw := a.table()
	fprintf(tw, "DOMAIN\tORG\tNAME\tSTATE\tPROOF\n")
	for _, r := range rows {
		state, proof := "not verified", r.TXTName+" TXT "+r.TXTValue
		if r.Verified {
			state, proof = "verified", r.Method+" "+r.VerifiedAt.Format("2006-01-02")
		}
		fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", r.Domain, r.OrgID, r.Organization, state, proof)
	}
	return tw.Flush()
}

// DomainApproveCmd verifies a claim on the operator's word.
type DomainApproveCmd struct {
	Domain string `arg:"" help:"The email domain, such as example.com."`
}

// Run claims the domain for --org if needed and verifies the claim.
func (c *DomainApproveCmd) Run(a *App) error {
	org, err := a.explicitOrg("domain approve")
	if err != nil {
		return err
	}
	db, _ := a.DB()
	ctx := attest.WithActor(a.ctx, "operator")
	cl, err := db.ClaimDomain(ctx, org, c.Domain)
	if err != nil {
		return err
	}
	if err := db.VerifyDomainClaim(ctx, org, cl.Domain, attest.ClaimByOperator); err != nil {
		return err
	}
	fprintf(a.out, "%s is verified for organization %d.\n", cl.Domain, org)
	return nil
}

// DomainRevokeCmd removes a claim.
type DomainRevokeCmd struct {
	Domain string `arg:"" help:"The email domain."`
}

// Run removes --org's claim on the domain.
func (c *DomainRevokeCmd) Run(a *App) error {
	org, err := a.explicitOrg("domain revoke")
	if err != nil {
		return err
	}
	db, _ := a.DB()
	if err := db.DeleteDomainClaim(attest.WithActor(a.ctx, "operator"), org, c.Domain); err != nil {
		return err
	}
	fprintf(a.out, "Removed organization %d's claim on %s.\n", org, c.Domain)
	return nil
}

// explicitOrg returns --org, refusing to default to the first
// organization for a command that hands a domain to one.
func (a *App) explicitOrg(cmd string) (int64, error) {
	if a.cli.Org == 0 {
		return 0, attest.Errorf(attest.EINVALID, "%s needs --org ID: see 'attest org list'", cmd)
	}
	return a.OrgID()
}
