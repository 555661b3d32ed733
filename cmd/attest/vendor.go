package main

import (
	"fmt"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/regcsv"
)

// VendorCmd groups the vendor inventory's commands.
type VendorCmd struct {
	List   VendorListCmd   `cmd:"" help:"List vendors."`
	Import VendorImportCmd `cmd:"" help:"Add vendors from a CSV file, all or none."`
	Export VendorExportCmd `cmd:"" help:"Write the vendors as CSV to standard output."`
}

var vendors = register[*attest.Vendor]{
	find: func(a *App, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Vendor, int, error) {
		return a.db.FindVendors(a.ctx, orgID, f, p)
	},
	codec: func(*App, int64) (regcsv.Codec[*attest.Vendor], error) { return regcsv.Vendors, nil },
	store: func(a *App, orgID int64, vs []*attest.Vendor) error { return a.db.ImportVendors(a.ctx, orgID, vs) },
	noun:  "vendors", header: "ID\tTIER\tSTATUS\tNEXT REVIEW\tREPORT EXPIRES\tOWNER\tNAME",
	line: func(v *attest.Vendor) string {
		return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t%s", v.ID, v.Tier, v.Status, dash(string(v.NextReview)), dash(string(v.ReportExpires)), ownerText(v.Owner, ""), v.Name)
	},
}

// VendorListCmd lists vendors.
type VendorListCmd struct{ registerListFlags }

// Run lists the vendors.
func (c *VendorListCmd) Run(a *App) error {
	return vendors.list(a, &c.registerListFlags, attest.RegisterFilter{})
}

// VendorImportCmd imports vendors from CSV.
type VendorImportCmd struct {
	jsonFlag
	CSV string `name:"csv" required:"" help:"CSV file with a header row: name, tier (required); service, data_shared, owner, contract_start, contract_end, subservice, complementary_controls, status, next_review. - reads standard input." placeholder:"FILE"`
}

// Run imports the vendors.
func (c *VendorImportCmd) Run(a *App) error { return vendors.importCSV(a, c.CSV, c.JSON) }

// VendorExportCmd writes the vendors as CSV.
type VendorExportCmd struct {
	registerListFlags
	CSV bool `name:"csv" help:"Write CSV (the only format)." default:"true"`
}

// Run exports the vendors.
func (c *VendorExportCmd) Run(a *App) error {
	return vendors.exportCSV(a, &c.registerListFlags, attest.RegisterFilter{})
}
