package main

import (
	"fmt"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/regcsv"
)

// AssetCmd groups the asset inventory's commands.
type AssetCmd struct {
	List   AssetListCmd   `cmd:"" help:"List assets and systems."`
	Import AssetImportCmd `cmd:"" help:"Add assets from a CSV file, all or none."`
	Export AssetExportCmd `cmd:"" help:"Write the assets as CSV to standard output."`
}

var assets = register[*attest.Asset]{
	find: func(a *App, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Asset, int, error) {
		return a.db.FindAssets(a.ctx, orgID, f, p)
	},
	codec: func(*App, int64) (regcsv.Codec[*attest.Asset], error) { return regcsv.Assets, nil },
	store: func(a *App, orgID int64, as []*attest.Asset) error { return a.db.ImportAssets(a.ctx, orgID, as) },
	noun:  "assets", header: "ID\tTYPE\tENVIRONMENT\tCLASSIFICATION\tSTATUS\tOWNER\tNAME",
	line: func(x *attest.Asset) string {
		return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t%s", x.ID, x.Type, x.Environment, x.Classification, x.Status, ownerText(x.Owner, ""), x.Name)
	},
}

// AssetListCmd lists assets.
type AssetListCmd struct{ registerListFlags }

// Run lists the assets.
func (c *AssetListCmd) Run(a *App) error {
	return assets.list(a, &c.registerListFlags, attest.RegisterFilter{})
}

// AssetImportCmd imports assets from CSV.
type AssetImportCmd struct {
	jsonFlag
	CSV string `name:"csv" required:"" help:"CSV file with a header row: name, type, environment, classification (required); description, owner, integrations, status, reviewed_on. - reads standard input." placeholder:"FILE"`
}

// Run imports the assets.
func (c *AssetImportCmd) Run(a *App) error { return assets.importCSV(a, c.CSV, c.JSON) }

// AssetExportCmd writes the assets as CSV.
type AssetExportCmd struct {
	registerListFlags
	CSV bool `name:"csv" help:"Write CSV (the only format)." default:"true"`
}

// Run exports the assets.
func (c *AssetExportCmd) Run(a *App) error {
	return assets.exportCSV(a, &c.registerListFlags, attest.RegisterFilter{})
}
