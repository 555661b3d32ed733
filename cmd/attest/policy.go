package main

import (
	"strings"

	"github.com/attest-dev/attest/catalog"
)

// PolicyCmd groups the policy commands.
type PolicyCmd struct {
	Templates PolicyTemplatesCmd `cmd:"" help:"List the built-in policy and procedure templates."`
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
