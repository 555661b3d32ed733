package main

import (
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// PolicyCmd groups the policy commands.
type PolicyCmd struct {
	Templates PolicyTemplatesCmd `cmd:"" help:"List the built-in policy and procedure templates."`
	List      PolicyListCmd      `cmd:"" help:"List the organization's policies."`
	Adopt     PolicyAdoptCmd     `cmd:"" help:"Start a draft policy from a template."`
	Export    PolicyExportCmd    `cmd:"" help:"Write every policy to a folder of Markdown files (for a Git repository)."`
	Import    PolicyImportCmd    `cmd:"" help:"Read a folder written by export back; changed texts become new draft versions."`
	Document  PolicyDocumentCmd  `cmd:"" help:"Write one policy, or every published one, as a PDF or HTML document."`
}

// PolicyListCmd lists the organization's policies.
type PolicyListCmd struct{ jsonFlag }

// Run lists the policies.
func (c *PolicyListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	policies, err := a.db.FindPolicies(a.ctx, orgID)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(policies)
	}
	tw := a.table()
	fprintf(tw, "ID\tSTATUS\tVERSION\tPUBLISHED\tNEXT REVIEW\tTITLE\n")
	for _, p := range policies {
		fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Status, p.CurrentVersion, dash(p.PublishedVersion), dash(string(p.NextReview)), p.Title)
	}
	return tw.Flush()
}

// PolicyAdoptCmd adopts a template.
type PolicyAdoptCmd struct {
	jsonFlag
	Template string `arg:"" help:"Template ID (see 'attest policy templates')."`
	Owner    string `help:"The member who owns the policy: their email (or the exact name of one member)."`
	// Approver and EffectiveDate are refused: publication fills them from
	// the approval record and the publication date, so a text can never
	// name someone other than who approved it.
	Approver        string `hidden:"" help:"Refused: the approvers are filled in when the policy is published."`
	EffectiveDate   string `name:"effective-date" hidden:"" help:"Refused: the effective date is the publication date."`
	SecurityContact string `name:"security-contact" help:"Where to report security issues, e.g. security@example.com."`
	PrivacyContact  string `name:"privacy-contact" help:"Where to send privacy requests."`
}

// Run adopts the template: the organization's name and the review cycle
// are filled in, and the given values.
func (c *PolicyAdoptCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	org, err := a.db.FindOrganization(a.ctx, orgID)
	if err != nil {
		return err
	}
	if c.Approver != "" || c.EffectiveDate != "" {
		return attest.Errorf(attest.EINVALID, "--approver and --effective-date are not set at adoption: publishing fills in the approvers who approved the version and the publication date")
	}
	t, err := catalog.PolicyTemplate(c.Template)
	if err != nil {
		return err
	}
	owner, err := a.db.ResolvePerson(a.ctx, orgID, attest.PersonRef(c.Owner))
	if err != nil {
		return err
	}
	ownerName := ""
	if owner != nil {
		ownerName = owner.Display()
	}
	fill := attest.PolicyFill(org.Name, t, map[string]string{"owner": ownerName,
		"security_contact": c.SecurityContact, "privacy_contact": c.PrivacyContact})
	p, err := a.db.AdoptTemplate(a.ctx, orgID, t, fill)
	if err != nil {
		return err
	}
	if owner != nil {
		if p, err = a.db.SetPolicyOwner(a.ctx, orgID, p.ID, owner.ID); err != nil {
			return err
		}
	}
	if c.JSON {
		return a.printJSON(p)
	}
	fprintf(a.out, "Policy %d %q adopted as draft version %s.\n", p.ID, p.Title, p.CurrentVersion)
	return nil
}

// PolicyTemplatesCmd lists the templates.
type PolicyTemplatesCmd struct {
	jsonFlag
	Type string `help:"Only this type: policy or procedure." enum:",policy,procedure" default:""`
}

// templateRow is a template as 'attest policy templates --json' prints it.
type templateRow struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Type     string   `json:"type"`
	Controls []string `json:"controls"`
}

// Run lists the templates.
func (c *PolicyTemplatesCmd) Run(a *App) error {
	templates, err := catalog.PolicyTemplates()
	if err != nil {
		return err
	}
	rows := []templateRow{}
	for _, t := range templates {
		if c.Type == "" || t.Type == c.Type {
			rows = append(rows, templateRow{t.ID, t.Title, t.Type, t.Controls})
		}
	}
	if c.JSON {
		return a.printJSON(rows)
	}
	tw := a.table()
	fprintf(tw, "ID\tTYPE\tTITLE\tCONTROLS\n")
	for _, r := range rows {
		fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Type, r.Title, strings.Join(r.Controls, ","))
	}
	return tw.Flush()
}
