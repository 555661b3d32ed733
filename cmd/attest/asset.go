package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/regcsv"
)

// AssetCmd groups the asset inventory's commands.
type AssetCmd struct {
	List    AssetListCmd    `cmd:"" help:"List assets and systems."`
	Import  AssetImportCmd  `cmd:"" help:"Add assets from a CSV file, all or none."`
	Export  AssetExportCmd  `cmd:"" help:"Write the assets as CSV to standard output."`
	Observe AssetObserveCmd `cmd:"" help:"Add the systems an integration collected (a JSON array of resources) to the inventory."`
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

// AssetObserveCmd brings collected resources into the inventory.
type AssetObserveCmd struct {
	jsonFlag
	File        string `arg:"" help:"JSON array of collected resources ({type, id, name, …}, as integrations emit them); - reads standard input."`
	Integration string `required:"" help:"The integration that collected them (github, aws, …)."`
}

// Run adds the observed systems.
func (c *AssetObserveCmd) Run(a *App) error {
	var in io.Reader = os.Stdin
	if c.File != "-" {
		f, err := os.Open(c.File)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "cannot read %s: %v", c.File, err)
		}
		defer f.Close()
		in = f
	}
	var resources []collect.Resource
	if err := json.NewDecoder(io.LimitReader(in, 64<<20)).Decode(&resources); err != nil {
		return attest.Errorf(attest.EINVALID, "%s is not a JSON array of resources: %v", c.File, err)
	}
	obs := make([]attest.ObservedAsset, len(resources))
	for i, r := range resources {
		obs[i] = attest.ObservedAsset{Integration: c.Integration, ResourceType: r.Type, ResourceID: r.ID, Name: r.Name}
	}
	if _, err := a.DB(); err != nil {
		return err
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	added, marked, err := a.db.ObserveAssets(a.ctx, orgID, obs)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(map[string]int{"added": added, "marked": marked})
	}
	fprintf(a.out, "Added %d assets; %d known assets now list %s.\n", added, marked, c.Integration)
	return nil
}
