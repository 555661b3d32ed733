package main

import (
	"fmt"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/regcsv"
)

// IncidentCmd groups the incident register's commands.
type IncidentCmd struct {
	List   IncidentListCmd   `cmd:"" help:"List incidents, newest first."`
	Import IncidentImportCmd `cmd:"" help:"Add incidents from a CSV file, all or none."`
	Export IncidentExportCmd `cmd:"" help:"Write the incidents as CSV (with --from and --to: the population of an observation window)."`
}

var incidents = register[*attest.Incident]{
	find: func(a *App, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Incident, int, error) {
		return a.db.FindIncidents(a.ctx, orgID, f, p)
	},
	codec: func(*App, int64) (regcsv.Codec[*attest.Incident], error) { return regcsv.Incidents, nil },
	store: func(a *App, orgID int64, is []*attest.Incident) error { return a.db.ImportIncidents(a.ctx, orgID, is) },
	noun:  "incidents", header: "ID\tREPORTED\tSEVERITY\tSTATUS\tREVIEW\tOWNER\tTITLE",
	line: func(i *attest.Incident) string {
		review := "-"
		if i.SignedOffAt != nil {
			review = "signed off " + i.SignedOffAt.UTC().Format("2006-01-02")
		}
		return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t%s", i.ID, i.ReportedAt.UTC().Format("2006-01-02 15:04"), i.Severity, i.Status, review, ownerText(i.Owner, ""), i.Title)
	},
}

// windowFlags select the incidents of an observation window.
type windowFlags struct {
	From string `help:"Only incidents reported on or after this day (YYYY-MM-DD)."`
	To   string `help:"Only incidents reported on or before this day (YYYY-MM-DD)."`
}

func (w windowFlags) filter() (attest.RegisterFilter, error) {
	from, err := attest.ParseDate(w.From)
	if err != nil {
		return attest.RegisterFilter{}, err
	}
	to, err := attest.ParseDate(w.To)
	return attest.RegisterFilter{From: from, To: to}, err
}

// IncidentListCmd lists incidents.
type IncidentListCmd struct {
	registerListFlags
	windowFlags
}

// Run lists the incidents.
func (c *IncidentListCmd) Run(a *App) error {
	f, err := c.windowFlags.filter()
	if err != nil {
		return err
	}
	return incidents.list(a, &c.registerListFlags, f)
}

// IncidentImportCmd imports incidents from CSV.
type IncidentImportCmd struct {
	jsonFlag
	CSV string `name:"csv" required:"" help:"CSV file with a header row: title, severity, reported_at (required); status, owner, summary, affected_data, personal_data, customers_affected, notified_on, root_cause, review, reviewed_on. - reads standard input." placeholder:"FILE"`
}

// Run imports the incidents.
func (c *IncidentImportCmd) Run(a *App) error { return incidents.importCSV(a, c.CSV, c.JSON) }

// IncidentExportCmd writes the incidents as CSV.
type IncidentExportCmd struct {
	registerListFlags
	windowFlags
	CSV bool `name:"csv" help:"Write CSV (the only format)." default:"true"`
}

// Run exports the incidents.
func (c *IncidentExportCmd) Run(a *App) error {
	f, err := c.windowFlags.filter()
	if err != nil {
		return err
	}
	return incidents.exportCSV(a, &c.registerListFlags, f)
}
