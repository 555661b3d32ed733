package main

import (
	"fmt"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/regcsv"
)

// RiskCmd groups the risk register's commands.
type RiskCmd struct {
	List    RiskListCmd    `cmd:"" help:"List risks, worst residual score first."`
	Import  RiskImportCmd  `cmd:"" help:"Add risks from a CSV file, all or none."`
	Export  RiskExportCmd  `cmd:"" help:"Write the risks as CSV to standard output."`
	Library RiskLibraryCmd `cmd:"" help:"List the library of common SaaS risks to start from."`
}

var risks = register[*attest.Risk]{
	find: func(a *App, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Risk, int, error) {
		return a.db.FindRisks(a.ctx, orgID, f, p)
	},
	codec: func(a *App, orgID int64) (regcsv.Codec[*attest.Risk], error) {
		st, err := a.db.FindRegisterSettings(a.ctx, orgID)
		return regcsv.RiskCodec(st.RiskScale), err
	},
	store:  func(a *App, orgID int64, rs []*attest.Risk) error { return a.db.ImportRisks(a.ctx, orgID, rs) },
	noun:   "risks",
	header: "ID\tRESIDUAL\tINHERENT\tSTATUS\tTREATMENT\tCATEGORY\tOWNER\tTITLE",
	line: func(r *attest.Risk) string {
		return fmt.Sprintf("%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s", r.ID, r.ResidualScore(), r.InherentScore(), r.Status, dash(string(r.Treatment)), r.Category, ownerText(r.Owner, ""), r.Title)
	},
}

// RiskListCmd lists risks.
type RiskListCmd struct{ registerListFlags }

// Run lists the risks.
func (c *RiskListCmd) Run(a *App) error {
	return risks.list(a, &c.registerListFlags, attest.RegisterFilter{})
}

// RiskImportCmd imports risks from CSV.
type RiskImportCmd struct {
	jsonFlag
	CSV string `name:"csv" required:"" help:"CSV file with a header row: title, category, likelihood, impact (required); description, owner, residual_likelihood, residual_impact, treatment, treatment_plan, status, reviewed_on, library_id. - reads standard input." placeholder:"FILE"`
}

// Run imports the risks.
func (c *RiskImportCmd) Run(a *App) error { return risks.importCSV(a, c.CSV, c.JSON) }

// RiskExportCmd writes the risks as CSV.
type RiskExportCmd struct {
	registerListFlags
	CSV bool `name:"csv" help:"Write CSV (the only format)." default:"true"`
}

// Run exports the risks.
func (c *RiskExportCmd) Run(a *App) error {
	return risks.exportCSV(a, &c.registerListFlags, attest.RegisterFilter{})
}

// RiskLibraryCmd lists the risk library.
type RiskLibraryCmd struct{ jsonFlag }

// libraryEntry is a library risk as `attest risk library --json` prints it.
type libraryEntry struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Category string `json:"category"`
}

// Run lists the library.
func (c *RiskLibraryCmd) Run(a *App) error {
	lib, err := catalog.RiskLibrary()
	if err != nil {
		return err
	}
	if c.JSON {
		out := make([]libraryEntry, len(lib))
		for i, r := range lib {
			out[i] = libraryEntry{r.ID, r.Title, r.Category}
		}
		return a.printJSON(out)
	}
	w := a.table()
	fmt.Fprintln(w, "ID\tCATEGORY\tL×I\tCONTROLS\tTITLE")
	for _, r := range lib {
		fmt.Fprintf(w, "%s\t%s\t%d×%d\t%v\t%s\n", r.ID, r.Category, r.Likelihood, r.Impact, r.Controls, r.Title)
	}
	return w.Flush()
}
